/**
 * ABCI socket server for CometBFT v0.38.
 *
 * CometBFT opens four connections (consensus, mempool, query, snapshot) to the same address.
 * Each connection is a pipeline: the client may write many requests before reading, and expects
 * the responses in request order. We answer one request at a time per connection (awaiting async
 * handlers) while different connections proceed concurrently.
 *
 * Writes are batched: responses accumulate until the input received so far is used up, a Flush
 * arrives, or an async handler is about to be awaited, and then go out in a single write.
 */
import net from "node:net";
import { lstat, unlink } from "node:fs/promises";
import {
  Request,
  Response,
  ResponseApplySnapshotChunk_Result,
  ResponseOfferSnapshot_Result,
} from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication } from "./application.js";
import { FrameDecoder, encodeUvarint } from "./framing.js";

export interface AbciServerOptions {
  logger?: (line: string) => void;
}

export type AbciListenTarget =
  | { kind: "tcp"; host: string; port: number }
  | { kind: "unix"; path: string };

/** Parses `tcp://host:port`, `unix:///path/to.sock`, or a bare `host:port` (taken as TCP). */
export function parseAbciAddress(address: string): AbciListenTarget {
  if (address.startsWith("unix://")) {
    const path = address.slice("unix://".length);
    if (path === "") throw new Error(`invalid ABCI address ${address}: empty socket path`);
    return { kind: "unix", path };
  }
  const hostPort = address.startsWith("tcp://") ? address.slice("tcp://".length) : address;
  const colon = hostPort.lastIndexOf(":");
  const port = Number(hostPort.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid ABCI address ${address}: expected tcp://host:port or unix://path`);
  }
  const host = hostPort.slice(0, colon).replace(/^\[(.*)\]$/, "$1"); // strip IPv6 brackets
  return { kind: "tcp", host: host === "" ? "0.0.0.0" : host, port };
}

export class AbciServer {
  private readonly app: AbciApplication;
  private readonly log: (line: string) => void;
  private readonly server: net.Server;
  private readonly connections = new Set<AbciConnection>();
  private nextConnectionId = 1;

  constructor(app: AbciApplication, opts: AbciServerOptions = {}) {
    this.app = app;
    this.log = opts.logger ?? ((line) => process.stderr.write(`${line}\n`));
    // Nagle would delay small responses (CheckTx) behind ACKs; we batch writes ourselves.
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  async listen(address: string): Promise<void> {
    const target = parseAbciAddress(address);
    if (target.kind === "unix") await removeStaleSocket(target.path);
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      const onListening = (): void => {
        this.server.off("error", reject);
        resolve();
      };
      if (target.kind === "unix") this.server.listen(target.path, onListening);
      else this.server.listen(target.port, target.host, onListening);
    });
    this.server.on("error", (err) => this.log(`abci: server error: ${err.message}`));
    this.log(`abci: listening on ${address}`);
  }

  /** Stops accepting, drops every open connection, and resolves once the listener is closed. */
  async close(): Promise<void> {
    for (const connection of this.connections) connection.destroy();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const label = `#${this.nextConnectionId++}`;
    const connection = new AbciConnection(socket, this.app, label, this.log);
    this.connections.add(connection);
    socket.once("close", () => this.connections.delete(connection));
  }
}

/** One CometBFT connection: decodes frames, answers them in order, batches the writes. */
class AbciConnection {
  private readonly decoder = new FrameDecoder();
  /** Decoded-but-unanswered request frames; `head` is the next one to answer. */
  private queue: Uint8Array[] = [];
  private head = 0;
  private running = false;
  /** Set once we decided to drop the connection; later input is ignored. */
  private closing = false;
  private pendingWrites: Uint8Array[] = [];

