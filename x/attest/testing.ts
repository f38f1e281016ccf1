/**
 * Fixture for Proof of Sync (in-process tests and the `pos` benchmark): genesis validators
 * (gentxs) and genesis workers whose CV is chosen, messages built as a worker or validator
 * builds them, and a per-block check of the conservation identity
 * escrow + treasury + bonds + every other balance = supply. The chain and its signers are
 * app/testkit.ts's.
 */
import type { Any } from "cosmjs-types/google/protobuf/any";
import { accountAddressString, parseAccountAddress } from "../../app/address.js";
import { BASE_DENOM } from "../../app/coins.js";
import { expectOk, startTestChain, testKey, type ChainSigner, type TestChain, type TestKey } from "../../app/testkit.js";
import { sha256 } from "../../crypto/hash.js";
import { textCid } from "../../crypto/cid.js";
import { Verdict, type TaskRecord, type WorkerVerdict } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { MsgAttest, MsgCommitAudit, MsgCommitResult, MsgRevealResult, MsgSetAuditorKey } from "../../proto/gen/ogpu/attest/v1/tx.js";
import type { Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { Worker } from "../../proto/gen/ogpu/workers/v1/workers.js";
import { MSG } from "../../sdk/registry.js";
import { allBalances, getBalance, getSupply } from "../bank/keeper.js";
import { MARKET_ESCROW, nextTaskId } from "../market/keeper.js";
import { gpu, OGPU, submitTaskMsg, testEncPubkey } from "../market/testing.js";
import { gentx, stakingGenesis, testValidator, type TestValidator } from "../staking/testing.js";
import { getWorker, WORKER_BONDS } from "../workers/keeper.js";
import { TREASURY } from "../treasury/keeper.js";
import { computeResultSeal, computeSeal } from "./seal.js";
import { getRecord } from "./store.js";
import { moduleAddress } from "../../app/address.js";

export { OGPU, Verdict };
export { expectOk, type BlockOutcome, type ChainSigner } from "../../app/testkit.js";

/** A result digest as a worker would compute it: sha256 of the output. */
export const digestOf = (output: string) => sha256(new TextEncoder().encode(output));
/** A worker's secret salt for a task (deterministic in tests; random in a real sidecar). */
export const saltFor = (worker: string, taskId: bigint) => sha256(new TextEncoder().encode(`salt ${worker} ${taskId}`));

/** The output CID the test workers name: sealed in the commit, published in the reveal. */
export const outputCidOf = (taskId: bigint) => textCid(`output of task ${taskId}`);

export function commitMsg(worker: string, taskId: bigint, digest: Uint8Array, salt = saltFor(worker, taskId), outputCid = outputCidOf(taskId)): Any {
  const seal = computeResultSeal(taskId, parseAccountAddress(worker), digest, outputCid, salt);
  return { typeUrl: MSG.CommitResult, value: MsgCommitResult.encode({ worker, taskId, seal }).finish() };
}

export const rawCommitMsg = (worker: string, taskId: bigint, seal: Uint8Array): Any => ({ typeUrl: MSG.CommitResult, value: MsgCommitResult.encode({ worker, taskId, seal }).finish() });

export function revealMsg(worker: string, taskId: bigint, digest: Uint8Array, salt = saltFor(worker, taskId), outputCid = outputCidOf(taskId)): Any {
  return { typeUrl: MSG.RevealResult, value: MsgRevealResult.encode({ worker, taskId, resultDigest: digest, salt, outputCid }).finish() };
}

/** A committee vote; on an audit the salt opens the member's MsgCommitAudit seal (same salt as auditSealMsg). */
export const attestMsg = (validator: string, taskId: bigint, digest: Uint8Array, verdict: Verdict, salt = saltFor(validator, taskId), workerVerdicts: WorkerVerdict[] = []): Any => ({
  typeUrl: MSG.Attest,
  value: MsgAttest.encode({ validator, taskId, resultDigest: digest, verdict, salt, workerVerdicts }).finish(),
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
  /** Module params; `mint` turns emission on with these params (testGenesis mints nothing). */
  params?: { attest?: Record<string, unknown>; market?: Record<string, unknown>; workers?: Record<string, unknown>; staking?: Record<string, unknown>; mint?: Record<string, unknown> };
  checkInvariants?: boolean;
  /** Blocks carry last-commit votes (x/slashing signing infos); see TestChainOptions.commitVotes. */
  commitVotes?: boolean;
  /** Blocks may run keeper calls or gov-authority messages mid-block (TestChainOptions.midBlockCalls, TestChain.execMsg). */
  midBlockCalls?: boolean;
}

/**
 * The harness chain plus the PoS cast. A block's `beacon` (BlockSpec) sets its draw seed (the
 * tasks revealed just before); FinalizeBlock trusts it as ProcessProposal admitted it, so
 * tests may use any bytes. Without it: the fallback seed. `hash` replaces the header hash
 * (tests that a proposer's block contents do not move draws).
 */
export interface PosChain extends TestChain {
  client: ChainSigner;
  workers: ChainSigner[];
  validators: { v: TestValidator; signer: ChainSigner }[];
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
  if (opts.params?.mint) state.mint = { params: opts.params.mint };

  // The conservation check runs after every block, so it reads the chain through this slot.
  const started: { chain?: TestChain } = {};
  const store = () => started.chain!.app.store;
  const conservation = () => {
    const escrow = getBalance(store(), moduleAddress(MARKET_ESCROW), BASE_DENOM);
    const treasury = getBalance(store(), moduleAddress(TREASURY), BASE_DENOM);
    const bondsHeld = getBalance(store(), moduleAddress(WORKER_BONDS), BASE_DENOM);
    let all = 0n;
    for (const { coin } of allBalances(store())) if (coin.denom === BASE_DENOM) all += coin.amount;
    const supply = getSupply(store(), BASE_DENOM);
    const others = all - escrow - treasury - bondsHeld;
    if (escrow + treasury + bondsHeld + others !== supply) throw new Error(`conservation broken at height ${started.chain!.height}: ${all} held, supply ${supply}`);
    return { escrow, treasury, bonds: bondsHeld, others, supply };
  };
  const checked = opts.checkInvariants ?? true;
  const base = await startTestChain(state, { checkInvariants: checked, commitVotes: opts.commitVotes, midBlockCalls: opts.midBlockCalls, afterBlock: checked ? () => void conservation() : undefined });
  started.chain = base;
  const chain: PosChain = Object.assign(base, {
    client: base.signer(clientKey),
    workers: workers.map((w) => base.signer(w.key)),
    validators: validators.map((v) => ({ v, signer: base.signer(v.key) })),
    task: (id: bigint) => base.keepers.market.getTask(store(), id)!,
    record: (id: bigint) => getRecord(store(), id),
    balance: (address: string) => getBalance(store(), parseAccountAddress(address), BASE_DENOM),
    moduleBalance: (name: string) => getBalance(store(), moduleAddress(name), BASE_DENOM),
    bond: (worker: string) => BigInt(getWorker(store(), worker)!.bond),
    supply: () => getSupply(store(), BASE_DENOM),
    conservation,
  });
  await chain.run([]);
  return chain;
}

/**
 * A PoS chain (`opts`) with one k = 1 task submitted and committed by worker 0, in two blocks:
 * the next block draws the audit, before any reveal (item 8).
 */
export async function committedTaskChain(opts: PosOptions): Promise<{ c: PosChain; id: bigint }> {
  const c = await startPosChain(opts);
  try {
    const id = nextTaskId(c.app.store);
    expectOk(await c.run([c.client.tx([submitTaskMsg(c.client.address, { bid: 1000n })])]));
    const [w] = c.workers;
    const digest = digestOf("output");
    expectOk(await c.run([w!.tx([commitMsg(w!.address, id, digest)])]));
    return { c, id };
  } catch (err) {
    await c.close();
    throw err;
  }
}
