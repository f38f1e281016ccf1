import { SdkCode, sdkError } from "./errors.js";

/**
 * Length caps on every string field of every Msg, checked statelessly before a message's own
 * validation (app/module.ts defineMsg), so no handler, event, index or later block ever sees an
 * unbounded string. Caps count UTF-16 code units, as JavaScript measures them.
 *
 * Constants rather than params: they bound what a message can carry before any state is read,
 * and every legitimate value is far below them (a 20-byte bech32 address is 43 characters, a
 * valoper 50, an integer amount at most 78 digits, a CID ~60).
 */
export const MAX_MSG_STRING_LENGTH = 256;

/**
 * Longest `params` field: a MsgUpdateParams carries a module's whole param set as JSON
 * (app/update-params.ts), room for a GPU catalogue of a few hundred models.
 */
export const MAX_PARAMS_JSON_LENGTH = 65_536;

/**
 * Fields allowed more (or held to less) than the default, by protobuf field name (camelCase):
 * the Cosmos SDK's staking Description limits (x/staking/types MaxMonikerLength etc.) and
 * MsgUpdateParams' JSON param set.
 */
export const MSG_STRING_CAPS: Readonly<Record<string, number>> = {
  moniker: 70,
  identity: 3000,
  website: 140,
  securityContact: 140,
  details: 280,
  params: MAX_PARAMS_JSON_LENGTH,
  // x/gov proposal summaries (markdown text); gov's max_summary_length param holds them tighter.
  summary: 10_000,
};

/**
 * Length cap on every repeated field of every Msg (coins, GPUs, model lists, …), checked in
 * the same walk: no message can make a handler or a later block iterate an unbounded list.
 * Lists whose work recurs every block have tighter param-set caps checked by their handler
 * (x/market max_gpu_models).
 */
export const MAX_MSG_LIST_LENGTH = 64;

/** Nested message depth the walk follows; decoded Msgs here are a few levels deep. */
const MAX_DEPTH = 16;

/**
 * Throws the SDK's ErrInvalidRequest (code 18) naming the first string field of `msg` (nested
 * messages and repeated fields included) that is longer than its cap, or the first repeated
 * field with more than MAX_MSG_LIST_LENGTH entries.
 */
export function checkMsgStringCaps(typeUrl: string, msg: unknown): void {
  walk(msg, "", 0, typeUrl);
}

function walk(value: unknown, path: string, depth: number, typeUrl: string): void {
  if (typeof value === "string") return checkString(value, path, typeUrl);
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return;
  if (depth > MAX_DEPTH) throw sdkError(SdkCode.InvalidRequest, `${typeUrl}: message nests deeper than ${MAX_DEPTH} levels at ${path}`);
  if (Array.isArray(value)) {
    if (value.length > MAX_MSG_LIST_LENGTH) throw sdkError(SdkCode.InvalidRequest, `${typeUrl}: ${path} has ${value.length} entries, the limit is ${MAX_MSG_LIST_LENGTH}`);
    value.forEach((item, i) => walk(item, `${path}[${i}]`, depth + 1, typeUrl));
    return;
  }
  // Own keys in insertion order, which the generated decoders fix: deterministic.
  for (const [key, field] of Object.entries(value)) walk(field, path === "" ? key : `${path}.${key}`, depth + 1, typeUrl);
}

function checkString(text: string, path: string, typeUrl: string): void {
  const name = path.slice(path.lastIndexOf(".") + 1).replace(/\[\d+\]$/, "");
  const cap = MSG_STRING_CAPS[name] ?? MAX_MSG_STRING_LENGTH;
  if (text.length > cap) throw sdkError(SdkCode.InvalidRequest, `${typeUrl}: ${path} is ${text.length} characters, the limit is ${cap}`);
}
