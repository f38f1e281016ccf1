/**
 * Follows one task live over CometBFT's websocket and yields its state changes in order,
 * losing none across disconnects:
 *
 * - live: `tm.event='Tx' AND task_status.task_id='N'` (changes made by txs: submit, cancel,
 *   commits/reveals) and `tm.event='NewBlockEvents' AND task_status.task_id='N'` (changes made
 *   by the block itself: scheduling, timeouts, expiry, audits), both filtered by the node, so
 *   only blocks that touch the task cost anything; plus new block headers as a heartbeat;
 * - catch-up on every (re)connect, and whenever a change arrives that does not follow the last
 *   one: `tx_search`/`block_search` for the task's status events after the last height seen
 *   (CometBFT's kv indexer), then the task itself by id as the final word (so even with the
 *   indexer off the current state is reported, as a `source: "query"` update);
 * - a session with no block header for `staleAfterMs` (node restarted, socket silently
 *   reconnected without our subscriptions) is torn down and started again.
 */
import { hexUpper } from "../crypto/bytes.js";
import { Comet38Client, WebsocketClient } from "@cosmjs/tendermint-rpc";
import { chainOrder, FINAL_STATES, transitionsIn, type AbciEvent, type KeyedUpdate, type TaskUpdate } from "./events.js";
import { getTask, taskStateName } from "./queries.js";

export interface ProgressOptions {
  /** Reconnect when no block header arrived for this long (default 15 s). */
  staleAfterMs?: number;
  /** Pause before reconnecting after a lost session (default 500 ms). */
  reconnectDelayMs?: number;
  /** How long a change that does not follow the last one waits for the missing one before a catch-up (default 2 s). */
  gapTimeoutMs?: number;
}

/** An async iterator of a task's changes; ends after a final state, or on close(). */
export interface TaskProgress extends AsyncIterableIterator<TaskUpdate> {
  close(): void;
}

const TICK_MS = 250;

