/**
 * An auditor's per-worker verdicts on a tolerance task (docs/verification.md): each revealed
 * worker output is downloaded, opened and compared to the auditor's own output within the
 * task's atol/rtol. The chain tallies these per worker (x/attest/tolerance.ts).
 */
import { openPublicOutput } from "../../crypto/task-crypto.js";
import { bytesEqual } from "../../crypto/bytes.js";
import { Verdict, type WorkerVerdict } from "../../proto/gen/ogpu/attest/v1/attest.js";
import type { Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { resultDigest } from "../digest.js";
import { compareOutputs, toleranceValue, type Comparison } from "./compare.js";

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const isNpy = (bytes: Uint8Array) => NPY_MAGIC.every((b, i) => bytes[i] === b);

/**
 * Compares one worker output to ours. An `.npy` output is compared within tolerance; any other
 * output is compared bit for bit (its layout is not declared on chain yet: raw f32le/f64le need
 * the program manifest's shape, docs/verification.md "what is left").
 */
export function judgeOutput(ours: Uint8Array, theirs: Uint8Array, task: Pick<Task, "atol" | "rtol">): Comparison {
  if (!isNpy(ours)) return bytesEqual(ours, theirs) ? { match: true, reason: "", maxAbsDiff: 0 } : { match: false, reason: "not an .npy output: compared bit for bit", maxAbsDiff: Infinity };
  return compareOutputs(ours, theirs, { format: "npy" }, toleranceValue(task.atol), toleranceValue(task.rtol));
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
 * does not open as a public output is the worker's fault and is a MISMATCH.
 */
export async function judgeWorkers(
  ours: Uint8Array,
  revealed: readonly RevealedOutput[],
  task: Pick<Task, "atol" | "rtol">,
  fetchBlob: (cid: string) => Promise<Uint8Array>,
  log?: (line: string) => void,
): Promise<WorkerVerdict[]> {
  const verdicts: WorkerVerdict[] = [];
  for (const r of revealed) {
    const blob = await fetchBlob(r.outputCid);
    let result: Comparison;
    try {
      const output = openPublicOutput(blob);
      result = bytesEqual(resultDigest(output), r.resultDigest)
        ? judgeOutput(ours, output, task)
        : { match: false, reason: "output blob does not hold the revealed digest's output", maxAbsDiff: Infinity };
    } catch (err) {
      result = { match: false, reason: `output does not open: ${(err as Error).message}`, maxAbsDiff: Infinity };
    }
    log?.(`${r.worker}: ${result.match ? "within tolerance" : `MISMATCH (${result.reason})`}, max |Δ| ${result.maxAbsDiff}`);
    verdicts.push({ worker: r.worker, verdict: result.match ? Verdict.VERDICT_MATCH : Verdict.VERDICT_MISMATCH });
  }
  return verdicts;
}
