/**
 * The market on the loopback testnet: every validator runs its auditor (`ogpu-worker audit` with
 * its node's operator key, against its own node) and W workers are spread over nodes N-1..1 —
 * never node0, where clients submit, so a task always crosses the network. With `pq`, worker0
 * and the last validator's auditor sign with ML-DSA-65 keys (post-quantum Proof of Sync).
 *
 * Layout under the testnet dir: `workers/worker<j>/` (keys, worker.log, worker.pid), each
 * node's `auditor.log` / `auditor.pid` in its home, and `market.json` (the role specs, so
 * `start`, `status` and `down` find them again).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import { MICRO_PER_OGPU as OGPU } from "../app/coins.js";
import type { KeyType } from "../crypto/keyring.js";
import { initRoleHome, type RoleSpec } from "./roles.js";
import type { Testnet } from "./testnet.js";

export const MARKET_FILE = "market.json";
/** A worker's default bond (1,100 OGPU) plus fees for a long while. */
const WORKER_FUNDING = 1_200n * OGPU;

/** A worker of the testnet: its role spec plus the account it registers. */
export type TestnetWorker = RoleSpec & { address: string; nodeIndex: number };

export interface TestnetRoles {
  auditors: (RoleSpec & { nodeIndex: number })[];
  workers: TestnetWorker[];
}

/**
 * Genesis of a market testnet: audit committees of 3 validators, and commit / reveal / audit
 * windows long enough for re-execution on a loaded machine.
 */
export function marketGenesisOverrides(appState: Record<string, unknown>): void {
  setGenesisParams(appState, "attest", { committee_size: 3, audit_timeout_blocks: 40, reveal_timeout_blocks: 30 });
  setGenesisParams(appState, "market", { commit_timeout_blocks: 40 });
  setGenesisParams(appState, "workers", { heartbeat_timeout_blocks: 100 });
}

/** Sets some of `module`'s params in a genesis app_state (a createTestnet genesisOverrides step). */
export function setGenesisParams(appState: Record<string, unknown>, module: string, params: Record<string, number>): void {
  const section = (appState[module] ?? {}) as { params?: Record<string, unknown> };
  appState[module] = { ...section, params: { ...section.params, ...params } };
}

/** Operator key type of validator `index` of `n`: the last one is post-quantum when `pq`. */
export function marketOperatorKeyType(pq: boolean, n: number): (index: number) => KeyType {
  return (index) => (pq && n > 1 && index === n - 1 ? "mldsa65" : "secp256k1");
}

/** The node worker `j` attaches to: N-1, N-2, …, 1 round robin (node0 is the clients' node); node0 alone on a 1-node net. */
export function workerNodeIndex(j: number, n: number): number {
  return n < 2 ? 0 : n - 1 - (j % (n - 1));
}

const endpoint = (testnet: Testnet, i: number) => ({ rpc: testnet.nodes[i]!.rpc, rest: testnet.nodes[i]!.rest });

/**
 * A worker's endpoints: node i's RPC, and REST of node i first, then the other nodes' (node0,
 * the clients' node, last) as failover when node i does not answer or lacks a blob.
 */
export function workerEndpoint(testnet: Pick<Testnet, "nodes">, i: number): RoleSpec["node"] {
  const others = testnet.nodes.map((_, k) => k).filter((k) => k !== i).sort((a, b) => b - a);
  return { rpc: testnet.nodes[i]!.rpc, rest: [i, ...others].map((k) => testnet.nodes[k]!.rest).join(",") };
}

/**
 * Creates W worker homes (worker0 ML-DSA-65 when `pq`), funds them from the faucet in one tx
 * (the chain must be running) and writes market.json with every auditor's and worker's spec.
 */
export async function setupMarketRoles(testnet: Testnet, opts: { workers: number; pq: boolean; metricsPortBase?: number }): Promise<TestnetRoles> {
  const n = testnet.nodes.length;
  const metricsPort = (k: number) => (opts.metricsPortBase === undefined ? undefined : opts.metricsPortBase + k);
  const auditors = testnet.nodes.map((node, i) => ({
    name: `auditor@${node.moniker}`, kind: "auditor" as const, home: node.home, keyName: "validator", keyType: node.keyType,
    node: endpoint(testnet, i), nodeIndex: i, metricsPort: metricsPort(i),
  }));
  const workers: TestnetWorker[] = [];
  for (let j = 0; j < opts.workers; j++) {
    const home = join(testnet.dir, "workers", `worker${j}`);
    mkdirSync(home, { recursive: true });
    const keyType: KeyType = opts.pq && j === 0 ? "mldsa65" : "secp256k1";
    const nodeIndex = workerNodeIndex(j, n);
    const address = initRoleHome(home, keyType);
    workers.push({ name: `worker${j}`, kind: "worker", home, keyType, address, nodeIndex, node: workerEndpoint(testnet, nodeIndex), metricsPort: metricsPort(n + j) });
  }
  await fundFromFaucet(testnet, workers.map((w) => w.address), WORKER_FUNDING);
  const roles: TestnetRoles = { auditors, workers };
  writeFileSync(join(testnet.dir, MARKET_FILE), JSON.stringify(roles, null, 2) + "\n");
  return roles;
}

/** The roles of a market testnet, or undefined for a testnet started without them. */
export function readMarketRoles(dir: string): TestnetRoles | undefined {
  const file = join(dir, MARKET_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as TestnetRoles) : undefined;
}

/** Every role of a market testnet, auditors first. */
export const allRoles = (roles: TestnetRoles): RoleSpec[] => [...roles.auditors, ...roles.workers];

/** Sends `amount` uogpu to each address from the faucet key, in one tx through node0. */
export async function fundFromFaucet(testnet: Testnet, addresses: readonly string[], amount: bigint): Promise<void> {
  if (addresses.length === 0) return;
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(testnet.faucet.mnemonic, { prefix: "ogpu" });
  const client = await SigningStargateClient.connectWithSigner(testnet.nodes[0]!.rpc, wallet, { gasPrice: GasPrice.fromString("0.001uogpu"), broadcastPollIntervalMs: 200 });
  try {
    const msgs = addresses.map((toAddress) => ({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: testnet.faucet.address, toAddress, amount: [{ denom: "uogpu", amount: amount.toString() }] } }));
    const res = await client.signAndBroadcast(testnet.faucet.address, msgs, "auto");
    if (res.code !== 0) throw new Error(`funding tx failed: ${res.rawLog ?? res.code}`);
  } finally {
    client.disconnect();
  }
}
