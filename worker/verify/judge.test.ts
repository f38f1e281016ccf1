import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { singleChunkCid } from "../../sdk/blobs.js";
import { saltPublicOutput, sealTaskInput, sealTaskOutput } from "../../crypto/task-crypto.js";
import { generateKemKeyPair } from "../../crypto/kem.js";
import { auditorKeyFingerprint } from "../../crypto/kem-pubkey.js";
import { Phase, Verdict, type TaskRecord, type WorkerVerdict } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { TaskStatus, VerificationClass, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { toleranceToPpt } from "../../sdk/program-manifest.js";
import { builtinProgramId, packProgramFiles, PROGRAM_KIND } from "../../sdk/programs.js";
import { packFiles } from "../../sdk/program-pack.js";
import { Auditor, type AuditorChain } from "../auditor.js";
import { resultDigest } from "../digest.js";
import type { Executor } from "../executors/types.js";
import type { ProgramRuntime } from "../programs/runtime.js";
import { judgeWorkers } from "./judge.js";

/** Debian's numpy installs into the system interpreter, which may not be the first python3 on PATH. */
const PYTHON = "/usr/bin/python3";

/**
 * Three float32 sums of the same 10^5 numbers as .npy files: forward order, reverse order (last
 * bits differ) and forward + 1.0 (a perturbed result), written by numpy itself.
 */
function numpySums(): { forward: Uint8Array; reverse: Uint8Array; perturbed: Uint8Array } {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3-numpy (make deps)`);
  const script = [
    "import io, sys, numpy as np",
    "x = np.random.default_rng(7).standard_normal(100000).astype(np.float32)",
    "out = []",
    "for a in (np.cumsum(x, dtype=np.float32)[-1:], np.cumsum(x[::-1], dtype=np.float32)[-1:], np.cumsum(x, dtype=np.float32)[-1:] + np.float32(1)):",
    "    b = io.BytesIO(); np.save(b, a); out.append(b.getvalue().hex())",
    "print(' '.join(out))",
  ].join("\n");
  const [forward, reverse, perturbed] = execFileSync(PYTHON, ["-c", script], { encoding: "utf8" }).trim().split(" ").map((h) => new Uint8Array(Buffer.from(h, "hex")));
  return { forward: forward!, reverse: reverse!, perturbed: perturbed! };
}

const sums = numpySums();
const TOL = { atol: toleranceToPpt("1e-3"), rtol: toleranceToPpt("1e-4") };
const blobs = new Map<string, Uint8Array>();
function publish(output: Uint8Array): { outputCid: string; resultDigest: Uint8Array } {
  const blob = saltPublicOutput(output);
  blobs.set(singleChunkCid(blob), blob);
  return { outputCid: singleChunkCid(blob), resultDigest: resultDigest(output) };
}
const fetchBlob = async (cid: string) => blobs.get(cid)!;

describe("judgeWorkers", () => {
  it("MATCH for a different summation order, MISMATCH for a perturbed sum and for a blob that is not the revealed output", async () => {
    expect(Buffer.from(sums.forward).equals(Buffer.from(sums.reverse))).toBe(false);
    const lying = { ...publish(sums.reverse), resultDigest: resultDigest(sums.forward) };
    const verdicts = await judgeWorkers(
      sums.forward,
      [
        { worker: "a", ...publish(sums.reverse) },
        { worker: "b", ...publish(sums.perturbed) },
        { worker: "c", ...lying },
      ],
      TOL,
      fetchBlob,
    );
    expect(verdicts.map((v) => v.verdict)).toEqual([Verdict.VERDICT_MATCH, Verdict.VERDICT_MISMATCH, Verdict.VERDICT_MISMATCH]);
  });

  it("with zero tolerance the two summation orders do not match; a non-.npy output is compared bit for bit", async () => {
    const strict = await judgeWorkers(sums.forward, [{ worker: "a", ...publish(sums.reverse) }], { atol: 0n, rtol: 0n }, fetchBlob);
    expect(strict[0]!.verdict).toBe(Verdict.VERDICT_MISMATCH);
    const text = new TextEncoder().encode("not an array");
    const same = await judgeWorkers(text, [{ worker: "a", ...publish(text) }], TOL, fetchBlob);
    expect(same[0]!.verdict).toBe(Verdict.VERDICT_MATCH);
  });
});

describe("Auditor on a tolerance task", () => {
  it("opens its seal with its own digest and one verdict per worker", async () => {
    const input = new TextEncoder().encode("sum these");
    blobs.set(singleChunkCid(input), input);
    const sum: Executor = { kind: "npy-sum", run: async () => sums.forward };
    const honest = publish(sums.reverse);
    const perturbed = publish(sums.perturbed);
    const task = { id: 1n, kind: "npy-sum", programHash: builtinProgramId("npy-sum"), inputCid: singleChunkCid(input), status: TaskStatus.TASK_STATUS_AUDITING, verification: VerificationClass.VERIFICATION_CLASS_TOLERANCE, ...TOL } as Task;
    const me = "ogpu1auditor";
    const record = {
      taskId: 1n,
      phase: Phase.PHASE_AUDIT,
      results: [
        { worker: "w1", revealed: true, ...honest },
        { worker: "w2", revealed: true, ...perturbed },
      ],
      audit: { members: [{ validator: me, power: 1n, voted: false, seal: new Uint8Array(32).fill(1), workerVerdicts: [] }], drawnHeight: 5n, deadlineHeight: 50n },
    } as unknown as TaskRecord;
    const votes: { digest: Uint8Array; verdict: Verdict; workerVerdicts?: WorkerVerdict[] }[] = [];
    const chain: AuditorChain = {
      getTask: async () => task,
      getAttestRecord: async () => record,
      tasksWithStatus: async () => [task],
      attest: async (_id, digest, verdict, _salt, workerVerdicts) => void votes.push({ digest, verdict, workerVerdicts }),
      commitAudit: async () => undefined,
    };
    const auditor = new Auditor({ operator: me, chain, fetchBlob, executors: new Map([["npy-sum", sum]]), kemSecret: new Uint8Array(32) });
    await auditor.handle({ type: "resync", reason: "test" });
    expect(votes).toEqual([
      {
        digest: resultDigest(sums.forward),
        verdict: Verdict.VERDICT_MISMATCH,
        workerVerdicts: [
          { worker: "w1", verdict: Verdict.VERDICT_MATCH },
          { worker: "w2", verdict: Verdict.VERDICT_MISMATCH },
        ],
      },
    ]);
  });
});

describe("Auditor on a tolerance task running a client program", () => {
  it("compares the result output by output as the manifest declares them (.npy and raw f32le with a shape)", async () => {
    const manifest = { runtime: "process", entrypoint: ["/bin/true"], outputs: [{ name: "sum.npy", format: "npy" }, { name: "grid.f32", format: "f32le", shape: [2, 2] }], verification: { class: "tolerance" } };
    const program = await packProgramFiles([{ path: "ogpu-program.json", executable: false, data: new TextEncoder().encode(JSON.stringify(manifest)) }]);
    blobs.set(program.cid, program.bundle);
    const input = new TextEncoder().encode("grid please");
    blobs.set(singleChunkCid(input), input);
    const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
    const bundle = (sum: Uint8Array, grid: Uint8Array) => packFiles([{ path: "grid.f32", executable: false, data: grid }, { path: "sum.npy", executable: false, data: sum }]);
    // Our own run: forward sum, grid [1, 2, 3, 4]. Worker 1: the other order, a grid within 1e-3; worker 2: its grid is off.
    const runtime: ProgramRuntime = { name: "process", run: async () => bundle(sums.forward, f32([1, 2, 3, 4])) };
    const close = publish(bundle(sums.reverse, f32([1, 2, 3, 4.0001])));
    const off = publish(bundle(sums.reverse, f32([1, 2, 3, 4.5])));
    const task = { id: 2n, kind: PROGRAM_KIND, programHash: program.cid, inputCid: singleChunkCid(input), status: TaskStatus.TASK_STATUS_AUDITING, verification: VerificationClass.VERIFICATION_CLASS_TOLERANCE, ...TOL } as Task;
    const me = "ogpu1auditor";
    const record = {
      taskId: 2n,
      phase: Phase.PHASE_AUDIT,
      results: [
        { worker: "w1", revealed: true, ...close },
        { worker: "w2", revealed: true, ...off },
      ],
      audit: { members: [{ validator: me, power: 1n, voted: false, seal: new Uint8Array(32).fill(1), workerVerdicts: [] }], drawnHeight: 5n, deadlineHeight: 50n },
    } as unknown as TaskRecord;
    const votes: WorkerVerdict[][] = [];
    const lines: string[] = [];
    const chain: AuditorChain = {
      getTask: async () => task,
      getAttestRecord: async () => record,
      tasksWithStatus: async () => [task],
      attest: async (_id, _digest, _verdict, _salt, workerVerdicts) => void votes.push(workerVerdicts ?? []),
      commitAudit: async () => undefined,
    };
    const auditor = new Auditor({ operator: me, chain, fetchBlob, executors: new Map(), runtimes: new Map([["process", runtime]]), kemSecret: new Uint8Array(32), log: (l) => lines.push(l) });
    await auditor.handle({ type: "resync", reason: "test" });
    expect(votes).toEqual([
      [
        { worker: "w1", verdict: Verdict.VERDICT_MATCH },
        { worker: "w2", verdict: Verdict.VERDICT_MISMATCH },
      ],
    ]);
    expect(lines.join("\n")).toMatch(/w2: MISMATCH \(grid\.f32: element 3/);
  });
});

describe("Auditor on an encrypted tolerance task", () => {
  it("opens each worker's output with its auditor key and judges it; an output not wrapped to it is a MISMATCH", async () => {
    const me = "ogpu1auditor";
    const auditorKey = generateKemKeyPair();
    const client = generateKemKeyPair();
    const input = new TextEncoder().encode("sum these, privately");
    const { payload, manifest } = await sealTaskInput(input, client.publicKey, [], [{ address: me, encPubkey: auditorKey.publicKey }]);
    blobs.set(singleChunkCid(payload), payload);
    blobs.set(singleChunkCid(manifest), manifest);
    const sealedFor = async (output: Uint8Array, auditors: Uint8Array[]) => {
      const blob = await sealTaskOutput(output, client.publicKey, 3n, "output", auditors);
      blobs.set(singleChunkCid(blob), blob);
      return { outputCid: singleChunkCid(blob), resultDigest: resultDigest(output) };
    };
    const seen: Uint8Array[] = [];
    const sum: Executor = { kind: "npy-sum", run: async (plain) => (seen.push(plain), sums.forward) };
    const task = {
      id: 3n, kind: "npy-sum", programHash: builtinProgramId("npy-sum"), inputCid: singleChunkCid(manifest), status: TaskStatus.TASK_STATUS_AUDITING,
      verification: VerificationClass.VERIFICATION_CLASS_TOLERANCE, inputEncrypted: true, auditorKeyFingerprints: [auditorKeyFingerprint(auditorKey.publicKey)], ...TOL,
    } as Task;
    const record = {
      taskId: 3n,
      phase: Phase.PHASE_AUDIT,
      results: [
        { worker: "w1", revealed: true, ...(await sealedFor(sums.reverse, [auditorKey.publicKey])) },
        { worker: "w2", revealed: true, ...(await sealedFor(sums.perturbed, [auditorKey.publicKey])) },
        // Sealed to the client alone: the committee cannot compare it, so it is the worker's fault.
        { worker: "w3", revealed: true, ...(await sealedFor(sums.reverse, [])) },
      ],
      audit: { members: [{ validator: me, power: 1n, voted: false, seal: new Uint8Array(32).fill(1), workerVerdicts: [] }], drawnHeight: 5n, deadlineHeight: 50n },
    } as unknown as TaskRecord;
    const votes: WorkerVerdict[][] = [];
    const lines: string[] = [];
    const chain: AuditorChain = {
      getTask: async () => task,
      getAttestRecord: async () => record,
      tasksWithStatus: async () => [task],
      attest: async (_id, _digest, _verdict, _salt, workerVerdicts) => void votes.push(workerVerdicts ?? []),
      commitAudit: async () => undefined,
    };
    const auditor = new Auditor({ operator: me, chain, fetchBlob, executors: new Map([["npy-sum", sum]]), kemSecret: auditorKey.secretKey, log: (l) => lines.push(l) });
    await auditor.handle({ type: "resync", reason: "test" });
    expect(seen).toEqual([input]); // re-executed on the decrypted input
    expect(votes).toEqual([
      [
        { worker: "w1", verdict: Verdict.VERDICT_MATCH },
        { worker: "w2", verdict: Verdict.VERDICT_MISMATCH },
        { worker: "w3", verdict: Verdict.VERDICT_MISMATCH },
      ],
    ]);
    expect(lines.join("\n")).toMatch(/w3: MISMATCH \(output does not open: the output's data key is not wrapped to auditor key/);
  });
});
