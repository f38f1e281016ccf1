/**
 * The validator's auditor (`ogpu-worker audit`): Proof of Sync draws committees of validators
 * that must re-execute a task and vote by the committee's deadline, or lose
 * `auditor_absent_slash_bps` of their stake (docs/proof-of-sync.md). For each committee that
 * seats this validator operator:
 *
 *   audit (drawn before any worker reveal; attest_committee kind `audit`) → fetch + open the
 *   input (worker/task-input.ts, the worker's own code path, with the operator's auditor key) →
 *   run the executor → digest → MsgCommitAudit(seal of our digest, salt derived from our key);
 *   once the workers revealed (kind `audit_open`) → MsgAttest opening the seal: MATCH if our
 *   digest is the agreed one, else MISMATCH with ours; a task we cannot run gets MsgAttest
 *   VERDICT_UNEXECUTABLE in the seal window instead of a seal;
 *   dispute: ours, MATCH if a worker revealed it, else MISMATCH → MsgAttest.
 *   Tolerance tasks (always audited): the opening carries one MATCH/MISMATCH per worker, from
 *   downloading each revealed output and comparing it to ours within the task's atol/rtol
 *   (worker/verify/judge.ts; a program's result output by output, each in its declared format;
 *   an encrypted task's outputs opened with the operator's auditor key, which workers wrap them
 *   to; docs/verification.md).
 *
 * A digest is computed once per task (an audit that turns into a dispute reuses it). The vote is
 * owed even when the others' votes decided first, so a closed task (record gone) is still voted
 * on until the deadline. Nothing is persisted: after a restart the chain's committee records say
 * which votes are still owed (a member's `voted` flag). A task this auditor cannot run (no
 * executor, input missing, no envelope for it, input rejected) gets VERDICT_UNEXECUTABLE: guessing
 * would be dishonest, and staying silent is slashed; when the committee agrees the task was
 * unexecutable it fails at the client's cost (docs/security.md, item 6).
 */
import { hex } from "../crypto/bytes.js";
import { openPublicOutput, openTaskOutputAsAuditor } from "../crypto/task-crypto.js";
import { fromBech32 } from "../crypto/bech32.js";
import { Phase, Verdict, type Committee, type TaskRecord as AttestRecord, type WorkerVerdict } from "../proto/gen/ogpu/attest/v1/attest.js";
import type { AuditorKey } from "../proto/gen/ogpu/attest/v1/query.js";
import { TaskStatus, VerificationClass, type Task } from "../proto/gen/ogpu/market/v1/market.js";
import { judgeWorkers, type RevealedOutput, type ToleranceRule } from "./verify/judge.js";
import type { Executor } from "./executors/index.js";
import { TxRejectedError, type ChainSignal } from "./chain.js";
import type { WorkerMetrics } from "./metrics.js";
import { executeTask, UnrunnableTaskError, type ProgramRuntimes } from "./task-input.js";
import { auditSalt, seal } from "./digest.js";

/** What the auditor needs of the chain (worker/chain.ts ChainClient; fakes in tests). */
export interface AuditorChain {
  getTask(taskId: bigint): Promise<Task | undefined>;
  getAttestRecord(taskId: bigint): Promise<AttestRecord | undefined>;
  tasksWithStatus(statuses: readonly TaskStatus[]): Promise<Task[]>;
  /** `workerVerdicts`: a tolerance task's per-worker verdicts (empty on bitwise tasks). */
  attest(taskId: bigint, resultDigest: Uint8Array, verdict: Verdict, salt: Uint8Array, workerVerdicts?: WorkerVerdict[]): Promise<unknown>;
  commitAudit(taskId: bigint, seal: Uint8Array): Promise<unknown>;
}

export interface AuditorOptions {
  /** The validator's operator account: committee members are named by it, MsgAttest signed by it. */
  operator: string;
  chain: AuditorChain;
  fetchBlob(cid: string): Promise<Uint8Array>;
  executors: ReadonlyMap<string, Executor>;
  /** Runtimes for client programs (kind "program"); a program whose runtime is missing gets UNEXECUTABLE. */
  runtimes?: ProgramRuntimes;
  /** CUDA_VISIBLE_DEVICES for re-executed GPU programs; absent = none (GPU programs: UNEXECUTABLE). */
  gpus?: string;
  /** The operator's auditor KEM secret (worker/keys.ts loadAuditorKeys), for encrypted inputs. */
  kemSecret: Uint8Array;
  /** Re-read open committees every this many blocks besides resyncs (default 20). */
  reconcileEveryBlocks?: number;
  metrics?: WorkerMetrics;
  log?: (line: string) => void;
}

