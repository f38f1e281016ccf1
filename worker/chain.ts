/**
 * The worker's two links to the chain:
 *
 * - ChainFollower: a CometBFT websocket session subscribed to this worker's assignments
 *   (`tm.event='NewBlockEvents' AND task_assigned.worker='ogpu1…'`: the scheduler assigns in
 *   the block, so the event is a block event) and to new block headers (height and liveness).
 *   A session that fails, or shows no header for `staleAfterMs` (a restarted node leaves cosmjs'
 *   socket reconnected but without our subscriptions), is torn down and started again with
 *   exponential backoff. Every new session, and every header that skips heights, reports a
 *   `resync`: the runner then queries all open tasks assigned to it, so an assignment made while
 *   the socket was down is never lost.
 * - ChainClient: queries over HTTP and the worker's transactions, one at a time (they share
 *   the account's sequence), with a fixed gas limit so no simulation round trip is needed.
 *   Transactions are signed by sdk/direct-tx.ts, so a secp256k1 and an ML-DSA-65 (post-quantum)
 *   key take the same path.
 */
import { calculateFee, GasPrice, StargateClient, type DeliverTxResponse } from "@cosmjs/stargate";
import { Comet38Client, WebsocketClient } from "@cosmjs/tendermint-rpc";
import type { EncodeObject, Registry } from "@cosmjs/proto-signing";
import type { TaskRecord as AttestRecord, Verdict, WorkerVerdict } from "../proto/gen/ogpu/attest/v1/attest.js";
import { QueryRecordRequest, QueryRecordResponse, type AuditorKey } from "../proto/gen/ogpu/attest/v1/query.js";
import { TaskStatus, type DeclineReason, type Task } from "../proto/gen/ogpu/market/v1/market.js";
import type { WorkerView } from "../proto/gen/ogpu/workers/v1/query.js";
import { getTask, getWorker, listAuditorKeys, listTasks, maxLogBytes } from "../sdk/queries.js";
import { closeSession, websocketUrl } from "../sdk/progress.js";
import { MSG, ogpuRegistry } from "../sdk/registry.js";
import { accountSequence, isWrongSequence, signDirectTx, type AccountKey } from "../sdk/direct-tx.js";

export type ChainSignal =
  | { type: "assigned"; taskId: bigint; height: number }
  | { type: "committee"; taskId: bigint; kind: string; deadline: bigint; height: number }
  | { type: "block"; height: number }
  | { type: "paid"; amount: bigint; height: number }
  | { type: "resync"; reason: string };

/** Which block events a follower subscribes to, and the signals they become. */
export interface EventWatch {
  /** CometBFT subscription query (the scheduler and the draws act in blocks: NewBlockEvents). */
  query: string;
  toSignal(type: string, attributes: Record<string, string>, height: number): ChainSignal | undefined;
}

/** Assignments of a worker's slots (x/market `task_assigned{task_id, worker}`). */
export function assignmentsOf(worker: string): EventWatch {
  return {
    query: `tm.event='NewBlockEvents' AND task_assigned.worker='${worker}'`,
    toSignal: (type, a, height) => (type === "task_assigned" && a.worker === worker && a.task_id ? { type: "assigned", taskId: BigInt(a.task_id), height } : undefined),
  };
}

/** Committees (audit or dispute) that seat a validator operator (x/attest `attest_committee{task_id, kind, members, deadline}`). */
export function committeesOf(operator: string): EventWatch {
  return {
    query: `tm.event='NewBlockEvents' AND attest_committee.members CONTAINS '${operator}'`,
    toSignal: (type, a, height) =>
      type === "attest_committee" && a.task_id && (a.members ?? "").split(",").includes(operator)
        ? { type: "committee", taskId: BigInt(a.task_id), kind: a.kind ?? "", deadline: BigInt(a.deadline ?? "0"), height }
        : undefined,
  };
}

/**
 * Settlement payments to a worker: bank `transfer`s from the market escrow account. Settlement
 * runs in block hooks or in the tx that completes a task's reveals, so both are watched.
 */
export function paymentsTo(worker: string, escrowAddress: string): EventWatch[] {
  const toSignal: EventWatch["toSignal"] = (type, a, height) => {
    const amount = /^([0-9]+)uogpu$/.exec(a.amount ?? "")?.[1];
    return type === "transfer" && a.recipient === worker && a.sender === escrowAddress && amount ? { type: "paid", amount: BigInt(amount), height } : undefined;
  };
  return ["NewBlockEvents", "Tx"].map((event) => ({ query: `tm.event='${event}' AND transfer.recipient='${worker}'`, toSignal }));
}

