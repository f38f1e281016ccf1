/**
 * An auditor's per-worker verdicts on a tolerance task (docs/verification.md): each revealed
 * worker output is downloaded, opened and compared to the auditor's own output within the
 * task's atol/rtol (a program's: each declared output by name and format). The chain tallies these per worker (x/attest/tolerance.ts).
 */
import { openPublicOutput } from "../../crypto/task-crypto.js";
import { bytesEqual } from "../../crypto/bytes.js";
import { Verdict, type WorkerVerdict } from "../../proto/gen/ogpu/attest/v1/attest.js";
import type { ProgramOutput } from "../../sdk/program-manifest.js";
import { resultDigest } from "../digest.js";
import { compareOutputs, compareProgramOutputs, toleranceValue, type Comparison } from "./compare.js";
import { isNpy } from "./npy.js";


/**
 * How a tolerance task's outputs are compared: its atol/rtol (parts per 10^12, from the task) and,
 * for a client program, the outputs its manifest declares (names, formats, shapes).
 */
export interface ToleranceRule {
  atol: bigint;
  rtol: bigint;
  /** A program's declared outputs: its result is the bundle of them, compared one by one. */
  outputs?: readonly ProgramOutput[];
}

/**
 * Compares one worker output to ours. A program's result is compared output by output, each
 * with its declared format (npy, raw f32le/f64le with its shape, bytes bit for bit). Any other
 * output (a built-in kernel's) is compared within tolerance when it is an `.npy` file, else bit
 * for bit.
 */
export function judgeOutput(ours: Uint8Array, theirs: Uint8Array, rule: ToleranceRule): Comparison {
  const [atol, rtol] = [toleranceValue(rule.atol), toleranceValue(rule.rtol)];
  if (rule.outputs) return compareProgramOutputs(ours, theirs, rule.outputs, atol, rtol);
  if (!isNpy(ours)) return bytesEqual(ours, theirs) ? { match: true, reason: "", maxAbsDiff: 0 } : { match: false, reason: "not an .npy output: compared bit for bit", maxAbsDiff: Infinity };
  return compareOutputs(ours, theirs, { format: "npy" }, atol, rtol);
}

export interface RevealedOutput {
  worker: string;
  outputCid: string;
  /** The digest the worker revealed: its output blob must hold exactly that output. */
  resultDigest: Uint8Array;
}

/**
 * One verdict per revealed worker, in the record's order. `fetchBlob` errors propagate (a
 * transient blob-store failure is retried by the caller, never voted as MISMATCH); a blob that
 * does not open (`openOutput`: a public output blob, or for an encrypted task one whose data
 * key is wrapped to this auditor's key) is the worker's fault and is a MISMATCH.
 */
export async function judgeWorkers(
  ours: Uint8Array,
  revealed: readonly RevealedOutput[],
  rule: ToleranceRule,
  fetchBlob: (cid: string) => Promise<Uint8Array>,
  log?: (line: string) => void,
  openOutput: (blob: Uint8Array) => Uint8Array | Promise<Uint8Array> = openPublicOutput,
): Promise<WorkerVerdict[]> {
  const verdicts: WorkerVerdict[] = [];
  for (const r of revealed) {
    const blob = await fetchBlob(r.outputCid);
    let result: Comparison;
    try {
      const output = await openOutput(blob);
      result = bytesEqual(resultDigest(output), r.resultDigest)
        ? judgeOutput(ours, output, rule)
        : { match: false, reason: "output blob does not hold the revealed digest's output", maxAbsDiff: Infinity };
    } catch (err) {
      result = { match: false, reason: `output does not open: ${(err as Error).message}`, maxAbsDiff: Infinity };
    }
    log?.(`${r.worker}: ${result.match ? "within tolerance" : `MISMATCH (${result.reason})`}, max |Δ| ${result.maxAbsDiff}`);
    verdicts.push({ worker: r.worker, verdict: result.match ? Verdict.VERDICT_MATCH : Verdict.VERDICT_MISMATCH });
  }
  return verdicts;
}
