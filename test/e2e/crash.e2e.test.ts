/**
 * Crash recovery end to end. While several accounts stream sends, the node is killed hard
 * (kill -9 of ogpud and cometbft; later cometbft alone) and restarted on the same home. The
 * chain must continue exactly where it was: the same blocks and app hashes for every height
 * seen before the crash, every confirmed tx still indexed, and the ledger exact to the uogpu.
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertIsDeliverTxSuccess, type StargateClient } from "@cosmjs/stargate";
import { rpcStatus, waitForHeight, type RpcStatus } from "../../testnet/devnet.js";
import {
  coins,
  cometbftPid,
  connectQueryClient,
  connectSigner,
  DENOM,
  EXPLICIT_FEE,
  feeAmount,
  FEE_COLLECTOR_ADDRESS,
  genesisTotal,
  OGPU,
  restBalance,
  restGet,
  restSupply,
  rpcGet,
  startTestNode,
  sumBalances,
  type Signer,
  type TestNode,
} from "./helpers.js";

const PORT_BASE = TEST_PORTS.crash.base;
const SENDER_COUNT = 4;
const SENDER_BALANCE = 10_000n * OGPU;
const SINK_BALANCE = OGPU;
const AMOUNT = 1_000n;
/** Confirmed txs to see before pulling the plug: enough that blocks hold several. */
const CONFIRMED_BEFORE_KILL = 16;
const GENESIS = [
  ...Array.from({ length: SENDER_COUNT }, (_, i) => ({ name: `sender${i}`, coins: `${SENDER_BALANCE}${DENOM}` })),
  { name: "sink", coins: `${SINK_BALANCE}${DENOM}` },
];

interface BlockRecord {
  blockHash: string;
  appHash: string;
}

type BlockResult = { block_id: { hash: string }; block: { header: { app_hash: string } } };

/** Block id and header app hash (= app hash after the previous block) of each height. */
async function recordBlocks(rpcUrl: string, from: bigint, to: bigint): Promise<Map<bigint, BlockRecord>> {
  const blocks = new Map<bigint, BlockRecord>();
  for (let h = from < 1n ? 1n : from; h <= to; h++) {
    const r = await rpcGet<BlockResult>(rpcUrl, `block?height=${h}`);
    blocks.set(h, { blockHash: r.block_id.hash, appHash: r.block.header.app_hash });
  }
  return blocks;
}

/** What the node had committed at the moment of the crash. */
interface PreCrash {
  /** CometBFT's view; its latest_app_hash is block H's header hash, i.e. the state after H−1. */
  status: RpcStatus;
  blocks: Map<bigint, BlockRecord>;
  /** ogpud's own last commit (REST /healthz): height and the app hash it returned for it. */
  app: { height: bigint; appHash: string };
}

async function snapshotBeforeCrash(t: TestNode): Promise<PreCrash> {
  const { body } = await restGet<{ height: string; app_hash: string }>(t.devnet, "/healthz");
  const status = await rpcStatus(t.devnet.rpcUrl);
  return {
    status,
    blocks: await recordBlocks(t.devnet.rpcUrl, status.height - 9n, status.height),
    app: { height: BigInt(body.height), appHash: body.app_hash },
  };
}

/**
 * After a restart: the recorded blocks are unchanged, and the block after ogpud's last
 * pre-crash commit carries the app hash ogpud had committed (no lost, redone or diverging
 * commit), and the chain moves past the crash height.
 */
async function expectContinuity(rpcUrl: string, before: PreCrash): Promise<void> {
  const H = before.status.height;
  await waitForHeight(rpcUrl, H + 2n);
  const after = await recordBlocks(rpcUrl, H - 9n, H);
  expect(after).toEqual(before.blocks);
  expect(before.blocks.get(H)?.appHash).toBe(before.status.appHash);
  const next = await rpcGet<BlockResult>(rpcUrl, `block?height=${before.app.height + 1n}`);
  expect(next.block.header.app_hash).toBe(before.app.appHash);
}