/** What publishing the auditor key needs of the chain (worker/chain.ts ChainClient; fakes in tests). */
export interface AuditorKeyChain {
  /** The active set's published auditor keys (x/attest Query/AuditorKeys). */
  auditorKeys(): Promise<AuditorKey[]>;
  /** MsgSetAuditorKey from the operator account. */
  setAuditorKey(encPubkey: Uint8Array): Promise<unknown>;
}

/**
 * Publishes the operator's auditor key on chain unless it is already there, so clients wrap
 * encrypted inputs to it (sdk/task-io.ts inputRecipients). Called at start: the key derives from
 * the operator's mnemonic, so it only changes with the account, and a second run sends nothing.
 * A validator outside the active set is not listed by the query and re-sends its (unchanged)
 * key, which the chain accepts as a no-op. Returns true when a transaction was sent.
 */
export async function publishAuditorKey(chain: AuditorKeyChain, operator: string, encPubkey: Uint8Array, log?: (line: string) => void): Promise<boolean> {
  const published = (await chain.auditorKeys()).find((k) => k.validator === operator);
  if (published && hex(published.encPubkey) === hex(encPubkey)) {
    log?.("auditor key already published on chain");
    return false;
  }
  await chain.setAuditorKey(encPubkey);
  log?.(`auditor key ${published ? "replaced" : "published"} on chain (MsgSetAuditorKey)`);
  return true;
}

/** Our own run of a task: its digest, and for tolerance tasks its output and how outputs are compared. */
interface Reexecution {
  digest: Uint8Array;
  output: Uint8Array;
  tolerance?: ToleranceRule;
  /** The input was encrypted: workers' outputs open with our auditor key (crypto/task-crypto.ts), not as public blobs. */
  encrypted: boolean;
}

/** A vote this operator owes: one per task at a time (the chain keeps one duty per task and validator). */
interface Duty {
  taskId: bigint;
  kind: string;
  deadline: bigint;
  /** Transient failure: try again from this height. */
  retryAt: bigint;
}

/** An audit committee seals while the task is still COMMITTED (no reveal yet). */
const AUDITED_STATUSES = [TaskStatus.TASK_STATUS_COMMITTED, TaskStatus.TASK_STATUS_AUDITING, TaskStatus.TASK_STATUS_DISPUTED] as const;
const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The committee acting now, by the record's phase: `audit` seals, `audit_open` opens, `dispute` votes. */
function currentCommittee(record: AttestRecord): { kind: "audit" | "audit_open" | "dispute"; committee: Committee } | undefined {
  if (record.phase === Phase.PHASE_AUDIT_SEAL && record.audit) return { kind: "audit", committee: record.audit };
  if (record.phase === Phase.PHASE_AUDIT && record.audit) return { kind: "audit_open", committee: record.audit };
  if (record.phase === Phase.PHASE_DISPUTE && record.dispute) return { kind: "dispute", committee: record.dispute };
  return undefined;
}

/**
 * The vote for `ours`: in an audit MATCH only on the agreed digest (every reveal is it), in a
 * dispute MATCH on any revealed digest; otherwise MISMATCH carrying our digest.
 */
export function verdictFor(kind: string, revealed: readonly Uint8Array[], ours: Uint8Array): Verdict {
  const candidates = kind === "dispute" ? revealed : revealed.slice(0, 1);
  return candidates.some((d) => hex(d) === hex(ours)) ? Verdict.VERDICT_MATCH : Verdict.VERDICT_MISMATCH;
}

