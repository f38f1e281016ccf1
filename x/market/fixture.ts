/** The three-worker market used by the in-process market tests. */
import type { RequestInitChain } from "cosmjs-types/tendermint/abci/types";
import { initChainRequest, startTestChain, testGenesis, testKey, type ChainSigner, type TestChain, type TestChainOptions } from "../../app/testkit.js";
import { BASE_DENOM } from "../../app/coins.js";
import { Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { getBalance } from "../bank/keeper.js";
import { getWorker, WORKER_BONDS } from "../workers/keeper.js";
import { TREASURY } from "../treasury/keeper.js";
import { MARKET_ESCROW } from "./keeper.js";
import { getTask, nextTaskId } from "./store.js";
import { gpu, OGPU, registerWorkerMsg, type WorkerOffer } from "./testing.js";
import { moduleAddress } from "../../app/address.js";

/** w1 cheap RTX4090 in eu, w2 mid A100 in us, w3 dear H100 in eu; 2 slots each. */
export const OFFERS: WorkerOffer[] = [
  { gpus: [gpu("RTX4090", 24_576)], region: "eu", price: 100n, maxConcurrent: 2 },
  { gpus: [gpu("A100", 81_920)], region: "us", price: 300n, maxConcurrent: 2 },
  { gpus: [gpu("H100", 81_920, 8)], region: "eu", price: 500n, maxConcurrent: 2 },
];

export interface MarketFixture {
  chain: TestChain;
  /** The InitChain request the chain started from (to replay it elsewhere). */
  genesisRequest: RequestInitChain;
  client: ChainSigner;
  other: ChainSigner;
  workers: ChainSigner[];
  balance(address: string): bigint;
  moduleBalance(name: string): bigint;
  task(id: bigint): Task;
  nextTaskId(): bigint;
  bond(worker: ChainSigner): bigint;
}

export async function marketFixture(
  params: { workers?: Record<string, unknown>; market?: Record<string, unknown> } = {},
  offers = OFFERS,
  chainOptions: TestChainOptions = {},
): Promise<MarketFixture> {
  const clientKey = testKey(1);
  const otherKey = testKey(2);
  const workerKeys = offers.map((_, i) => testKey(11 + i));
  const state = testGenesis({
    [clientKey.address]: 100_000n * OGPU,
    [otherKey.address]: 100_000n * OGPU,
    ...Object.fromEntries(workerKeys.map((k) => [k.address, 5_000n * OGPU])),
  });
  state.workers = { params: params.workers ?? {} };
  state.market = { params: params.market ?? {} };
  const chain = await startTestChain(state, chainOptions);
  await chain.block([]);
  const workers = workerKeys.map((k) => chain.signer(k));
  const results = await chain.block(workers.map((w, i) => w.tx([registerWorkerMsg(w.address, offers[i]!)])));
  const failed = results.find((r) => r.code !== 0);
  if (failed) throw new Error(`worker registration failed: ${failed.log}`);
  const store = () => chain.app.store;
  return {
    chain,
    genesisRequest: initChainRequest(state),
    client: chain.signer(clientKey),
    other: chain.signer(otherKey),
    workers,
    balance: (address) => getBalance(store(), testAddressBytes(address, [clientKey, otherKey, ...workerKeys]), BASE_DENOM),
    moduleBalance: (name) => getBalance(store(), moduleAddress(name), BASE_DENOM),
    task: (id) => getTask(store(), id)!,
    nextTaskId: () => nextTaskId(store()),
    bond: (w) => BigInt(getWorker(store(), w.address)!.bond),
  };
}

function testAddressBytes(address: string, keys: { address: string; addressBytes: Uint8Array }[]): Uint8Array {
  const key = keys.find((k) => k.address === address);
  if (!key) throw new Error(`unknown test address ${address}`);
  return key.addressBytes;
}

export { MARKET_ESCROW, TREASURY, WORKER_BONDS };
