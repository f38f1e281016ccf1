/**
 * Test kit for Proof of Sync (in-process tests and the `pos` benchmark): a chain with
 * genesis validators (gentxs) and genesis workers whose CV is chosen, messages built as a
 * worker or validator builds them, and a per-block check of the conservation identity
 * escrow + treasury + bonds + every other balance = supply.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { Event, ExecTxResult, RequestFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { accountAddressString, parseAccountAddress } from "../../app/address.js";
import { OgpuApp } from "../../app/app.js";
import { BASE_DENOM } from "../../app/coins.js";
import { createAppWiring } from "../../app/modules.js";
import { finalizeRequest, initChainRequest, testKey, type TestChain, type TestKey } from "../../app/testkit.js";
import { sha256 } from "../../crypto/hash.js";
import { encodeBeaconTx, type BeaconEntry } from "../../app/beacon.js";
import { Verdict, type TaskRecord } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { MsgAttest, MsgCommitAudit, MsgCommitResult, MsgRevealResult, MsgSetAuditorKey } from "../../proto/gen/ogpu/attest/v1/tx.js";
import type { Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { Worker } from "../../proto/gen/ogpu/workers/v1/workers.js";
import { MSG } from "../../sdk/registry.js";
import { allBalances, getBalance, getSupply } from "../bank/keeper.js";
import { MARKET_ESCROW } from "../market/keeper.js";
import { gpu, OGPU, testEncPubkey } from "../market/testing.js";
import { getAccount } from "../auth/keeper.js";
import { signTx } from "../../app/testkit.js";
import { gentx, stakingGenesis, testValidator, type TestValidator } from "../staking/testing.js";
import { getWorker, TREASURY, WORKER_BONDS } from "../workers/keeper.js";
import { computeSeal } from "./seal.js";
import { getRecord } from "./store.js";
import { moduleAddress } from "../../app/address.js";

export { OGPU, Verdict };

/**
 * Signs txs for one key with its on-chain account number; the sequence starts from the
 * committed account (genesis validators already used sequence 0 for their gentx) and then
 * runs on locally, so several txs of one key can go into one block.
 */
export class ChainSigner {
  private sequence: bigint | undefined;
  constructor(
    readonly chain: TestChain,
    readonly key: TestKey,
  ) {}

  get address(): string {
    return this.key.address;
  }

  tx(msgs: Any[]): Uint8Array {
    const acc = getAccount(this.chain.app.store, this.key.addressBytes);
    if (!acc) throw new Error(`${this.key.address} has no account yet`);
    this.sequence ??= acc.sequence;
    const tx = signTx(this.key, msgs, { accountNumber: acc.accountNumber, sequence: this.sequence, fee: [{ denom: "uogpu", amount: "1000" }], gas: 2_000_000n });
    this.sequence += 1n;
    return tx;
  }
}

/** A result digest as a worker would compute it: sha256 of the output. */
export const digestOf = (output: string) => sha256(new TextEncoder().encode(output));
/** A worker's secret salt for a task (deterministic in tests; random in a real sidecar). */
export const saltFor = (worker: string, taskId: bigint) => sha256(new TextEncoder().encode(`salt ${worker} ${taskId}`));

export function commitMsg(worker: string, taskId: bigint, digest: Uint8Array, salt = saltFor(worker, taskId)): Any {
  const seal = computeSeal(taskId, parseAccountAddress(worker), digest, salt);
  return { typeUrl: MSG.CommitResult, value: MsgCommitResult.encode({ worker, taskId, seal }).finish() };
}

export const rawCommitMsg = (worker: string, taskId: bigint, seal: Uint8Array): Any => ({ typeUrl: MSG.CommitResult, value: MsgCommitResult.encode({ worker, taskId, seal }).finish() });

export function revealMsg(worker: string, taskId: bigint, digest: Uint8Array, salt = saltFor(worker, taskId)): Any {
  return { typeUrl: MSG.RevealResult, value: MsgRevealResult.encode({ worker, taskId, resultDigest: digest, salt, outputCid: `bafy-out-${taskId}` }).finish() };
}

/** A committee vote; on an audit the salt opens the member's MsgCommitAudit seal (same salt as auditSealMsg). */
export const attestMsg = (validator: string, taskId: bigint, digest: Uint8Array, verdict: Verdict, salt = saltFor(validator, taskId)): Any => ({
  typeUrl: MSG.Attest,
  value: MsgAttest.encode({ validator, taskId, resultDigest: digest, verdict, salt }).finish(),
});

