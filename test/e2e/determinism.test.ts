/**
 * Determinism, in process and without CometBFT: the same genesis and the same blocks of real
 * cosmjs-signed txs must give the same app hash at every height on independent instances
 * (separate LevelDB dirs), after a close and reopen, and a different hash as soon as one tx
 * differs.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "@cosmjs/crypto";
import { toHex } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { SigningStargateClient } from "@cosmjs/stargate";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { RequestFinalizeBlock, RequestInitChain } from "cosmjs-types/tendermint/abci/types";
import { OgpuApp } from "../../app/app.js";
import { parseAccountAddress } from "../../app/address.js";
import { createAppWiring } from "../../app/modules.js";
import { defaultAppState } from "../../cmd/ogpud/genesis-state.js";
import { getAccount } from "../../x/auth/keeper.js";
import { coins, EXPLICIT_FEE, OGPU, PREFIX } from "./helpers.js";

const CHAIN_ID = "ogpu-determinism-1";
const GENESIS_SECONDS = 1_700_000_000n;

interface Party {
  address: string;
  signer: SigningStargateClient;
  accountNumber: number;
}

/** One MsgSend; `from`/`to` index the parties, `amount` in uogpu. */
type Transfer = { from: number; to: number; amount: bigint };

/** Transfers per block from height 2 on (height 1 is empty so genesis commits first). */
const PLAN: Transfer[][] = [
  [{ from: 0, to: 1, amount: 5n * OGPU }, { from: 1, to: 2, amount: 7n }],
  [{ from: 2, to: 0, amount: 123_456n }, { from: 0, to: 2, amount: 1n }, { from: 0, to: 1, amount: 9n }],
  [{ from: 1, to: 0, amount: 42n }],
  [{ from: 2, to: 1, amount: 3n * OGPU }],
  [{ from: 0, to: 1, amount: 11n }, { from: 1, to: 0, amount: 13n }],
];
/** The plan with one amount changed: block 3's first tx (signed, so its bytes differ too). */
const DIVERGENT_HEIGHT = 3n;
const DIVERGENT_PLAN: Transfer[][] = PLAN.map((txs, i) =>
  BigInt(i + 2) === DIVERGENT_HEIGHT ? txs.map((t, j) => (j === 0 ? { ...t, amount: t.amount + 1n } : t)) : txs,
);

function initChainRequest(addresses: readonly string[]): RequestInitChain {
  const state = defaultAppState();
  state.bank = { ...(state.bank as object), balances: addresses.map((address) => ({ address, coins: coins(1_000n * OGPU) })) };
  return RequestInitChain.fromPartial({
    chainId: CHAIN_ID,
    initialHeight: 1n,
    time: { seconds: GENESIS_SECONDS, nanos: 0 },
    appStateBytes: new TextEncoder().encode(JSON.stringify(state)),
  });
}

function blockRequest(height: bigint, txs: Uint8Array[]): RequestFinalizeBlock {
  return RequestFinalizeBlock.fromPartial({
    height,
    txs,
    time: { seconds: GENESIS_SECONDS + height, nanos: 0 },
    hash: sha256(new TextEncoder().encode(`block ${height}`)),
  });
}

/** Signs a whole plan offline with stock cosmjs (sequences from 0): blocks 1..N. */
async function signPlan(parties: readonly Party[], plan: readonly Transfer[][]): Promise<RequestFinalizeBlock[]> {
  const sequences = parties.map(() => 0);
  const blocks = [blockRequest(1n, [])];
  for (const [i, transfers] of plan.entries()) {
    const txs: Uint8Array[] = [];
    for (const { from, to, amount } of transfers) {
      const p = parties[from]!;
      const msg = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: p.address, toAddress: parties[to]!.address, amount: coins(amount) } };
      const signerData = { accountNumber: BigInt(p.accountNumber), sequence: sequences[from]!++, chainId: CHAIN_ID };
      txs.push(TxRaw.encode(await p.signer.sign(p.address, [msg], EXPLICIT_FEE, `det ${from}->${to}`, signerData)).finish());
    }
    blocks.push(blockRequest(BigInt(i + 2), txs));
  }
  return blocks;
}