export interface FollowerOptions {
  rpcUrl: string;
  /** The worker whose assignments to follow (shorthand for `watch: assignmentsOf(worker)`). */
  worker?: string;
  /** What to follow besides block headers; takes precedence over `worker`. */
  watch?: EventWatch;
  /** Further event subscriptions in the same session (e.g. paymentsTo). */
  extraWatches?: readonly EventWatch[];
  onSignal: (signal: ChainSignal) => void;
  /** Tear a session down when no header arrived for this long (default 10 s). */
  staleAfterMs?: number;
  /** First reconnect delay; doubles per failed session up to maxBackoffMs (default 250 ms, 8 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  onReconnect?: () => void;
}

type PushedEvent = { type: string; attributes: { key: string; value: string }[] };
/** A NewBlockEvents push carries `events`; a Tx push its result's events under TxResult. */
interface Pushed {
  data?: { value?: { height?: unknown; events?: PushedEvent[]; TxResult?: { height?: unknown; result?: { events?: PushedEvent[] } } } };
}

export class ChainFollower {
  private stopped = false;
  private endSession: (() => void) | undefined;
  private lastHeight = 0;
  private readonly done: Promise<void>;
  private readonly watch: EventWatch;

  constructor(private readonly opts: FollowerOptions) {
    if (!opts.watch && !opts.worker) throw new Error("ChainFollower needs a worker or a watch");
    this.watch = opts.watch ?? assignmentsOf(opts.worker!);
    this.done = this.run();
  }

  /** Closes the websocket and stops reconnecting. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.endSession?.();
    await this.done;
  }

  private async run(): Promise<void> {
    let backoff = this.opts.backoffMs ?? 250;
    let sessions = 0;
    while (!this.stopped) {
      if (sessions++ > 0) this.opts.onReconnect?.();
      const healthy = await this.session().catch(() => false);
      if (this.stopped) break;
      backoff = healthy ? (this.opts.backoffMs ?? 250) : Math.min(backoff * 2, this.opts.maxBackoffMs ?? 8000);
      await new Promise((r) => setTimeout(r, backoff));
    }
  }

  /** One websocket session; resolves true if it saw at least one block (so backoff resets). */
  private async session(): Promise<boolean> {
    let sawBlock = false;
    const ended = new Promise<void>((resolve) => (this.endSession = resolve));
    const ws = new WebsocketClient(websocketUrl(this.opts.rpcUrl), () => this.endSession?.());
    const comet = Comet38Client.create(ws);
    const subs: { unsubscribe(): void }[] = [];
    const end = () => this.endSession?.();
    let lastBeat = Date.now();
    [this.watch, ...(this.opts.extraWatches ?? [])].forEach((watch, i) =>
      subs.push(
        ws.listen({ jsonrpc: "2.0", id: `ogpu-worker-events-${i}-${Date.now()}`, method: "subscribe", params: { query: watch.query } }).subscribe({
          next: (pushed) => this.onEvents(watch, pushed as Pushed),
          error: end,
          complete: end,
        }),
      ),
    );
    subs.push(
      comet.subscribeNewBlockHeader().subscribe({
        next: (header) => {
          lastBeat = Date.now();
          sawBlock = true;
          this.onHeight(header.height);
        },
        error: end,
        complete: end,
      }),
    );
    const staleAfter = this.opts.staleAfterMs ?? 10_000;
    const timer = setInterval(() => {
      if (Date.now() - lastBeat > staleAfter) end();
    }, 250);
    // Subscriptions are live once requested; whatever happened before them is found by query.
    this.opts.onSignal({ type: "resync", reason: "connected" });
    try {
      await ended;
    } finally {
      clearInterval(timer);
      closeSession(ws, subs);
    }
    return sawBlock;
  }

  private onHeight(height: number): void {
    const gap = this.lastHeight > 0 && height > this.lastHeight + 1;
    this.lastHeight = Math.max(this.lastHeight, height);
    if (gap) this.opts.onSignal({ type: "resync", reason: `missed blocks ${this.lastHeight + 1}..${height - 1}` });
    this.opts.onSignal({ type: "block", height });
  }