/** An audit member's seal over its own digest, sent before any worker reveal. */
export function auditSealMsg(validator: string, taskId: bigint, digest: Uint8Array, salt = saltFor(validator, taskId)): Any {
  const seal = computeSeal(taskId, parseAccountAddress(validator), digest, salt);
  return { typeUrl: MSG.CommitAudit, value: MsgCommitAudit.encode({ validator, taskId, seal }).finish() };
}

export const setAuditorKeyMsg = (validator: string, encPubkey: Uint8Array): Any => ({
  typeUrl: MSG.SetAuditorKey,
  value: MsgSetAuditorKey.encode({ validator, encPubkey }).finish(),
});

export interface GenesisWorker {
  key: TestKey;
  price: bigint;
  cv: bigint;
  bond: bigint;
  model: string;
  maxConcurrent: number;
}

/** A registered, online (heartbeat at 0, long timeout), bonded worker record for genesis. */
export function genesisWorkerRecord(w: GenesisWorker): string {
  const record = Worker.fromPartial({
    operator: w.key.address,
    gpus: [gpu(w.model, 81_920)],
    region: "eu",
    pricePerUnit: w.price.toString(),
    maxConcurrent: w.maxConcurrent,
    encPubkey: testEncPubkey(7),
    bond: w.bond.toString(),
    reliability: { cv: w.cv, ewmaSuccessBps: 9000, jailedUntil: 0n, successes: w.cv, timeouts: 0n },
  });
  return Buffer.from(Worker.encode(record).finish()).toString("base64");
}

export interface PosOptions {
  /** Self-delegations of the genesis validators (validator i uses test key 100 + i). */
  validatorStakes?: bigint[];
  /** Genesis workers (test key 11 + i); default four RTX4090 workers with CV 0. */
  workers?: Partial<Omit<GenesisWorker, "key">>[];
  /** Worker i is also the operator of validator j: workerIsValidator[i] = j. */
  workerIsValidator?: Record<number, number>;
  params?: { attest?: Record<string, unknown>; market?: Record<string, unknown>; workers?: Record<string, unknown>; staking?: Record<string, unknown> };
  checkInvariants?: boolean;
}

export interface BlockOutcome {
  txResults: ExecTxResult[];
  events: Event[];
}

export interface PosChain extends TestChain {
  /** FinalizeBlock time of the last block, ms (benchmarks only; never consensus input). */
  lastFinalizeMs: number;
  client: ChainSigner;
  workers: ChainSigner[];
  validators: { v: TestValidator; signer: ChainSigner }[];
  /**
   * Runs one block; `beacon` puts a beacon tx with these entries first, which sets the block's
   * draw seed (the tasks revealed just before). FinalizeBlock trusts it as ProcessProposal
   * admitted it, so tests may use any bytes. Without it: the fallback seed. `blockHash`
   * replaces the header hash (tests that a proposer's block contents do not move draws).
   */
  run(txs: Uint8Array[], beacon?: BeaconEntry[], blockHash?: Uint8Array): Promise<BlockOutcome>;
  task(id: bigint): Task;
  record(id: bigint): TaskRecord | undefined;
  balance(address: string): bigint;
  moduleBalance(name: string): bigint;
  bond(worker: string): bigint;
  supply(): bigint;
  /** Fails when escrow + treasury + bonds + the other balances ≠ supply (checked after every block). */
  conservation(): { escrow: bigint; treasury: bigint; bonds: bigint; others: bigint; supply: bigint };
}

