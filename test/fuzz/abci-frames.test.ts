/**
 * Issue 10 fuzz suite, ABCI frames: 10,000 generated and mutated length-prefixed request
 * streams written to a real AbciServer (unix socket) serving a real app. Each case gets its own
 * connection; after every case a long-lived witness connection must still answer Echo and a
 * fresh one Echo and Info. Properties: every answer is a well-formed Response frame, a malformed stream
 * ends only its own connection, the process never crashes, and committed state never changes.
 */
import net from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { CheckTxType, Request, Response } from "cosmjs-types/tendermint/abci/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AbciApplication } from "../../app/abci/application.js";
import { encodeFrame, FrameDecoder } from "../../app/abci/framing.js";
import { AbciServer } from "../../app/abci/server.js";
import { createAppWiring } from "../../app/modules.js";
import { sendMsg, signTx, startTestChain, testGenesis, testKey, type TestChain } from "../../app/testkit.js";
import { fuzzRuns, mutated } from "./generators.js";

const CASES = 10_000;
const key = testKey(41);

/** Writes `bytes` on a new connection, half-closes, and collects the answers until the server closes. */
function exchange(socketPath: string, bytes: Uint8Array): Promise<Response[]> {
  return new Promise((resolve, reject) => {
    const decoder = new FrameDecoder();
    const responses: Response[] = [];
    const socket = net.createConnection(socketPath, () => socket.end(bytes));
    socket.on("data", (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) responses.push(Response.decode(frame));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    socket.on("error", (err) => reject(err));
    socket.on("close", () => resolve(responses));
  });
}

/** Echo and Info on a fresh connection: the server still serves new clients. */
async function stillServes(socketPath: string, message: string): Promise<void> {
  const answers = await exchange(socketPath, concatFrames([{ echo: { message } }, { info: { version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" } }]));
  expect(answers.map((r) => r.echo?.message ?? r.info?.lastBlockHeight)).toEqual([message, answers[1]?.info?.lastBlockHeight]);
  expect(answers[1]?.info).toBeDefined();
}

/** A connection kept open through every case: another client's bad stream must not end it. */
class Witness {
  private readonly decoder = new FrameDecoder();
  private waiting: ((r: Response) => void) | undefined;
  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) this.waiting?.(Response.decode(frame));
    });
  }
  static open(socketPath: string): Promise<Witness> {
    return new Promise((resolve) => {
      const socket = net.createConnection(socketPath, () => resolve(new Witness(socket)));
    });
  }
  echo(message: string): Promise<string | undefined> {
    if (this.socket.destroyed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiting = (r) => resolve(r.echo?.message);
      this.socket.write(concatFrames([{ echo: { message } }, { flush: {} }]));
    }).then((m) => {
      this.waiting = undefined;
      return m as string | undefined;
    });
  }
  close(): void {
    this.socket.destroy();
  }
}

const concatFrames = (requests: Request[]): Uint8Array => Buffer.concat(requests.map((r) => encodeFrame(Request.encode(Request.fromPartial(r)).finish())));

/** Requests a node answers without committing anything; mutations may turn them into any other. */
function requestArb(queryPaths: string[], tx: Uint8Array): fc.Arbitrary<Request> {
  const bytes = fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated(tx), fc.constant(tx));
  return fc.oneof(
    fc.string({ maxLength: 32 }).map((message) => ({ echo: { message } })),
    fc.constant({ flush: {} }),
    fc.constant({ info: { version: "0.38", blockVersion: 11n, p2pVersion: 8n, abciVersion: "2.0.0" } }),
    fc.tuple(fc.constantFrom(...queryPaths, "/app/version", "", "/store/bank/key"), fc.uint8Array({ maxLength: 48 }), fc.bigInt({ min: 0n, max: 99n })).map(([path, data, height]) => ({ query: { path, data, height, prove: false } })),
    fc.tuple(bytes, fc.constantFrom(CheckTxType.NEW, CheckTxType.RECHECK, 7)).map(([t, type]) => ({ checkTx: { tx: t, type } })),
    fc.array(bytes, { maxLength: 3 }).map((txs) => ({ processProposal: Request.fromPartial({ processProposal: { txs, height: 99n } }).processProposal })),
    fc.constant({ listSnapshots: {} }),
    fc.constant({ loadSnapshotChunk: { height: 1n, format: 1, chunk: 0 } }),
  ) as fc.Arbitrary<Request>;
}