  private onEvents(watch: EventWatch, pushed: Pushed): void {
    const value = pushed.data?.value;
    const height = Number(value?.height ?? value?.TxResult?.height ?? 0);
    for (const e of value?.events ?? value?.TxResult?.result?.events ?? []) {
      const signal = watch.toSignal(e.type, Object.fromEntries(e.attributes.map((a) => [a.key, a.value])), height);
      if (signal) this.opts.onSignal(signal);
    }
  }
}

/** Tasks that can still hold work for a worker: not yet committed by every slot, or awaiting reveals. */
const OPEN_STATUSES = [TaskStatus.TASK_STATUS_PENDING, TaskStatus.TASK_STATUS_ASSIGNED, TaskStatus.TASK_STATUS_COMMITTED] as const;

/** A tx the chain refused (non-zero code). */
export class TxRejectedError extends Error {
  constructor(readonly response: DeliverTxResponse) {
    super(`tx ${response.transactionHash} failed: code ${response.code}: ${response.rawLog ?? ""}`);
  }
}

export interface ChainClientOptions {
  rpcUrl: string;
  /** The role's account key (secp256k1 or ML-DSA-65). */
  key: AccountKey;
  gasPrice: string;
  /** Gas limit of every worker tx (default 400,000: commit/reveal/heartbeat need far less). */
  gasLimit?: number;
}

/** Messages one worker tx carries at most (gas limit × this stays far below a block's max gas). */
const MAX_MSGS_PER_TX = 20;

interface PendingMsg {
  msg: EncodeObject;
  resolve(res: DeliverTxResponse): void;
  reject(err: unknown): void;
}

export class ChainClient {
  private readonly pending: PendingMsg[] = [];
  private pumping = false;

  private readonly registry: Registry = ogpuRegistry();
  readonly address: string;

  private constructor(
    private readonly comet: Comet38Client,
    private readonly stargate: StargateClient,
    private readonly key: AccountKey,
    private readonly chainId: string,
    private readonly gasLimit: number,
    private readonly gasPrice: GasPrice,
  ) {
    this.address = key.address;
  }

  static async connect(opts: ChainClientOptions): Promise<ChainClient> {
    const gasPrice = GasPrice.fromString(opts.gasPrice);
    const comet = await Comet38Client.connect(opts.rpcUrl);
    try {
      const chainId = (await comet.status()).nodeInfo.network;
      return new ChainClient(comet, StargateClient.create(comet), opts.key, chainId, opts.gasLimit ?? 400_000, gasPrice);
    } catch (err) {
      comet.disconnect();
      throw err;
    }
  }

  disconnect(): void {
    this.comet.disconnect();
  }

  getTask(taskId: bigint): Promise<Task | undefined> {
    return getTask(this.comet, taskId);
  }

  getWorker(): Promise<WorkerView | undefined> {
    return getWorker(this.comet, this.address);
  }

  async height(): Promise<bigint> {
    return BigInt((await this.comet.status()).syncInfo.latestBlockHeight);
  }

  /** Every open task with a slot of this worker (paged by id). */
  async openTasksOfMine(): Promise<Task[]> {
    const tasks = await this.tasksWithStatus(OPEN_STATUSES);
    return tasks.filter((t) => t.assignments.some((a) => a.worker === this.address));
  }

  /** Every task in one of `statuses` (paged by id). */
  async tasksWithStatus(statuses: readonly TaskStatus[]): Promise<Task[]> {
    const found: Task[] = [];
    for (const status of statuses) {
      let afterId = 0n;
      for (;;) {
        const page = await listTasks(this.comet, { status, limit: 500, afterId });
        found.push(...page);
        if (page.length < 500) break;
        afterId = page[page.length - 1]!.id;
      }
    }
    return found;
  }

  /** x/attest's record of an open task (seals, reveals, committees); undefined once the task closed. */
  async getAttestRecord(taskId: bigint): Promise<AttestRecord | undefined> {
    const answer = await this.comet.abciQuery({ path: "/ogpu.attest.v1.Query/Record", data: QueryRecordRequest.encode({ taskId }).finish() });
    if (answer.code) {
      if (/not ?found/i.test(answer.log ?? "")) return undefined;
      throw new Error(`attest record of task ${taskId}: ${answer.log ?? `code ${answer.code}`}`);
    }
    return QueryRecordResponse.decode(answer.value).record;
  }

  /** The auditor keys the active validators published (x/attest Query/AuditorKeys). */
  auditorKeys(): Promise<AuditorKey[]> {
    return listAuditorKeys(this.comet);
  }

  /** MsgSetAuditorKey from this (validator operator) account. */
  setAuditorKey(encPubkey: Uint8Array): Promise<DeliverTxResponse> {
    return this.send(MSG.SetAuditorKey, { validator: this.address, encPubkey });
  }