describe("crash recovery over a real node", () => {
  let t: TestNode;
  let senders: Signer[] = [];
  let query: StargateClient | undefined;
  let sinkAddress: string;
  /** Hash and height of every send cosmjs reported committed. */
  const confirmed: { hash: string; height: number }[] = [];

  beforeAll(async () => {
    t = await startTestNode({ portBase: PORT_BASE, accounts: GENESIS });
    sinkAddress = t.devnet.accounts[SENDER_COUNT]!.address;
  });

  afterAll(async () => {
    for (const s of senders) s.client.disconnect();
    query?.disconnect();
    await t?.cleanup();
  });

  async function connectAll(): Promise<void> {
    for (const s of senders) s.client.disconnect();
    query?.disconnect();
    senders = await Promise.all(t.devnet.accounts.slice(0, SENDER_COUNT).map((a) => connectSigner(t.devnet, a)));
    query = await connectQueryClient(t.devnet);
  }

  /**
   * Each sender sends to the sink in a loop, one tx at a time; once this stream has
   * `CONFIRMED_BEFORE_KILL` confirmed sends, `crash` runs. Every send confirmed before the
   * crash completes is recorded; errors once the crash has begun are the expected dead
   * connection, before it they fail the test.
   */
  async function streamUntilCrash<T>(crash: () => Promise<T>): Promise<T> {
    let confirmedHere = 0;
    let crashing: Promise<T> | undefined;
    let crashed = false;
    const loops = senders.map(async (s) => {
      while (!crashed) {
        try {
          const r = await s.client.sendTokens(s.address, sinkAddress, coins(AMOUNT), EXPLICIT_FEE);
          assertIsDeliverTxSuccess(r);
          confirmed.push({ hash: r.transactionHash, height: r.height });
          if (++confirmedHere >= CONFIRMED_BEFORE_KILL && !crashing) {
            crashing = crash().finally(() => (crashed = true));
            await crashing;
          }
        } catch (err) {
          if (crashing) return;
          throw err;
        }
      }
    });
    await Promise.all(loops);
    if (!crashing) throw new Error("stream ended without a crash");
    return crashing;
  }

  /** Ledger is exact: every committed send moved AMOUNT to the sink and a fee to the collector. */
  async function expectExactLedger(): Promise<void> {
    const fee = feeAmount(EXPLICIT_FEE);
    let committedSends = 0n;
    for (const s of senders) {
      const seq = BigInt((await query!.getAccount(s.address))!.sequence);
      committedSends += seq;
      expect(await restBalance(t.devnet, s.address)).toBe(SENDER_BALANCE - seq * (AMOUNT + fee));
    }
    expect(committedSends).toBeGreaterThanOrEqual(BigInt(confirmed.length));
    expect(await restBalance(t.devnet, sinkAddress)).toBe(SINK_BALANCE + committedSends * AMOUNT);
    expect(await restBalance(t.devnet, FEE_COLLECTOR_ADDRESS)).toBe(committedSends * fee);
    const supply = await restSupply(t.devnet);
    expect(supply).toBe(genesisTotal(GENESIS));
    const all = [...senders.map((s) => s.address), sinkAddress, FEE_COLLECTOR_ADDRESS];
    expect(await sumBalances(t.devnet, all)).toBe(supply);
  }

  async function expectConfirmedTxsIndexed(): Promise<void> {
    for (const { hash, height } of confirmed) {
      const tx = await query!.getTx(hash);
      expect(tx, `tx ${hash}`).not.toBeNull();
      expect(tx!.height).toBe(height);
      expect(tx!.code).toBe(0);
    }
  }

  it("survives kill -9 of ogpud and cometbft mid-stream", async () => {
    await connectAll();
    const before = await streamUntilCrash(async () => {
      const snapshot = await snapshotBeforeCrash(t);
      await t.node.kill9();
      return snapshot;
    });
    expect(confirmed.length).toBeGreaterThanOrEqual(CONFIRMED_BEFORE_KILL);
    expect(new Set(confirmed.map((c) => c.height)).size).toBeGreaterThan(1);

    t.restart();
    await expectContinuity(t.devnet.rpcUrl, before);
    await connectAll();
    await expectConfirmedTxsIndexed();
    await expectExactLedger();
    // ogpud's own view (REST /healthz) matches what CometBFT committed.
    const { body } = await restGet<{ height: string; app_hash: string }>(t.devnet, "/healthz");
    await waitForHeight(t.devnet.rpcUrl, BigInt(body.height) + 1n);
    const block = await rpcGet<BlockResult>(t.devnet.rpcUrl, `block?height=${BigInt(body.height) + 1n}`);
    expect(block.block.header.app_hash).toBe(body.app_hash);
  });

  it("stops ogpud with exit code 1 when cometbft alone is killed, and resumes on restart", async () => {
    const countBefore = confirmed.length;
    const before = await streamUntilCrash(async () => {
      const snapshot = await snapshotBeforeCrash(t);
      process.kill(await cometbftPid(t.node.proc.pid!), "SIGKILL");
      return snapshot;
    });
    // ogpud notices its consensus engine is gone and exits by itself, with an error code.
    expect(await t.node.exited).toBe(1);
    expect(confirmed.length).toBeGreaterThan(countBefore);

    t.restart();
    await expectContinuity(t.devnet.rpcUrl, before);
    await connectAll();
    await expectConfirmedTxsIndexed();
    await expectExactLedger();
    const s = senders[0]!;
    assertIsDeliverTxSuccess(await s.client.sendTokens(s.address, sinkAddress, coins(AMOUNT), EXPLICIT_FEE));
  });
});
