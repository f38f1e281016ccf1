import { TEST_PORTS, portAt, offsetPort } from "../../testnet/ports.js";
import net from "node:net";
import { spawn } from "node:child_process";
import { lstat, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  CheckTxType,
  Request,
  Response,
  ResponseOfferSnapshot_Result,
  ResponseProcessProposal_ProposalStatus,
  ResponseVerifyVoteExtension_VerifyStatus,
} from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication } from "./application.js";
import { FrameDecoder, encodeFrame } from "./framing.js";
import { AbciServer, parseAbciAddress } from "./server.js";

/** In-memory app: CheckTx code = first tx byte; Query is async and waits for `releaseQuery`. */
class FakeApp implements AbciApplication {
  calls: string[] = [];
  private queryGate: Promise<void> = Promise.resolve();
  releaseQuery: () => void = () => {};

  holdQueries(): void {
    this.queryGate = new Promise((resolve) => (this.releaseQuery = resolve));
  }
  info() {
    this.calls.push("info");
    return { data: "fake", version: "1", appVersion: 1n, lastBlockHeight: 7n, lastBlockAppHash: new Uint8Array([7]) };
  }
  initChain() {
    return { validators: [], appHash: new Uint8Array(0) };
  }
  async query(req: { path: string }) {
    this.calls.push(`query:${req.path}`);
    await this.queryGate;
    return { code: 0, log: "", info: "", index: 0n, key: new Uint8Array(0), value: new TextEncoder().encode(req.path), height: 3n, codespace: "" };
  }
  checkTx(req: { tx: Uint8Array }) {
    this.calls.push(`checkTx:${req.tx[0]}`);
    return { code: req.tx[0] ?? 0, data: new Uint8Array(0), log: "", info: "", gasWanted: 0n, gasUsed: 0n, events: [], codespace: "" };
  }
  prepareProposal(req: { txs: Uint8Array[] }) {
    return { txs: req.txs };
  }
  processProposal() {
    return { status: ResponseProcessProposal_ProposalStatus.ACCEPT };
  }
  extendVote() {
    return { voteExtension: new Uint8Array(0) };
  }
  verifyVoteExtension() {
    return { status: ResponseVerifyVoteExtension_VerifyStatus.ACCEPT };
  }
  async finalizeBlock(): Promise<never> {
    throw new Error("state machine exploded");
  }
  commit(): never {
    throw new Error("commit is not supported by the fake");
  }
}

/** Raw ABCI client: writes request frames, collects decoded responses in arrival order. */
class TestClient {
  private readonly socket: net.Socket;
  private readonly decoder = new FrameDecoder();
  private readonly responses: Response[] = [];
  private waiter: (() => void) | null = null;
  readonly closed: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) this.responses.push(Response.decode(frame));
      this.waiter?.();
    });
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => {}); // resets are expected in the close-path tests
  }

  static connect(options: net.NetConnectOpts): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(options, () => resolve(new TestClient(socket)));
      socket.once("error", reject);
    });
  }

  send(...requests: Request[]): void {
    this.socket.write(Buffer.concat(requests.map((r) => encodeFrame(Request.encode(r).finish()))));
  }

  sendRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Resolves once `count` responses in total have arrived (or rejects if the socket closes). */
  async read(count: number): Promise<Response[]> {
    let open = true;
    void this.closed.then(() => (open = false));
    while (this.responses.length < count) {
      if (!open) throw new Error(`connection closed after ${this.responses.length} responses`);
      await Promise.race([new Promise<void>((resolve) => (this.waiter = resolve)), this.closed]);
    }
    return this.responses.slice(0, count);
  }

  end(): void {
    this.socket.destroy();
  }
}

const checkTx = (first: number): Request => ({ checkTx: { tx: new Uint8Array([first, 0xaa]), type: CheckTxType.NEW } });
const query = (path: string): Request => ({ query: { path, data: new Uint8Array(0), height: 0n, prove: false } });
const echo = (message: string): Request => ({ echo: { message } });
const flush: Request = { flush: {} };

let serversStarted = 0; // the k-th server listens on port +k of this file's range (testnet/ports.ts)
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(app: AbciApplication = new FakeApp()) {
  const logs: string[] = [];
  const server = new AbciServer(app, { logger: (line) => logs.push(line) });
  const port = offsetPort(portAt(TEST_PORTS.abciServer, serversStarted++));
  await server.listen(`tcp://127.0.0.1:${port}`);
  cleanups.push(() => server.close());
  const connect = async () => {
    const client = await TestClient.connect({ host: "127.0.0.1", port });
    cleanups.push(() => client.end());
    return client;
  };
  return { server, logs, connect };
}

/** A process that dies by SIGKILL leaves its socket file behind, as after a crash. */
async function leaveStaleSocket(path: string): Promise<void> {
  const script = `require("node:net").createServer().listen(${JSON.stringify(path)}, () => console.log("up"))`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve) => child.stdout.once("data", resolve));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

describe("parseAbciAddress", () => {
  it("understands tcp, unix and bare host:port addresses", () => {
    expect(parseAbciAddress("tcp://127.0.0.1:26658")).toEqual({ kind: "tcp", host: "127.0.0.1", port: 26658 });
    expect(parseAbciAddress("unix:///run/ogpud/app.sock")).toEqual({ kind: "unix", path: "/run/ogpud/app.sock" });
    expect(parseAbciAddress("[::1]:1")).toEqual({ kind: "tcp", host: "::1", port: 1 });
    expect(() => parseAbciAddress("tcp://nowhere")).toThrow(/invalid ABCI address/);
  });
});