  /** MsgAttest from this (validator operator) account; `salt` opens its audit seal (empty on disputes). */
  attest(taskId: bigint, resultDigest: Uint8Array, verdict: Verdict, salt: Uint8Array, workerVerdicts: WorkerVerdict[] = []): Promise<DeliverTxResponse> {
    return this.send(MSG.Attest, { validator: this.address, taskId, resultDigest, verdict, salt, workerVerdicts });
  }

  /** MsgCommitAudit from this (validator operator) account: its audit digest, sealed before any reveal. */
  commitAudit(taskId: bigint, seal: Uint8Array): Promise<DeliverTxResponse> {
    return this.send(MSG.CommitAudit, { validator: this.address, taskId, seal });
  }

  commit(taskId: bigint, seal: Uint8Array): Promise<DeliverTxResponse> {
    return this.send(MSG.CommitResult, { worker: this.address, taskId, seal });
  }

  reveal(taskId: bigint, resultDigest: Uint8Array, salt: Uint8Array, outputCid: string): Promise<DeliverTxResponse> {
    return this.send(MSG.RevealResult, { worker: this.address, taskId, resultDigest, salt, outputCid });
  }

  /** MsgDeclineAssignment: this worker cannot run the task (reason class on chain). */
  decline(taskId: bigint, reason: DeclineReason): Promise<DeliverTxResponse> {
    return this.send(MSG.DeclineAssignment, { worker: this.address, taskId, reason });
  }

  /** MsgPostTaskLog: the CID of this worker's job log for the task (docs/task-logs.md). */
  postLog(taskId: bigint, logCid: string): Promise<DeliverTxResponse> {
    return this.send(MSG.PostTaskLog, { worker: this.address, taskId, logCid });
  }

  /** market max_log_bytes, read per job so a governance change applies to the next one. */
  maxLogBytes(): Promise<number> {
    return maxLogBytes(this.comet);
  }

  heartbeat(): Promise<DeliverTxResponse> {
    return this.send(MSG.Heartbeat, { operator: this.address });
  }

  /**
   * Any worker message (register/update/exit, commits, reveals…). Txs go out one at a time
   * (each waits for its block, so the account's sequence is always the committed one), and
   * every message that queued up meanwhile rides in the next tx together: a worker finishing
   * ten jobs, or revealing ten tasks, spends one block on them instead of ten in a row
   * (bench/e2e.ts showed reveals waiting ~28 blocks behind each other). Each caller gets the
   * response of the tx that carried its message.
   */
  send(typeUrl: string, value: object): Promise<DeliverTxResponse> {
    return new Promise((resolve, reject) => {
      this.pending.push({ msg: { typeUrl, value }, resolve, reject });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_MSGS_PER_TX);
        try {
          const res = await this.broadcast(batch.map((p) => p.msg));
          for (const p of batch) p.resolve(res);
        } catch (err) {
          if (batch.length === 1) batch[0]!.reject(err);
          // One refused message sinks the whole tx: send each alone, so each caller gets its own answer.
          else for (const p of batch) await this.broadcast([p.msg]).then(p.resolve, p.reject);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** One tx of `msgs`, gas `gasLimit` per message, waited for until it is in a block. */
  private async broadcast(msgs: EncodeObject[]): Promise<DeliverTxResponse> {
    const fee = calculateFee(this.gasLimit * msgs.length, this.gasPrice);
    for (let attempt = 1; ; attempt++) {
      // Each tx waits for its block, so the committed account already counts the previous one.
      const account = await accountSequence(this.comet, this.address);
      if (!account) throw new Error(`account ${this.address} does not exist on chain: fund it first`);
      const tx = await signDirectTx(this.registry, this.key, msgs, fee, "", { ...account, chainId: this.chainId });
      try {
        const res = await this.stargate.broadcastTx(tx, 60_000, 200);
        if (res.code !== 0) throw new TxRejectedError(res);
        return res;
      } catch (err) {
        // Another process signing for the same account (the operator's `ogpu-worker exit` beside
        // the running sidecar) took this sequence first: wait for its block, re-read, sign again.
        if (!isWrongSequence(err) || attempt >= SEQUENCE_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, SEQUENCE_RETRY_MS * attempt));
      }
    }
  }
}

/** Signing attempts when another signer of the account used the sequence first, and the wait before each retry (× attempt). */
const SEQUENCE_ATTEMPTS = 5;
const SEQUENCE_RETRY_MS = 500;
