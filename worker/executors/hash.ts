/**
 * `hash`: iterated sha256. h₀ = data, hᵢ = sha256(hᵢ₋₁), output h_rounds (32 bytes).
 * Inherently sequential, so it is a latency benchmark that no parallel hardware can shortcut.
 *
 * Input, either
 *   JSON   {"rounds": 1..10⁷, "data": "utf-8 text"} or {"rounds": …, "data_hex": "00ff…"}
 *   binary "OGHS" ‖ u32le rounds ‖ data bytes
 */
import { createHash } from "node:crypto";
import { binaryView, checkMaxSize, intField, isJsonInput, parseJsonParams, throwIfAborted, yieldToEventLoop } from "./params.js";
import { badInput, type ExecContext, type Executor } from "./types.js";

const KIND = "hash";
export const HASH_MAX_ROUNDS = 10_000_000;
const MAX_DATA_BYTES = 1 << 20;
const MAGIC = "OGHS";
const HEADER_BYTES = 8;
const ROUNDS_PER_YIELD = 1 << 15;

export interface HashInput {
  rounds: number;
  data: Uint8Array;
}

export function encodeHashInput(rounds: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + data.length);
  out.set(new TextEncoder().encode(MAGIC));
  new DataView(out.buffer).setUint32(4, rounds, true);
  out.set(data, HEADER_BYTES);
  return out;
}

export function parseHashInput(input: Uint8Array): HashInput {
  checkMaxSize(KIND, input, HEADER_BYTES + 2 * MAX_DATA_BYTES + 64);
  let parsed: HashInput;
  if (isJsonInput(input)) {
    const params = parseJsonParams(KIND, input, ["rounds", "data", "data_hex"]);
    const rounds = intField(KIND, params, "rounds", 1, HASH_MAX_ROUNDS);
    const { data, data_hex: hex } = params;
    if ((data === undefined) === (hex === undefined)) throw badInput(KIND, 'give exactly one of "data" and "data_hex"');
    if (data !== undefined) {
      if (typeof data !== "string") throw badInput(KIND, 'field "data" must be a string');
      parsed = { rounds, data: new TextEncoder().encode(data) };
    } else {
      if (typeof hex !== "string" || !/^([0-9a-fA-F]{2})*$/.test(hex)) throw badInput(KIND, 'field "data_hex" must be an even-length hex string');
      parsed = { rounds, data: new Uint8Array(Buffer.from(hex, "hex")) };
    }
  } else {
    const view = binaryView(KIND, input, MAGIC, HEADER_BYTES);
    const rounds = view.getUint32(4, true);
    if (rounds < 1 || rounds > HASH_MAX_ROUNDS) throw badInput(KIND, `rounds must be in 1..${HASH_MAX_ROUNDS}, got ${rounds}`);
    parsed = { rounds, data: input.subarray(HEADER_BYTES) };
  }
  if (parsed.data.length > MAX_DATA_BYTES) throw badInput(KIND, `data too large: ${parsed.data.length} > ${MAX_DATA_BYTES} bytes`);
  return parsed;
}

export async function iterateSha256(h: HashInput, signal: AbortSignal): Promise<Uint8Array> {
  let state: Uint8Array = h.data;
  for (let i = 1; i <= h.rounds; i++) {
    state = createHash("sha256").update(state).digest();
    if (i % ROUNDS_PER_YIELD === 0) await yieldToEventLoop(KIND, signal);
  }
  return new Uint8Array(state);
}

export const hashExecutor: Executor = {
  kind: KIND,
  async run(input: Uint8Array, ctx: ExecContext): Promise<Uint8Array> {
    throwIfAborted(KIND, ctx.signal);
    return iterateSha256(parseHashInput(input), ctx.signal);
  },
};