/** A byte stream of frames: well-formed, with a mutated body, with a mutated prefix, or noise. */
function streamArb(queryPaths: string[], tx: Uint8Array): fc.Arbitrary<Uint8Array> {
  const body = requestArb(queryPaths, tx).map((r) => Request.encode(Request.fromPartial(r)).finish());
  const frame = fc.oneof(
    { arbitrary: body.map(encodeFrame), weight: 3 },
    { arbitrary: body.chain(mutated).map(encodeFrame), weight: 2 },
    { arbitrary: body.map(encodeFrame).chain(mutated), weight: 2 },
    { arbitrary: fc.uint8Array({ maxLength: 24 }), weight: 1 },
  );
  return fc.array(frame, { minLength: 1, maxLength: 4 }).map((frames) => Buffer.concat(frames));
}

describe("fuzz: generated and mutated ABCI frames on a real socket server", () => {
  let chain: TestChain;
  let server: AbciServer;
  let dir: string;
  let socketPath: string;
  /** State-writing calls the app accepted, and those it refused (mutations forge them). */
  const writes: string[] = [];
  const refused: string[] = [];
  const recordWrite = async <T>(method: string, call: () => T | Promise<T>): Promise<T> => {
    try {
      const result = await call();
      writes.push(method);
      return result;
    } catch (err) {
      refused.push(method);
      throw err;
    }
  };

  beforeAll(async () => {
    chain = await startTestChain(testGenesis({ [key.address]: 10n ** 9n }));
    await chain.block([]);
    const { app } = chain;
    const recorded: AbciApplication = {
      info: () => app.info(),
      initChain: (req) => recordWrite("initChain", () => app.initChain(req)),
      query: (req) => app.query(req),
      checkTx: (req) => app.checkTx(req),
      prepareProposal: (req) => app.prepareProposal(req),
      processProposal: (req) => app.processProposal(req),
      extendVote: (req) => app.extendVote(req),
      verifyVoteExtension: (req) => app.verifyVoteExtension(req),
      finalizeBlock: (req) => recordWrite("finalizeBlock", () => app.finalizeBlock(req)),
      commit: () => recordWrite("commit", () => app.commit()),
    };
    dir = await mkdtemp(join(tmpdir(), "ogpu-abci-fuzz-"));
    socketPath = join(dir, "abci.sock");
    server = new AbciServer(recorded, { logger: () => {} });
    await server.listen(`unix://${socketPath}`);
  });

  afterAll(async () => {
    await server.close();
    await chain.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(`${CASES} generated streams: well-formed answers, only the bad connection closes, no crash, no state change`, async () => {
    const before = chain.app.lastCommit;
    const queryPaths = createAppWiring().modules.flatMap((m) => m.queries.map((q) => q.path));
    const tx = signTx(key, [sendMsg(key.address, testKey(42).address, "1")], { accountNumber: 0n, sequence: 0n });
    let answered = 0;
    let case_ = 0;
    const witness = await Witness.open(socketPath);
    await fc.assert(
      fc.asyncProperty(streamArb(queryPaths, tx), async (stream) => {
        const responses = await exchange(socketPath, stream);
        answered += responses.length;
        // An exception response is only for a handler that threw; the stream must still parse.
        for (const r of responses) expect(Object.values(r).some((v) => v !== undefined)).toBe(true);
        case_++;
        expect(await witness.echo(`witness ${case_}`)).toBe(`witness ${case_}`);
        await stillServes(socketPath, `alive ${case_}`);
      }),
      fuzzRuns(CASES, 3),
    );
    witness.close();
    await stillServes(socketPath, "alive at the end");
    expect(answered).toBeGreaterThan(CASES / 2);
    // Mutations do forge InitChain and Commit requests; the app refuses each (InitChain on a
    // started chain, Commit with no finalized block): an exception answer, that connection closed.
    expect(refused.length).toBeGreaterThan(0);
    expect(writes).toEqual([]);
    expect(chain.app.lastCommit).toEqual(before);
  });
});
