/**
 * Input parsing shared by the built-in kernels. Every kernel accepts a small JSON object; some
 * also accept a binary form. Parsing is strict (unknown keys, wrong types and out-of-range
 * numbers are errors) so a malformed task is rejected up front instead of running with a
 * silently different meaning on different workers.
 */
import { badInput, ExecutorError } from "./types.js";

export type JsonParams = Record<string, unknown>;

const JSON_OPEN_BRACE = 0x7b;

/** True when the input looks like the JSON form (first non-space byte is "{"). */
export function isJsonInput(input: Uint8Array): boolean {
  for (const b of input) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === JSON_OPEN_BRACE;
  }
  return false;
}

export function parseJsonParams(kind: string, input: Uint8Array, allowedKeys: readonly string[]): JsonParams {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(input));
  } catch (err) {
    throw badInput(kind, `input is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw badInput(kind, "input must be a JSON object");
  for (const key of Object.keys(value)) {
    if (!allowedKeys.includes(key)) throw badInput(kind, `unknown field "${key}" (allowed: ${allowedKeys.join(", ")})`);
  }
  return value as JsonParams;
}

/** A JSON integer field within [min, max]; `fallback` applies only when the field is absent. */
export function intField(kind: string, params: JsonParams, name: string, min: number, max: number, fallback?: number): number {
  const v = params[name];
  if (v === undefined) {
    if (fallback === undefined) throw badInput(kind, `missing field "${name}"`);
    return fallback;
  }
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw badInput(kind, `field "${name}" must be an integer`);
  if (v < min || v > max) throw badInput(kind, `field "${name}" must be in ${min}..${max}, got ${v}`);
  return v;
}

/** An unsigned 64-bit value given as a JSON safe integer or a decimal string (for the full range). */
export function u64Field(kind: string, params: JsonParams, name: string): bigint {
  const v = params[name];
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "string" && /^[0-9]{1,20}$/.test(v) && BigInt(v) < 1n << 64n) return BigInt(v);
  throw badInput(kind, `field "${name}" must be an unsigned 64-bit integer (number or decimal string)`);
}

/** Checks a binary input's 4-byte magic; returns a little-endian view over the whole input. */
export function binaryView(kind: string, input: Uint8Array, magic: string, minLength: number): DataView {
  const got = input.length >= magic.length ? String.fromCharCode(...input.subarray(0, magic.length)) : "";
  if (got !== magic) throw badInput(kind, `input is neither a JSON object nor binary "${magic}" data`);
  if (input.length < minLength) throw badInput(kind, `binary input too short: ${input.length} < ${minLength} bytes`);
  return new DataView(input.buffer, input.byteOffset, input.byteLength);
}

export function checkMaxSize(kind: string, input: Uint8Array, maxBytes: number): void {
  if (input.length > maxBytes) throw badInput(kind, `input too large: ${input.length} > ${maxBytes} bytes`);
}

/**
 * Kernels are CPU-bound JavaScript on the worker's event loop; they call this between chunks
 * of work so heartbeats and websocket traffic keep flowing and a cancel takes effect promptly.
 */
export async function yieldToEventLoop(kind: string, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal.aborted) throw new ExecutorError("cancelled", `${kind}: cancelled`);
}

export function throwIfAborted(kind: string, signal: AbortSignal): void {
  if (signal.aborted) throw new ExecutorError("cancelled", `${kind}: cancelled`);
}