export class Auditor {
  private readonly duties = new Map<string, Duty>();
  /** Our re-execution per task (its output is kept for tolerance comparisons), or "unexecutable" when this auditor cannot run it. */
  private readonly results = new Map<string, Reexecution | "unexecutable">();
  /** Revealed worker outputs last seen per tolerance task, for the per-worker comparison. */
  private readonly revealedOutputs = new Map<string, RevealedOutput[]>();
  /** Revealed digests last seen per task (the record is gone once the task closes). */
  private readonly revealed = new Map<string, Uint8Array[]>();
  private readonly abort = new AbortController();
  private height = 0n;
  private lastReconcile = 0n;
  private draining: Promise<void> | undefined;
  private reconciling: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: AuditorOptions) {}

  /** Votes owed and not yet sent (for tests and logs). */
  get owed(): number {
    return this.duties.size;
  }

  /** Entry point for the chain follower's signals; never throws (errors are logged). */
  handle(signal: ChainSignal): Promise<void> {
    const run = async () => {
      if (signal.type === "committee") this.owe(signal.taskId, signal.kind, signal.deadline);
      else if (signal.type === "resync") await this.reconcile();
      else if (signal.type === "block") {
        this.height = BigInt(signal.height);
        if (this.height - this.lastReconcile >= BigInt(this.opts.reconcileEveryBlocks ?? 20)) await this.reconcile();
      }
      await this.drain();
    };
    return run().catch((err: unknown) => this.opts.log?.(`${signal.type}: ${errText(err)}`));
  }

  /** Stops voting; aborts a re-execution in progress and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.draining;
  }

  /** Re-reads every task under audit or dispute; owes a vote where this operator sits unvoted. */
  reconcile(): Promise<void> {
    this.reconciling ??= (async () => {
      this.lastReconcile = this.height;
      const tasks = await this.opts.chain.tasksWithStatus(AUDITED_STATUSES);
      // Forget digests of tasks that left audit/dispute and owe nothing (keeps memory bounded).
      const open = new Set(tasks.map((t) => t.id.toString()));
      for (const id of [...this.results.keys()]) if (!open.has(id) && !this.duties.has(id)) (this.results.delete(id), this.revealed.delete(id), this.revealedOutputs.delete(id));
      for (const task of tasks) {
        const record = await this.opts.chain.getAttestRecord(task.id);
        const current = record && currentCommittee(record);
        const me = current?.committee.members.find((m) => m.validator === this.opts.operator);
        const owed = current?.kind === "audit" ? me && me.seal.length === 0 : current?.kind === "audit_open" ? me && me.seal.length > 0 && !me.voted : me && !me.voted;
        if (current && owed) this.owe(task.id, current.kind, current.committee.deadlineHeight);
      }
    })().finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  private owe(taskId: bigint, kind: string, deadline: bigint): void {
    const known = this.duties.get(taskId.toString());
    if (known && known.kind === kind && known.deadline === deadline) return;
    this.duties.set(taskId.toString(), { taskId, kind, deadline, retryAt: 0n });
    this.opts.log?.(`task ${taskId}: drawn on its ${kind} committee (deadline ${deadline})`);
  }

  /** Works through the owed votes one at a time (re-execution is the expensive part). */
  private drain(): Promise<void> {
    this.draining ??= (async () => {
      for (const duty of [...this.duties.values()]) {
        if (this.stopped) return;
        if (duty.retryAt > this.height) continue;
        try {
          await this.discharge(duty);
        } catch (err) {
          if (this.stopped) return;
          duty.retryAt = this.height + 1n;
          this.opts.log?.(`task ${duty.taskId}: ${errText(err)} (retrying next block)`);
        }
      }
    })().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private done(duty: Duty, outcome: string, line: string): void {
    this.duties.delete(duty.taskId.toString());
    this.opts.metrics?.votes.inc({ outcome });
    this.opts.log?.(`task ${duty.taskId}: ${line}`);
  }

  private async discharge(duty: Duty): Promise<void> {
    const id = duty.taskId.toString();
    if (this.height > 0n && this.height > duty.deadline) return this.done(duty, "missed", `${duty.kind} deadline ${duty.deadline} passed before a vote`);
    const record = await this.opts.chain.getAttestRecord(duty.taskId);
    const current = record && currentCommittee(record);
    const me = current?.committee.members.find((m) => m.validator === this.opts.operator);
    if (record) {
      const revealed = record.results.filter((r) => r.revealed);
      this.revealed.set(id, revealed.map((r) => r.resultDigest));
      this.revealedOutputs.set(id, revealed.map((r) => ({ worker: r.worker, outputCid: r.outputCid, resultDigest: r.resultDigest })));
    }
    if (duty.kind === "audit") {
      // The seal window: only while the record still takes seals and ours is not there.
      if (current?.kind !== "audit") return this.done(duty, "missed", "the audit no longer takes seals");
      if (me && me.seal.length > 0) return this.done(duty, "already_sealed", "seal already on chain");
      if (me?.voted) return this.done(duty, "already_voted", "UNEXECUTABLE already on chain");
    } else if (me?.voted) return this.done(duty, "already_voted", "vote already on chain");
    const run = await this.reexecute(duty.taskId);
    if (run === undefined) return this.done(duty, "closed", "task no longer exists");
    const digest = run === "unexecutable" ? run : run.digest;
    const salt = auditSalt(this.opts.kemSecret, duty.taskId);
    try {
      if (digest === "unexecutable") {
        // No digest to seal or compare: UNEXECUTABLE (in the seal window it stands for the seal).
        await this.opts.chain.attest(duty.taskId, new Uint8Array(32), Verdict.VERDICT_UNEXECUTABLE, new Uint8Array());
        return this.done(duty, Verdict[Verdict.VERDICT_UNEXECUTABLE], `voted VERDICT_UNEXECUTABLE (${duty.kind}): cannot run the task`);
      }
      if (duty.kind === "audit") {
        await this.opts.chain.commitAudit(duty.taskId, seal(duty.taskId, fromBech32(this.opts.operator, "ogpu"), digest, salt));
        return this.done(duty, "sealed", `sealed its audit digest ${hex(digest).slice(0, 16)}… (opened after the workers reveal)`);
      }
      if (run !== "unexecutable" && run.tolerance) {
        // Every revealed output against ours: one verdict per worker; MATCH overall only when all match.
        const open = run.encrypted ? (blob: Uint8Array) => openTaskOutputAsAuditor(blob, this.opts.kemSecret, duty.taskId) : openPublicOutput;
        const workerVerdicts = await judgeWorkers(run.output, this.revealedOutputs.get(id) ?? [], run.tolerance, this.opts.fetchBlob, (line) => this.opts.log?.(`task ${id}: ${line}`), open);
        const overall = workerVerdicts.every((v) => v.verdict === Verdict.VERDICT_MATCH) ? Verdict.VERDICT_MATCH : Verdict.VERDICT_MISMATCH;
        await this.opts.chain.attest(duty.taskId, digest, overall, salt, workerVerdicts);
        return this.done(duty, Verdict[overall], `voted per worker (tolerance): ${workerVerdicts.map((v) => `${v.worker} ${Verdict[v.verdict]}`).join(", ")}`);
      }
      const verdict = verdictFor(duty.kind, this.revealed.get(id) ?? [], digest);
      // Every vote carries our audit salt: a seal of ours still shut must be opened by whatever vote
      // we cast — in a dispute, or after the task ended and its record is gone — and the chain
      // ignores the salt of a vote that opens nothing.
      await this.opts.chain.attest(duty.taskId, digest, verdict, salt);
      this.done(duty, Verdict[verdict], `voted ${Verdict[verdict]} (${duty.kind}) digest ${hex(digest).slice(0, 16)}…`);
    } catch (err) {
      // Refused in a block (not on the committee any more, already voted): resending cannot help.
      if (err instanceof TxRejectedError) return this.done(duty, "rejected", `vote refused: ${err.message}`);
      throw err;
    }
  }

  /** Re-executes the task once; "unexecutable" when this auditor cannot run it, undefined when it is gone. */
  private async reexecute(taskId: bigint): Promise<Reexecution | "unexecutable" | undefined> {
    const id = taskId.toString();
    const cached = this.results.get(id);
    if (cached) return cached;
    const task = await this.opts.chain.getTask(taskId);
    if (!task) return undefined;
    const reader = { address: this.opts.operator, role: "auditor" as const, kemSecret: this.opts.kemSecret, fetch: (cid: string) => this.opts.fetchBlob(cid) };
    let result: Reexecution | "unexecutable";
    try {
      const run = await executeTask(task, this.opts.executors, reader, { signal: this.abort.signal, slot: 0, gpus: this.opts.gpus }, this.opts.runtimes);
      if (!run.ok && run.failure.kind === "cancelled") throw new Error("re-execution cancelled");
      if (!run.ok) this.opts.log?.(`task ${id}: re-execution failed: ${run.failure.kind}: ${run.failure.message}`);
      // A program's result is compared output by output, each as its manifest declares it.
      const tolerance = task.verification === VerificationClass.VERIFICATION_CLASS_TOLERANCE ? { atol: task.atol, rtol: task.rtol, outputs: run.ok ? run.outputs : undefined } : undefined;
      // Bitwise tasks need only the digest: the output is not kept.
      result = run.ok ? { digest: run.digest, output: tolerance ? run.output : new Uint8Array(), tolerance, encrypted: run.input.manifest !== undefined } : "unexecutable";
    } catch (err) {
      if (!(err instanceof UnrunnableTaskError)) throw err;
      this.opts.log?.(`task ${id}: ${err.message}`);
      result = "unexecutable";
    }
    this.results.set(id, result);
    return result;
  }
}
