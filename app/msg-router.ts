import type { AppModule, RegisteredMsg } from "./module.js";

/**
 * The app's message router: type URL → the module's registered Msg. The tx pipeline uses it
 * for every tx, and x/gov executes a passed proposal's messages through the very same entries
 * (decode, validate, handle), so a gated Msg needs no gov-specific code.
 */
export interface MsgRouter {
  route(typeUrl: string): RegisteredMsg | undefined;
}

/** Every module's Msgs by type URL; a type URL registered twice is a wiring bug. */
export function msgTypeMap(modules: readonly AppModule[]): Map<string, RegisteredMsg> {
  const msgTypes = new Map<string, RegisteredMsg>();
  for (const m of modules.flatMap((mod) => mod.msgs)) {
    if (msgTypes.has(m.typeUrl)) throw new Error(`message type registered twice: ${m.typeUrl}`);
    msgTypes.set(m.typeUrl, m);
  }
  return msgTypes;
}

/**
 * A router filled after the module list exists: x/gov's keeper is built before the modules
 * (it is one of them), so the composition root hands it this and fills it last.
 */
export function lateMsgRouter(): MsgRouter & { fill(modules: readonly AppModule[]): void } {
  let table: ReadonlyMap<string, RegisteredMsg> | undefined;
  return {
    route(typeUrl) {
      if (!table) throw new Error("message router used before the module list was built");
      return table.get(typeUrl);
    },
    fill(modules) {
      table = msgTypeMap(modules);
    },
  };
}
