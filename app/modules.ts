import type { AppModule } from "./module.js";
import { authModule } from "../x/auth/module.js";
import { bankModule } from "../x/bank/module.js";

/** The modules of the oGPU chain, in genesis and block-hook order. */
export const appModules: readonly AppModule[] = [authModule, bankModule];