/** Executes and commits one block; returns the app hash (hex) and each tx's result code. */
async function runBlock(app: OgpuApp, req: RequestFinalizeBlock): Promise<{ appHash: string; codes: number[] }> {
  const res = app.finalizeBlock(req);
  await app.commit();
  return { appHash: toHex(res.appHash), codes: res.txResults.map((r) => r.code) };
}

describe("app hash determinism (in process)", () => {
  const dirs: string[] = [];
  const apps: OgpuApp[] = [];
  let genesis: RequestInitChain;
  let blocks: RequestFinalizeBlock[];
  let divergentBlocks: RequestFinalizeBlock[];

  /** An app on a fresh temp LevelDB dir (or reopened on `dir`), closed in afterAll. */
  async function openApp(dir?: string): Promise<{ app: OgpuApp; dir: string }> {
    const path = dir ?? (await mkdtemp(join(tmpdir(), "ogpu-det-")));
    if (!dir) dirs.push(path);
    const app = await OgpuApp.open(path, createAppWiring(), { minGasPrices: [], checkInvariants: true });
    apps.push(app);
    return { app, dir: path };
  }

  async function closeApp(app: OgpuApp): Promise<void> {
    apps.splice(apps.indexOf(app), 1);
    await app.close();
  }

  beforeAll(async () => {
    const wallets = await Promise.all([0, 1, 2].map(() => DirectSecp256k1HdWallet.generate(12, { prefix: PREFIX })));
    const addresses = await Promise.all(wallets.map(async (w) => (await w.getAccounts())[0]!.address));
    genesis = initChainRequest(addresses);
    // Account numbers come from the chain itself: commit genesis once and read them back.
    const { app: probe } = await openApp();
    probe.initChain(genesis);
    await runBlock(probe, blockRequest(1n, []));
    const parties: Party[] = await Promise.all(
      wallets.map(async (wallet, i) => ({
        address: addresses[i]!,
        signer: await SigningStargateClient.offline(wallet),
        accountNumber: Number(getAccount(probe.store, parseAccountAddress(addresses[i]!))!.accountNumber),
      })),
    );
    await closeApp(probe);
    blocks = await signPlan(parties, PLAN);
    divergentBlocks = await signPlan(parties, DIVERGENT_PLAN);
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("two instances agree on every height's app hash; a reopened one resumes identically", async () => {
    const [a, b] = [await openApp(), await openApp()];
    a.app.initChain(genesis);
    b.app.initChain(genesis);
    const beforeReopen = blocks.slice(0, -1);
    const hashes: string[] = [];
    for (const block of beforeReopen) {
      const [ra, rb] = [await runBlock(a.app, block), await runBlock(b.app, block)];
      expect(ra.codes.every((c) => c === 0), `block ${block.height} codes ${ra.codes}`).toBe(true);
      expect(rb).toEqual(ra);
      hashes.push(ra.appHash);
    }
    expect(new Set(hashes).size).toBe(hashes.length); // every block changed state (fees at least)

    await closeApp(a.app);
    const { app: reopened } = await openApp(a.dir);
    const info = reopened.info();
    expect(info.lastBlockHeight).toBe(beforeReopen.at(-1)!.height);
    expect(toHex(info.lastBlockAppHash)).toBe(hashes.at(-1));
    expect(toHex(info.lastBlockAppHash)).toBe(toHex(b.app.info().lastBlockAppHash));

    // Both run the last block: the state read back from disk must be the very same state.
    const last = blocks.at(-1)!;
    const [rr, rb] = [await runBlock(reopened, last), await runBlock(b.app, last)];
    expect(rr.codes.every((c) => c === 0)).toBe(true);
    expect(rr).toEqual(rb);
    expect(reopened.brokenInvariants()).toEqual([]);
  });

  it("one different tx gives a different hash from that height on, the same before it", async () => {
    const [a, c] = [await openApp(), await openApp()];
    a.app.initChain(genesis);
    c.app.initChain(genesis);
    for (const [i, block] of blocks.entries()) {
      const [ra, rc] = [await runBlock(a.app, block), await runBlock(c.app, divergentBlocks[i]!)];
      expect(rc.codes).toEqual(ra.codes);
      if (block.height < DIVERGENT_HEIGHT) expect(rc.appHash).toBe(ra.appHash);
      else expect(rc.appHash).not.toBe(ra.appHash);
    }
  });
});