  constructor(
    private readonly socket: net.Socket,
    private readonly app: AbciApplication,
    private readonly label: string,
    private readonly log: (line: string) => void,
  ) {
    const peer = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : "local";
    log(`abci: connection ${label} opened (${peer})`);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("drain", () => socket.resume());
    socket.on("error", (err) => log(`abci: connection ${label} error: ${err.message}`));
    socket.once("close", () => log(`abci: connection ${label} closed`));
  }

  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    let frames: Uint8Array[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.closeForError(`malformed frame: ${errorMessage(err)}`);
      return;
    }
    for (const frame of frames) this.queue.push(frame);
    if (!this.running) {
      this.answerQueued().catch((err: unknown) => {
        this.closeForError(`internal error: ${errorMessage(err)}`);
      });
    }
  }

  /** Answers queued requests strictly in order; only one instance runs per connection. */
  private async answerQueued(): Promise<void> {
    this.running = true;
    try {
      while (this.head < this.queue.length && !this.closing) {
        const frame = this.queue[this.head++] as Uint8Array;
        let request: Request;
        try {
          request = Request.decode(frame);
        } catch (err) {
          this.closeForError(`undecodable Request: ${errorMessage(err)}`);
          return;
        }
        try {
          let response = dispatch(this.app, request);
          if (isPromiseLike(response)) {
            this.writePending(); // don't hold finished answers hostage to a slow handler
            response = await response;
          }
          this.enqueue(response);
        } catch (err) {
          // CometBFT's socket client stops the whole connection on an exception response, so
          // send it (for its log) and then close our side as well.
          const reason = `${requestMethod(request)} failed: ${errorMessage(err)}`;
          this.enqueue({ exception: { error: reason } });
          this.closeForError(reason);
          return;
        }
        if (request.flush !== undefined) this.writePending();
      }
      this.writePending(); // input drained: send the batch
    } finally {
      this.running = false;
      this.compactQueue();
    }
  }

  private enqueue(response: Response): void {
    const body = Response.encode(response).finish();
    this.pendingWrites.push(encodeUvarint(body.length), body);
  }

  private writePending(): void {
    if (this.pendingWrites.length === 0 || this.socket.destroyed) return;
    const batch = Buffer.concat(this.pendingWrites);
    this.pendingWrites = [];
    // Backpressure: stop reading new requests until the peer has taken our answers.
    if (!this.socket.write(batch)) this.socket.pause();
  }

  /** Logs, sends whatever is already answered, and closes the connection (never the process). */
  private closeForError(reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.log(`abci: closing connection ${this.label}: ${reason}`);
    this.writePending();
    this.socket.end();
    // If the peer never closes its side, don't keep the socket forever.
    setTimeout(() => this.socket.destroy(), 5_000).unref();
  }

  private compactQueue(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

type MaybeAsync<T> = T | PromiseLike<T>;

function isPromiseLike<T>(value: MaybeAsync<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown }).then === "function";
}

/** Wraps a handler result without adding a microtask when the handler was synchronous. */
function wrap<T>(result: MaybeAsync<T>, toResponse: (value: T) => Response): MaybeAsync<Response> {
  return isPromiseLike(result) ? result.then(toResponse) : toResponse(result);
}

/** Routes one request to the application; echo, flush and snapshot calls are answered here. */
function dispatch(app: AbciApplication, req: Request): MaybeAsync<Response> {
  // Hot paths first: CheckTx dominates mempool traffic.
  if (req.checkTx) return wrap(app.checkTx(req.checkTx), (checkTx) => ({ checkTx }));
  if (req.flush) return { flush: {} };
  if (req.echo) return { echo: { message: req.echo.message } };
  if (req.finalizeBlock) {
    return wrap(app.finalizeBlock(req.finalizeBlock), (finalizeBlock) => ({ finalizeBlock }));
  }
  if (req.commit) return wrap(app.commit(), (commit) => ({ commit }));
  if (req.prepareProposal) {
    return wrap(app.prepareProposal(req.prepareProposal), (prepareProposal) => ({ prepareProposal }));
  }
  if (req.processProposal) {
    return wrap(app.processProposal(req.processProposal), (processProposal) => ({ processProposal }));
  }
  if (req.extendVote) return wrap(app.extendVote(req.extendVote), (extendVote) => ({ extendVote }));
  if (req.verifyVoteExtension) {
    return wrap(app.verifyVoteExtension(req.verifyVoteExtension), (verifyVoteExtension) => ({
      verifyVoteExtension,
    }));
  }
  if (req.query) return wrap(app.query(req.query), (query) => ({ query }));
  if (req.info) return wrap(app.info(req.info), (info) => ({ info }));
  if (req.initChain) return wrap(app.initChain(req.initChain), (initChain) => ({ initChain }));
  // State sync is not offered: we have no snapshots, and refuse any offered to us. REJECT (not
  // the zero value UNKNOWN, which CometBFT treats as an error) lets a misconfigured syncer move on.
  if (req.listSnapshots) return { listSnapshots: { snapshots: [] } };
  if (req.offerSnapshot) return { offerSnapshot: { result: ResponseOfferSnapshot_Result.REJECT } };
  if (req.loadSnapshotChunk) return { loadSnapshotChunk: { chunk: new Uint8Array(0) } };
  if (req.applySnapshotChunk) {
    const result = ResponseApplySnapshotChunk_Result.ABORT; // unreachable: no offer is accepted
    return { applySnapshotChunk: { result, refetchChunks: [], rejectSenders: [] } };
  }
  throw new Error("unknown request type");
}

/** Name of the request's method, for logs and exception messages. */
function requestMethod(req: Request): string {
  for (const [method, value] of Object.entries(req)) {
    if (value !== undefined) return method;
  }
  return "empty request";
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A socket file left by a previous run would make listen fail with EADDRINUSE. */
async function removeStaleSocket(path: string): Promise<void> {
  try {
    if ((await lstat(path)).isSocket()) await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}
