/**
 * Tolerance comparison of two numeric outputs (docs/verification.md). Off-chain: an auditor
 * compares each worker's output to its own re-execution and votes MATCH or MISMATCH per worker.
 *
 * Rule, elementwise with `ref` the auditor's own value and `got` the worker's:
 *   |got − ref| ≤ atol + rtol·|ref|
 * Non-finite values: NaN matches only NaN; +Inf only +Inf; −Inf only −Inf (a finite value never
 * matches a non-finite one, however large the tolerance). Shapes must be equal (a reshaped
 * result is a different result), dtypes may differ (float32 vs float64 of the same values match
 * within tolerance).
 */
import { bytesEqual } from "../../crypto/bytes.js";
import { unpackFiles } from "../../sdk/program-pack.js";
import type { ProgramOutput } from "../../sdk/program-manifest.js";
import { parseNpy, parseRaw, type NumericArray } from "./npy.js";

export interface Comparison {
  match: boolean;
  /** Why it does not match, for logs; "" on a match. */
  reason: string;
  /** Largest |got − ref| over finite pairs (0 for empty arrays). */
  maxAbsDiff: number;
}

export function withinTolerance(ref: NumericArray, got: NumericArray, atol: number, rtol: number): Comparison {
  if (!(atol >= 0) || !(rtol >= 0)) throw new Error("tolerance: atol and rtol must be non-negative numbers");
  if (ref.shape.length !== got.shape.length || ref.shape.some((d, i) => d !== got.shape[i])) {
    return { match: false, reason: `shape ${JSON.stringify(got.shape)} differs from ${JSON.stringify(ref.shape)}`, maxAbsDiff: Infinity };
  }
  let maxAbsDiff = 0;
  for (let i = 0; i < ref.data.length; i++) {
    const r = ref.data[i];
    const g = got.data[i];
    if (!Number.isFinite(r) || !Number.isFinite(g)) {
      const same = Number.isNaN(r) ? Number.isNaN(g) : r === g;
      if (!same) return { match: false, reason: `element ${i}: ${g} where ${r} expected`, maxAbsDiff: Infinity };
      continue;
    }
    const diff = Math.abs(g - r);
    if (diff > maxAbsDiff) maxAbsDiff = diff;
    if (diff > atol + rtol * Math.abs(r)) {
      return { match: false, reason: `element ${i}: |${g} − ${r}| = ${diff} > atol + rtol·|ref|`, maxAbsDiff };
    }
  }
  return { match: true, reason: "", maxAbsDiff };
}

/** How an output's bytes are read: the manifest's declared output format (and shape for raw formats). */
export interface OutputFormat {
  format: "npy" | "f32le" | "f64le";
  shape?: readonly number[];
}

export function parseOutput(bytes: Uint8Array, format: OutputFormat): NumericArray {
  if (format.format === "npy") return parseNpy(bytes);
  if (!format.shape) throw new Error(`${format.format} output needs a declared shape`);
  return parseRaw(bytes, format.format, format.shape);
}

/**
 * Compares two outputs' bytes. A worker output that does not parse is a mismatch (its bytes are
 * not the declared array); an unparseable reference is the auditor's own fault and throws.
 */
export function compareOutputs(reference: Uint8Array, candidate: Uint8Array, format: OutputFormat, atol: number, rtol: number): Comparison {
  const ref = parseOutput(reference, format);
  let got: NumericArray;
  try {
    got = parseOutput(candidate, format);
  } catch (err) {
    return { match: false, reason: `worker output unreadable: ${(err as Error).message}`, maxAbsDiff: Infinity };
  }
  return withinTolerance(ref, got, atol, rtol);
}

const RAW_ITEM_BYTES = { f32le: 4, f64le: 8 } as const;
const mismatch = (reason: string, maxAbsDiff = Infinity): Comparison => ({ match: false, reason, maxAbsDiff });

/**
 * One declared output of a program: `npy` and raw `f32le`/`f64le` within tolerance, `bytes` bit
 * for bit. A raw output without a declared shape is read as one dimension as long as our own.
 * Our own output not parsing as declared (the program writes something else) is compared bit for
 * bit: identical honest outputs still match, and nothing else can be judged.
 */
function compareDeclared(output: ProgramOutput, reference: Uint8Array, candidate: Uint8Array, atol: number, rtol: number): Comparison {
  const bitwise = (why: string) => (bytesEqual(reference, candidate) ? { match: true, reason: "", maxAbsDiff: 0 } : mismatch(`${why}: compared bit for bit, and the bytes differ`));
  if (output.format === "bytes") return bitwise("declared as bytes");
  const format: OutputFormat =
    output.format === "npy" ? { format: "npy" } : { format: output.format, shape: output.shape ?? [Math.floor(reference.length / RAW_ITEM_BYTES[output.format])] };
  try {
    parseOutput(reference, format);
  } catch (err) {
    return bitwise(`our own output does not parse as declared ${output.format} (${(err as Error).message})`);
  }
  return compareOutputs(reference, candidate, format, atol, rtol);
}

/**
 * Two program results — canonical bundles of the declared outputs (worker/programs/runtime.ts
 * collectOutputs) — compared output by output, each by name with its declared format. The worker's
 * bundle must hold exactly the declared outputs; the first output that differs beyond tolerance
 * decides, and the reason names it. `reference` is our own result: one that does not unpack throws.
 */
export function compareProgramOutputs(reference: Uint8Array, candidate: Uint8Array, outputs: readonly ProgramOutput[], atol: number, rtol: number): Comparison {
  const ours = new Map(unpackFiles(reference).map((f) => [f.path, f.data]));
  let theirs: Map<string, Uint8Array>;
  try {
    theirs = new Map(unpackFiles(candidate).map((f) => [f.path, f.data]));
  } catch (err) {
    return mismatch(`worker output is not an output bundle: ${(err as Error).message}`);
  }
  const undeclared = [...theirs.keys()].filter((name) => !outputs.some((o) => o.name === name));
  if (undeclared.length > 0) return mismatch(`worker output holds undeclared file(s) ${undeclared.map((n) => JSON.stringify(n)).join(", ")}`);
  let maxAbsDiff = 0;
  for (const output of outputs) {
    const ref = ours.get(output.name);
    if (!ref) throw new Error(`our own result lacks the declared output "${output.name}"`);
    const got = theirs.get(output.name);
    if (!got) return mismatch(`${output.name}: missing from the worker output`);
    const result = compareDeclared(output, ref, got, atol, rtol);
    maxAbsDiff = Math.max(maxAbsDiff, result.maxAbsDiff);
    if (!result.match) return mismatch(`${output.name}: ${result.reason}`, maxAbsDiff);
  }
  return { match: true, reason: "", maxAbsDiff };
}

/** An on-chain tolerance (parts per 10^12, sdk/program-manifest.ts toleranceToPpt) as the float the comparison uses. */
export function toleranceValue(partsPer1e12: bigint): number {
  return Number(partsPer1e12) / 1e12;
}
