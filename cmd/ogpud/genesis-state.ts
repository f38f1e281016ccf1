import { createAppWiring } from "../../app/modules.js";

/** A fresh chain's app_state: every module's default section, in module order. */
export function defaultAppState(): Record<string, unknown> {
  return Object.fromEntries(createAppWiring().modules.map((m) => [m.name, m.defaultGenesis()]));
}
