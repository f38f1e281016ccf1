/**
 * A running market testnet as the end-to-end suite and the testnet-e2e benchmark use it: N
 * validator nodes (detached ogpud + cometbft, pid files, so a test can SIGKILL one), every
 * validator's auditor and W workers as attached children (testnet/roles.ts), and an SDK client
 * on node0 holding the faucet account.
 *
 * Every node runs its own kubo, peered (storage "ipfs", as `make testnet`): a client uploads
 * through node0 and workers and auditors fetch through their own nodes. With node-local blobs
 * (storage "local") `upload` puts a public input on every node instead.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OgpuClient } from "../sdk/client.js";
import { blobCid, uploadBlob, type BlobSigner } from "../sdk/blobs.js";
import { listAuditorKeys } from "../sdk/queries.js";
import { blobSignerFromMnemonic } from "../sdk/blob-signer.js";
import type { StdFee } from "@cosmjs/stargate";
import { allRoles, marketGenesisOverrides, marketOperatorKeyType, setupMarketRoles, type TestnetRoles } from "./market.js";
import { roleLogTail, spawnRole, stopRoles, type RoleProcess } from "./roles.js";
import { createTestnet, startTestnetNode, stopTestnetNode, testnetNodeLogTail, waitForTestnet, type Testnet } from "./testnet.js";

/** Fixed client fee: no simulation round trip per task. */
export const MARKET_CLIENT_FEE: StdFee = { amount: [{ denom: "uogpu", amount: "3000" }], gas: "3000000" };

export interface MarketClusterOptions {
  validators: number;
  workers: number;
  /** Node i uses basePort + 10·i …; role k serves metrics on metricsPortBase + k (auditors first). */
  basePort: number;
  metricsPortBase: number;
  pq: boolean;
  blockTime?: string;
  /** Blob backend of every node (default "ipfs": a kubo per node, as `make testnet`). */
  storage?: "local" | "ipfs";
  /** Applied after the market's own genesis overrides. */
  genesisOverrides?: (appState: Record<string, unknown>) => void;
  /** More `ogpud start` flags for every node (e.g. --blob-retention-blocks). */
  nodeStartArgs?: string[];
}

export interface MarketCluster {
  testnet: Testnet;
  roles: TestnetRoles;
  /** Auditors (node order) then workers, as running child processes. */
  procs: RoleProcess[];
  /** The faucet account on node0: submits tasks and uploads inputs. */
  client: OgpuClient;
  blobSigner: BlobSigner;
  /** Uploads a public blob through node0 (node-local storage: to every running node); returns its CID. */
  upload(bytes: Uint8Array): Promise<string>;
  /** Tails of every role's and node's logs, for failure messages. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

export async function startMarketCluster(opts: MarketClusterOptions): Promise<MarketCluster> {
  const dir = mkdtempSync(join(tmpdir(), "ogpu-market-testnet-"));
  const storage = opts.storage ?? "ipfs";
  const procs: RoleProcess[] = [];
  let testnet: Testnet | undefined;
  let client: OgpuClient | undefined;
  const logs = async () => {
    const roleTails = await Promise.all(procs.map((p) => roleLogTail(p, 15)));
    return [...roleTails, ...(testnet?.nodes.map((n) => testnetNodeLogTail(n, 8)) ?? [])].join("\n");
  };
  const stop = async () => {
    await stopRoles(procs);
    client?.disconnect();
    for (const node of testnet?.nodes ?? []) await stopTestnetNode(node);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    testnet = await createTestnet({
      dir, validators: opts.validators, basePort: opts.basePort, blockTime: opts.blockTime ?? "500ms", storage,
      operatorKeyType: marketOperatorKeyType(opts.pq, opts.validators),
      genesisOverrides: (appState) => (marketGenesisOverrides(appState), opts.genesisOverrides?.(appState)),
    });
    for (const node of testnet.nodes) startTestnetNode(node, opts.nodeStartArgs);
    await waitForTestnet(testnet, 2n, 120_000);
    const roles = await setupMarketRoles(testnet, { workers: opts.workers, pq: opts.pq, metricsPortBase: opts.metricsPortBase });
    for (const spec of allRoles(roles)) procs.push(spawnRole(spec));
    const node0 = testnet.nodes[0]!;
    client = await OgpuClient.fromMnemonic(node0.rpc, testnet.faucet.mnemonic, { restUrl: node0.rest, fee: MARKET_CLIENT_FEE, broadcastPollIntervalMs: 200 });
    const c = client;
    await until("every worker online and every auditor key on chain", 180_000, logs, async () => {
      const online = await c.listWorkers({ status: "online" });
      const keys = await listAuditorKeys(c.comet);
      return online.length === opts.workers && keys.length === opts.validators;
    });
    const blobSigner = await blobSignerFromMnemonic(testnet.faucet.mnemonic, testnet.faucet.address);
    const t = testnet;
    const upload = async (bytes: Uint8Array) => {
      const height = BigInt((await c.comet.status()).syncInfo.latestBlockHeight);
      if (storage === "ipfs") return (await uploadBlob(t.nodes[0]!.rest, bytes, blobSigner, height)).cid;
      for (const node of t.nodes) await uploadBlob(node.rest, bytes, blobSigner, height).catch(() => undefined);
      return blobCid(bytes);
    };
    return { testnet, roles, procs, client, blobSigner, upload, logs, stop };
  } catch (err) {
    const context = await logs().catch(() => "");
    await stop();
    throw new Error(`${(err as Error).message}\n${context}`);
  }
}

async function until(what: string, timeoutMs: number, context: () => Promise<string>, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${await context()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Header app hashes of heights from..to (inclusive) as one node's RPC reports them. */
export async function appHashes(rpcUrl: string, from: bigint, to: bigint): Promise<Map<bigint, string>> {
  const hashes = new Map<bigint, string>();
  // /blockchain answers at most 20 headers per call.
  for (let lo = from; lo <= to; lo += 20n) {
    const hi = lo + 19n < to ? lo + 19n : to;
    const res = await fetch(`${rpcUrl}/blockchain?minHeight=${lo}&maxHeight=${hi}`);
    const body = (await res.json()) as { result: { block_metas: { header: { height: string; app_hash: string } }[] } };
    for (const m of body.result.block_metas) hashes.set(BigInt(m.header.height), m.header.app_hash);
  }
  return hashes;
}

/**
 * Heights in from..to where the given nodes' headers carry different app hashes (empty when all
 * agree). A height some node lacks counts as a disagreement.
 */
export async function appHashDisagreements(rpcUrls: readonly string[], from: bigint, to: bigint): Promise<string[]> {
  const views = await Promise.all(rpcUrls.map((url) => appHashes(url, from, to)));
  const bad: string[] = [];
  for (let h = from; h <= to; h++) {
    const seen = views.map((v) => v.get(h) ?? "missing");
    if (new Set(seen).size !== 1) bad.push(`height ${h}: ${seen.join(" / ")}`);
  }
  return bad;
}