describe("AbciServer", () => {
  it("answers pipelined requests in order, across sync and async handlers", async () => {
    const app = new FakeApp();
    const { connect } = await startServer(app);
    const client = await connect();
    app.holdQueries();
    client.send(checkTx(1), query("/slow"), checkTx(2), echo("hi"), { info: { version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" } }, flush);

    // The first answer goes out before the async Query is awaited; nothing after Query does.
    const [first] = await client.read(1);
    expect(first?.checkTx?.code).toBe(1);
    expect(app.calls).toEqual(["checkTx:1", "query:/slow"]);
    app.releaseQuery();

    const responses = await client.read(6);
    expect(responses.map((r) => Object.keys(r).find((k) => r[k as keyof Response] !== undefined))).toEqual([
      "checkTx", "query", "checkTx", "echo", "info", "flush",
    ]);
    expect(new TextDecoder().decode(responses[1]?.query?.value)).toBe("/slow");
    expect(responses[2]?.checkTx?.code).toBe(2);
    expect(responses[3]?.echo?.message).toBe("hi");
    expect(responses[4]?.info?.lastBlockHeight).toBe(7n);
    expect(app.calls).toEqual(["checkTx:1", "query:/slow", "checkTx:2", "info"]);
  });

  it("answers Flush and Echo sent one at a time", async () => {
    const { connect } = await startServer();
    const client = await connect();
    client.send(flush);
    expect((await client.read(1))[0]?.flush).toEqual({});
    client.send(echo("ping"));
    expect((await client.read(2))[1]?.echo?.message).toBe("ping");
  });

  it("answers snapshot calls itself, declining state sync", async () => {
    const { connect } = await startServer();
    const client = await connect();
    client.send(
      { listSnapshots: {} },
      { offerSnapshot: { appHash: new Uint8Array(0) } },
      { loadSnapshotChunk: { height: 1n, format: 1, chunk: 0 } },
      flush,
    );
    const [list, offer, load] = await client.read(4);
    expect(list?.listSnapshots?.snapshots).toEqual([]);
    expect(offer?.offerSnapshot?.result).toBe(ResponseOfferSnapshot_Result.REJECT);
    expect(load?.loadSnapshotChunk?.chunk).toHaveLength(0);
  });

  it("keeps connections independent: a blocked handler does not stall another connection", async () => {
    const app = new FakeApp();
    const { connect } = await startServer(app);
    const [blocked, free] = [await connect(), await connect()];
    app.holdQueries();
    blocked.send(query("/held"), echo("after"), flush);
    free.send(echo("free"), flush);
    expect((await free.read(2))[0]?.echo?.message).toBe("free");
    app.releaseQuery();
    const answers = await blocked.read(3);
    expect(answers[0]?.query?.value).toEqual(new TextEncoder().encode("/held"));
    expect(answers[1]?.echo?.message).toBe("after");
  });

  it("replies with an exception, logs it and closes the connection when a handler throws", async () => {
    const { logs, connect } = await startServer();
    const client = await connect();
    const finalize = { finalizeBlock: { txs: [], misbehavior: [], hash: new Uint8Array(0), height: 1n, nextValidatorsHash: new Uint8Array(0), proposerAddress: new Uint8Array(0) } } as unknown as Request;
    client.send(echo("before"), finalize, echo("never answered"), flush);
    await client.closed;
    const responses = await client.read(2);
    expect(responses[0]?.echo?.message).toBe("before");
    expect(responses[1]?.exception?.error).toMatch(/finalizeBlock failed: state machine exploded/);
    expect(logs.some((l) => l.includes("state machine exploded"))).toBe(true);

    // The server itself is unharmed.
    const again = await connect();
    again.send(echo("still here"), flush);
    expect((await again.read(1))[0]?.echo?.message).toBe("still here");
  });

  it("treats a synchronous throw and an empty request the same way", async () => {
    const { connect } = await startServer();
    const committer = await connect();
    committer.send({ commit: {} }, flush);
    await committer.closed;
    expect((await committer.read(1))[0]?.exception?.error).toMatch(/commit is not supported/);

    const empty = await connect();
    empty.sendRaw(new Uint8Array([0])); // a zero-length frame decodes to a Request with no method
    await empty.closed;
    expect((await empty.read(1))[0]?.exception?.error).toMatch(/unknown request type/);
  });

  it("closes only the offending connection on a malformed frame or undecodable Request", async () => {
    const { logs, connect } = await startServer();
    const healthy = await connect();
    const badVarint = await connect();
    const badProto = await connect();

    badVarint.sendRaw(new Uint8Array(11).fill(0x80));
    badProto.sendRaw(new Uint8Array([3, 0xff, 0xff, 0xff])); // field 31, invalid wire type 7
    await Promise.all([badVarint.closed, badProto.closed]);
    expect(logs.some((l) => l.includes("malformed frame"))).toBe(true);
    expect(logs.some((l) => l.includes("undecodable Request"))).toBe(true);

    healthy.send(echo("unaffected"), flush);
    expect((await healthy.read(1))[0]?.echo?.message).toBe("unaffected");
  });

  it("serves a unix socket, replacing a stale socket file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "abci-sock-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, "app.sock");
    await leaveStaleSocket(path);
    expect((await lstat(path)).isSocket()).toBe(true);

    const server = new AbciServer(new FakeApp(), { logger: () => {} });
    await server.listen(`unix://${path}`);
    cleanups.push(() => server.close());
    const client = await TestClient.connect({ path });
    cleanups.push(() => client.end());
    client.send(echo("over unix"), flush);
    expect((await client.read(1))[0]?.echo?.message).toBe("over unix");
  });
});
