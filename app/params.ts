import type { KVStore } from "./store/kvstore.js";
import type { StoreKey } from "./store/keys.js";

/**
 * Module parameters live in state (so governance can change them later) as JSON written by
 * one code path, which keeps the bytes — and so the app hash — deterministic. Only integers
 * and strings are allowed: no floats in consensus.
 */
export interface ParamsAccess<T> {
  get(store: KVStore): T;
  set(store: KVStore, params: T): void;
  /** Fills defaults for absent fields and validates; throws an Error naming the bad field. */
  parse(json: unknown): T;
}

export function defineParams<T extends Record<string, unknown>>(
  key: StoreKey,
  defaults: T,
  validate: (params: T) => void,
): ParamsAccess<T> {
  const parse = (json: unknown): T => {
    if (json !== undefined && (typeof json !== "object" || json === null || Array.isArray(json))) {
      throw new Error("params must be an object");
    }
    const given = (json ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(given)) {
      if (!(k in defaults)) throw new Error(`unknown param ${k}`);
    }
    const merged = { ...defaults, ...given } as T;
    for (const [k, v] of Object.entries(merged)) {
      const want = typeof defaults[k];
      if (Array.isArray(defaults[k]) ? !Array.isArray(v) : typeof v !== want) {
        throw new Error(`param ${k} must be of type ${Array.isArray(defaults[k]) ? "array" : want}`);
      }
      if (typeof v === "number" && !Number.isSafeInteger(v)) throw new Error(`param ${k} must be an integer`);
    }
    validate(merged);
    return merged;
  };
  // Params are read on every tx; cache the decoded value per stored byte array.
  let cachedBytes: Uint8Array | undefined;
  let cachedValue: T = defaults;
  return {
    parse,
    get(store) {
      const bytes = store.get(key);
      if (bytes === undefined) return defaults;
      if (bytes !== cachedBytes) {
        cachedValue = JSON.parse(Buffer.from(bytes).toString("utf8")) as T;
        cachedBytes = bytes;
      }
      return cachedValue;
    },
    set(store, params) {
      store.set(key, Buffer.from(JSON.stringify(parse(params)), "utf8"));
    },
  };
}