/** http(s)://host:port → ws(s)://host:port (CometBFT serves /websocket on the RPC port). */
export function websocketUrl(rpcUrl: string): string {
  return rpcUrl.replace(/^http(s?):\/\//, "ws$1://").replace(/\/+$/, "");
}

/** Shape of a NewBlockEvents push (cosmjs has no decoder for it, so it is checked here). */
interface NewBlockEventsData {
  height: string;
  events: AbciEvent[];
}

function newBlockEventsOf(pushed: unknown): NewBlockEventsData | undefined {
  const value = (pushed as { data?: { value?: unknown } } | undefined)?.data?.value as Partial<NewBlockEventsData> | undefined;
  if (!value || typeof value.height !== "string" || !Array.isArray(value.events)) return undefined;
  return { height: value.height, events: value.events };
}

/** The part of an xstream Stream (what cosmjs returns for subscriptions) used here. */
interface Observable<T> {
  subscribe(listener: { next: (value: T) => void; error: (err: unknown) => void; complete: () => void }): { unsubscribe(): void };
}

class TaskNotFoundError extends Error {}

export function watchTask(rpcUrl: string, taskId: bigint, opts: ProgressOptions = {}): TaskProgress {
  return new TaskWatcher(rpcUrl, taskId, opts);
}

class TaskWatcher implements TaskProgress {
  private readonly queue: TaskUpdate[] = [];
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;
  private finished = false;
  private closed = false;

  /** Last state delivered (from the chain's point of view) and its height. */
  private current: string | undefined;
  private currentHeight = 0;
  private lastSource: TaskUpdate["source"] | undefined;
  private readonly seen = new Set<string>();
  private buffer: { keyed: KeyedUpdate; at: number }[] = [];
  /** Live changes are held until the first catch-up has established where the task stands. */
  private ready = false;
  private catchingUp: Promise<void> | undefined;
  private endSession: (() => void) | undefined;
  private readonly http: Promise<Comet38Client>;
  private readonly staleAfterMs: number;
  private readonly reconnectDelayMs: number;
  private readonly gapTimeoutMs: number;

  constructor(
    private readonly rpcUrl: string,
    private readonly taskId: bigint,
    opts: ProgressOptions,
  ) {
    this.staleAfterMs = opts.staleAfterMs ?? 15_000;
    this.reconnectDelayMs = opts.reconnectDelayMs ?? 500;
    this.gapTimeoutMs = opts.gapTimeoutMs ?? 2_000;
    this.http = Comet38Client.connect(rpcUrl);
    void this.run();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<TaskUpdate> {
    return this;
  }

  async next(): Promise<IteratorResult<TaskUpdate>> {
    for (;;) {
      const update = this.queue.shift();
      if (update) return { value: update, done: false };
      if (this.failure) throw this.failure;
      if (this.finished || this.closed) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  async return(): Promise<IteratorResult<TaskUpdate>> {
    this.close();
    return { value: undefined, done: true };
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    if (this.closed || this.finished || this.failure) this.endSession?.();
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private get stopped(): boolean {
    return this.closed || this.finished || this.failure !== undefined;
  }

  /** Sessions until the task is final, the iterator closed, or a fatal error. */
  private async run(): Promise<void> {
    try {
      while (!this.stopped) {
        // A failed connect or subscription is like a lost session: try again after a pause.
        await this.session().catch(() => undefined);
        if (!this.stopped) await new Promise((r) => setTimeout(r, this.reconnectDelayMs));
      }
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
    } finally {
      (await this.http.catch(() => undefined))?.disconnect();
      this.wake();
    }
  }

  /** One websocket connection: subscribe, catch up, follow until it goes quiet or fails. */
  private async session(): Promise<void> {
    let lost = false;
    const ended = new Promise<void>((resolve) => (this.endSession = () => ((lost = true), resolve())));
    const ws = new WebsocketClient(websocketUrl(this.rpcUrl), () => this.endSession?.());
    const comet = Comet38Client.create(ws);
    const subscriptions: { unsubscribe(): void }[] = [];
    let lastBeat = Date.now();
    const follow = <T>(stream: Observable<T>, next: (v: T) => void) => {
      subscriptions.push(stream.subscribe({ next, error: () => this.endSession?.(), complete: () => this.endSession?.() }));
    };
    const id = this.taskId.toString();
    follow(comet.subscribeTx(`task_status.task_id='${id}'`), (tx) => {
      this.ingest(transitionsIn(tx.result.events, this.taskId, tx.height, "tx", hexUpper(tx.hash), 0));
    });
    follow(ws.listen({ jsonrpc: "2.0", id: `ogpu-task-${id}-blocks-${Date.now()}`, method: "subscribe", params: { query: `tm.event='NewBlockEvents' AND task_status.task_id='${id}'` } }), (pushed) => {
      const data = newBlockEventsOf(pushed);
      if (data) this.ingest(transitionsIn(data.events, this.taskId, Number(data.height), "block", data.height, 1));
    });
    follow(comet.subscribeNewBlockHeader(), () => (lastBeat = Date.now()));
    const timer = setInterval(() => {
      if (Date.now() - lastBeat > this.staleAfterMs) this.endSession?.();
      else if (this.buffer.some((b) => Date.now() - b.at > this.gapTimeoutMs)) void this.catchUp();
    }, TICK_MS);
    try {
      await Promise.race([this.catchUp(), ended]);
      if (!lost && !this.stopped) await ended;
    } finally {
      clearInterval(timer);
      closeSession(ws, subscriptions);
    }
  }

  /**
   * Searches what happened after the last height seen, then asks for the task itself. Never
   * rejects: an unknown task is fatal for the iterator, anything else ends the session.
   */
  private catchUp(): Promise<void> {
    this.catchingUp ??= this.doCatchUp()
      .catch((err: unknown) => {
        if (err instanceof TaskNotFoundError) {
          this.failure = err;
          this.wake();
        } else this.endSession?.();
      })
      .finally(() => (this.catchingUp = undefined));
    return this.catchingUp;
  }

  private async doCatchUp(): Promise<void> {
    const http = await this.http;
    const id = this.taskId.toString();
    const after = Math.max(this.currentHeight - 1, 0);
    const found: KeyedUpdate[] = [];
    try {
      const txs = await http.txSearchAll({ query: `task_status.task_id='${id}' AND tx.height>${after}`, order_by: "asc" });
      for (const tx of txs.txs) found.push(...transitionsIn(tx.result.events, this.taskId, tx.height, "tx", hexUpper(tx.hash), 0));
      const blocks = await http.blockSearchAll({ query: `task_status.task_id='${id}' AND block.height>${after}`, order_by: "asc" });
      for (const b of blocks.blocks) {
        const results = await http.blockResults(b.block.header.height);
        found.push(...transitionsIn(results.finalizeBlockEvents, this.taskId, results.height, "block", String(results.height), 1));
      }
    } catch {
      // No indexer (tx_index = "null") or pruned: the task query below still gives the state.
    }
    const task = await getTask(http, this.taskId);
    if (!task) {
      // Pruned after task_retention_blocks: the event history is all that is left, and it ends in the final state.
      if (found.length > 0) {
        this.ready = true;
        this.ingest(found);
        return;
      }
      if (this.current === undefined) throw new TaskNotFoundError(`task ${this.taskId} not found`);
      return;
    }
    this.ready = true;
    this.ingest(found);
    // Whatever still does not chain lies before a gap; the queried task is the truth.
    const state = taskStateName(task.status);
    const height = Number(task.updatedHeight);
    if (state !== this.current && height >= this.currentHeight) {
      this.buffer = this.buffer.filter((b) => b.keyed.update.height > height);
      this.emit({
        key: `query:${height}:${state}`,
        order: 2,
        update: { taskId: this.taskId, state, from: this.current ?? "unspecified", reason: task.statusReason, height, attributes: {}, events: [], source: "query" },
      });
    }
    // Later changes than the queried state that still do not chain are delivered in height order.
    const { ordered } = chainOrder(undefined, this.buffer.map((b) => b.keyed));
    for (const k of ordered.filter((k) => k.update.height > this.currentHeight)) this.emit(k);
    this.buffer = [];
  }

  private ingest(updates: readonly KeyedUpdate[]): void {
    for (const keyed of updates) {
      if (this.seen.has(keyed.key) || this.buffer.some((b) => b.keyed.key === keyed.key)) continue;
      const u = keyed.update;
      // Older than what is known, or the change a query already reported.
      if (u.height < this.currentHeight) continue;
      if (this.lastSource === "query" && u.height === this.currentHeight && u.state === this.current) {
        this.seen.add(keyed.key);
        continue;
      }
      this.buffer.push({ keyed, at: Date.now() });
    }
    if (!this.ready) return;
    const { ordered, rest } = chainOrder(this.current, this.buffer.map((b) => b.keyed));
    for (const k of ordered) this.emit(k);
    const left = new Set(rest.map((k) => k.key));
    this.buffer = this.buffer.filter((b) => left.has(b.keyed.key));
  }

  private emit(keyed: KeyedUpdate): void {
    if (this.stopped) return;
    this.seen.add(keyed.key);
    this.current = keyed.update.state;
    this.currentHeight = keyed.update.height;
    this.lastSource = keyed.update.source;
    this.queue.push(keyed.update);
    if (FINAL_STATES.has(keyed.update.state)) this.finished = true;
    this.wake();
  }
}

/** Ends a websocket session for good: its subscriptions, the socket, and cosmjs' reconnect. */
export function closeSession(ws: WebsocketClient, subscriptions: readonly { unsubscribe(): void }[]): void {
  for (const s of subscriptions) s.unsubscribe();
  try {
    ws.disconnect();
  } catch {
    // already closed
  }
  cancelReconnect(ws);
}

/**
 * cosmjs' ReconnectingSocket (inside WebsocketClient) schedules a reconnect on every
 * "disconnected" status, including the one its own disconnect() emits, so a closed stream
 * reconnects forever and keeps a Node script from exiting. disconnect() emits that status
 * synchronously, so clearing the scheduled timer right after it ends the socket for good.
 */
function cancelReconnect(ws: WebsocketClient): void {
  const socket = (ws as unknown as { socket?: { reconnectTimeout?: ReturnType<typeof setTimeout> | null } }).socket;
  if (socket?.reconnectTimeout) {
    clearTimeout(socket.reconnectTimeout);
    socket.reconnectTimeout = null;
  }
}