export async function startPosChain(opts: PosOptions = {}): Promise<PosChain> {
  const stakes = opts.validatorStakes ?? [1000n * OGPU];
  const validators = stakes.map((_, i) => testValidator(100 + i));
  const workerIsValidator = opts.workerIsValidator ?? {};
  const specs = opts.workers ?? [{}, {}, {}, {}];
  const workers: GenesisWorker[] = specs.map((s, i) => ({
    key: workerIsValidator[i] !== undefined ? validators[workerIsValidator[i]!]!.key : testKey(11 + i),
    price: s.price ?? 100n,
    cv: s.cv ?? 0n,
    bond: s.bond ?? 1000n * OGPU,
    model: s.model ?? "RTX4090",
    maxConcurrent: s.maxConcurrent ?? 4,
  }));
  const clientKey = testKey(1);
  const balances: Record<string, bigint> = { [clientKey.address]: 100_000n * OGPU };
  for (const v of validators) balances[v.key.address] = 10_000n * OGPU;
  for (const w of workers) balances[w.key.address] = (balances[w.key.address] ?? 0n) + 1_000n * OGPU;
  const bonds = workers.reduce((s, w) => s + w.bond, 0n);
  if (bonds > 0n) balances[accountAddressString(moduleAddress(WORKER_BONDS))] = bonds;
  const state = stakingGenesis(balances, validators.map((v, i) => gentx(v, stakes[i]!)), opts.params?.staking ?? {});
  state.workers = { params: { heartbeat_timeout_blocks: 1_000_000, ...(opts.params?.workers ?? {}) }, workers: workers.map(genesisWorkerRecord) };
  state.market = { params: opts.params?.market ?? {} };
  state.attest = { params: opts.params?.attest ?? {} };

  const dir = mkdtempSync(join(tmpdir(), "ogpu-attest-"));
  const wiring = createAppWiring();
  const app = await OgpuApp.open(join(dir, "db"), wiring, { minGasPrices: [], checkInvariants: opts.checkInvariants ?? true });
  app.initChain(initChainRequest(state));
  const store = () => app.store;
  const conservation = () => {
    const escrow = getBalance(store(), moduleAddress(MARKET_ESCROW), BASE_DENOM);
    const treasury = getBalance(store(), moduleAddress(TREASURY), BASE_DENOM);
    const bondsHeld = getBalance(store(), moduleAddress(WORKER_BONDS), BASE_DENOM);
    let all = 0n;
    for (const { coin } of allBalances(store())) if (coin.denom === BASE_DENOM) all += coin.amount;
    const supply = getSupply(store(), BASE_DENOM);
    const others = all - escrow - treasury - bondsHeld;
    if (escrow + treasury + bondsHeld + others !== supply) throw new Error(`conservation broken at height ${chain.height}: ${all} held, supply ${supply}`);
    return { escrow, treasury, bonds: bondsHeld, others, supply };
  };
  const execute = async (req: RequestFinalizeBlock): Promise<BlockOutcome> => {
    chain.requests.push(req);
    const start = performance.now();
    const res = app.finalizeBlock(req);
    chain.lastFinalizeMs = performance.now() - start;
    await app.commit();
    if (opts.checkInvariants !== false) conservation();
    return { txResults: res.txResults, events: res.events };
  };
  const chain: PosChain = {
    app,
    keepers: wiring.keepers,
    dir,
    height: 0n,
    lastFinalizeMs: 0,
    requests: [],
    async block(txs) {
      return (await chain.run(txs)).txResults;
    },
    async run(txs, beacon, blockHash) {
      chain.height += 1n;
      const req = finalizeRequest(chain.height, beacon ? [encodeBeaconTx(beacon), ...txs] : txs);
      return execute(blockHash ? { ...req, hash: blockHash } : req);
    },
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
    client: undefined as unknown as ChainSigner,
    workers: [],
    validators: [],
    task: (id) => wiring.keepers.market.getTask(store(), id)!,
    record: (id) => getRecord(store(), id),
    balance: (address) => getBalance(store(), parseAccountAddress(address), BASE_DENOM),
    moduleBalance: (name) => getBalance(store(), moduleAddress(name), BASE_DENOM),
    bond: (worker) => BigInt(getWorker(store(), worker)!.bond),
    supply: () => getSupply(store(), BASE_DENOM),
    conservation,
  };
  chain.client = new ChainSigner(chain, clientKey);
  chain.workers = workers.map((w) => new ChainSigner(chain, w.key));
  chain.validators = validators.map((v) => ({ v, signer: chain.workers.find((w) => w.address === v.key.address) ?? new ChainSigner(chain, v.key) }));
  await chain.run([]);
  return chain;
}

/** Asserts every tx of a block succeeded; returns the outcome. */
export function expectOk(outcome: BlockOutcome): BlockOutcome {
  const failed = outcome.txResults.find((r) => r.code !== 0);
  if (failed) throw new Error(`tx failed: codespace ${failed.codespace} code ${failed.code}: ${failed.log}`);
  return outcome;
}
