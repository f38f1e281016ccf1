#!/usr/bin/env node
/**
 * Loopback multi-validator testnet running the whole market:
 *   node dist/testnet/cli.js up [N]     generate N validators (default 4), start them, wait until all make blocks,
 *                                       then start every validator's auditor and $OGPU_TESTNET_WORKERS workers
 *   node dist/testnet/cli.js down       stop every worker, auditor, node and node's kubo (state kept)
 *   node dist/testnet/cli.js start      start the nodes and roles of an existing testnet again
 *   node dist/testnet/cli.js clean      stop and delete the testnet
 *   node dist/testnet/cli.js status     height, app hash and storage (kubo ready, peer count) per node; workers
 *                                       (on-chain status) and auditors
 * Storage: every node runs its own kubo (`ogpud init --storage ipfs`: swarm key per chain, the
 * nodes peered; ports p2p+7..+9) unless $OGPU_TESTNET_STORAGE=local (node-local blobs); `down`
 * stops the kubo daemons with their nodes.
 * Market roles (testnet/market.ts): one auditor per validator against its own node, W workers
 * ($OGPU_TESTNET_WORKERS, default 4) spread over nodes 1..N-1, worker0 and the last validator
 * post-quantum (ML-DSA-65) unless $OGPU_TESTNET_PQ=0; $OGPU_TESTNET_MARKET=0 starts bare nodes.
 * Nodes live in testnet/nodes/ (or $OGPU_TESTNET_DIR); node i uses ports 30000+10i …+4, +6 (+7..+9 kubo)
 * ($OGPU_TESTNET_BASE_PORT moves the base). `up` refuses while a testnet in that folder is running
 * or one of its ports is taken (it would delete running nodes' folders), and exits non-zero
 * with each node's log tail when a node does not come up; `start` checks the same way.
 */
import { join } from "node:path";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { packageRoot } from "../cmd/paths.js";
import { existsSync, rmSync } from "node:fs";
import { WorkerStatus } from "../proto/gen/ogpu/workers/v1/workers.js";
import { listAuditorKeys, listWorkers } from "../sdk/queries.js";
import { allRoles, marketGenesisOverrides, marketOperatorKeyType, readMarketRoles, setupMarketRoles } from "./market.js";
import { livePid, roleLogFile, rolePidFile, startRoleDetached, stopPidFile } from "./roles.js";
import { describeStorage } from "./kubo.js";
import {
  busyPorts, createTestnet, nodePortList, readTestnet, runningTestnetNodes, startTestnetNode, stopTestnetNode,
  testnetNodePid, testnetNodePortList, testnetStatus, waitForTestnet,
} from "./testnet.js";

const dir = process.env.OGPU_TESTNET_DIR ?? join(packageRoot(), "testnet", "nodes");
const basePort = Number(process.env.OGPU_TESTNET_BASE_PORT ?? 30000);
const [command = "help", arg] = process.argv.slice(2);
const market = process.env.OGPU_TESTNET_MARKET !== "0";
const pq = process.env.OGPU_TESTNET_PQ !== "0";
const workerCount = Number(process.env.OGPU_TESTNET_WORKERS ?? 4);
const storage = process.env.OGPU_TESTNET_STORAGE ?? "ipfs";
/** How long `up`/`start` wait for every node to make blocks before reporting failure. */
const START_TIMEOUT_MS = 60_000;

async function up(n: number): Promise<void> {
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new Error(`validator count must be 1..20, got ${arg}`);
  if (existsSync(join(dir, "nodes.json"))) {
    const running = runningTestnetNodes(readTestnet(dir));
    if (running.length > 0) {
      const list = running.map((r) => `${r.node.moniker} (pid ${r.pid})`).join(", ");
      throw new Error(`a testnet is running in ${dir}: ${list}. Stop it first (make testnet-down keeps its state, make testnet-clean deletes it); up would delete running nodes' folders`);
    }
  }
  if (storage !== "ipfs" && storage !== "local") throw new Error(`storage must be ipfs or local, got ${storage}`);
  const busy = await busyPorts(Array.from({ length: n }, (_, i) => nodePortList(basePort, i, storage)).flat());
  if (busy.length > 0) throw new Error(`ports ${busy.join(", ")} are in use (another testnet, or nodes whose folders were deleted?); free them or set OGPU_TESTNET_BASE_PORT`);
  if (!Number.isInteger(workerCount) || workerCount < 0 || workerCount > 32) throw new Error(`worker count must be 0..32, got ${process.env.OGPU_TESTNET_WORKERS}`);
  console.log(`creating ${n} validators in ${dir} (storage ${storage}) …`);
  const marketGenesis = market ? { genesisOverrides: marketGenesisOverrides, operatorKeyType: marketOperatorKeyType(pq, n) } : {};
  const testnet = await createTestnet({ dir, validators: n, basePort, storage, ...marketGenesis });
  await startNodes();
  if (market) {
    console.log(`starting ${n} auditors and ${workerCount} workers …`);
    await setupMarketRoles(testnet, { workers: workerCount, pq });
    startRoles();
  }
  printSummary();
}

async function start(): Promise<void> {
  await startNodes();
  startRoles();
  printSummary();
}

/** Starts the market roles that are not running (none on a bare testnet). */
function startRoles(): void {
  const roles = readMarketRoles(dir);
  if (!roles) return;
  for (const spec of allRoles(roles)) if (livePid(rolePidFile(spec)) === undefined) startRoleDetached(spec);
}

/** Workers first (they would spend their grace period on a stopped node), then auditors, then nodes (and their kubo). */
async function stopAll(): Promise<void> {
  const roles = readMarketRoles(dir);
  if (roles) {
    await Promise.all(roles.workers.map((w) => stopPidFile(rolePidFile(w))));
    await Promise.all(roles.auditors.map((a) => stopPidFile(rolePidFile(a))));
  }
  for (const node of readTestnet(dir).nodes) await stopTestnetNode(node);
}

async function startNodes(): Promise<void> {
  const testnet = readTestnet(dir);
  const stopped = testnet.nodes.filter((node) => testnetNodePid(node) === undefined);
  const busy = await busyPorts(stopped.flatMap(testnetNodePortList));
  if (busy.length > 0) throw new Error(`ports ${busy.join(", ")} of stopped nodes are in use by another process`);
  for (const node of stopped) startTestnetNode(node);
  try {
    await waitForTestnet(testnet, 2n, START_TIMEOUT_MS);
  } catch (err) {
    // Leave no half-started testnet behind: the report below is the last word.
    for (const node of stopped) await stopTestnetNode(node);
    throw err;
  }
}

function printSummary(): void {
  const t = readTestnet(dir);
  console.log(`testnet ${t.chainId}: ${t.nodes.length} validators, storage ${t.storage ?? "local"} (nodes.json: ${join(dir, "nodes.json")})`);
  for (const n of t.nodes) {
    const kubo = n.kubo ? `  kubo api ${n.kubo.api} swarm ${n.kubo.swarm}` : "";
    console.log(`  ${n.moniker}  rpc ${n.rpc}  rest ${n.rest}  p2p ${n.p2p}${kubo}  validator ${n.account}  log ${join(n.home, "ogpud.log")}`);
  }
  console.log(`  funded client key "faucet" (node0 test keyring, 400,000 OGPU): ${t.faucet.address}\n    mnemonic: ${t.faucet.mnemonic}`);
  const roles = readMarketRoles(dir);
  if (!roles) return;
  for (const a of roles.auditors) console.log(`  ${a.name}  ${a.keyType ?? "secp256k1"}  log ${roleLogFile(a)}`);
  for (const w of roles.workers) console.log(`  ${w.name}  ${w.keyType ?? "secp256k1"}  ${w.address} → node${w.nodeIndex}  log ${roleLogFile(w)}`);
  console.log("  clients submit through node0 (its rpc/rest above); workers fetch and upload through their own nodes (the other nodes' REST as failover)");
}

/** Each role's process, and what the chain says of it (worker status, auditor key published), as node0 answers. */
async function roleStatus(): Promise<void> {
  const t = readTestnet(dir);
  const roles = readMarketRoles(dir);
  if (!roles) return;
  let onChain: { workers: Map<string, string>; auditorKeys: Set<string> } | undefined;
  const up = (await testnetStatus(t)).findIndex((s) => s !== undefined);
  if (up >= 0) {
    const comet = await Comet38Client.connect(t.nodes[up]!.rpc);
    try {
      const workers = new Map((await listWorkers(comet)).map((w) => [w.worker?.operator ?? "", WorkerStatus[w.status].replace("WORKER_STATUS_", "").toLowerCase()]));
      onChain = { workers, auditorKeys: new Set((await listAuditorKeys(comet)).map((k) => k.validator)) };
    } finally {
      comet.disconnect();
    }
  }
  const proc = (spec: Parameters<typeof rolePidFile>[0]) => (livePid(rolePidFile(spec)) === undefined ? "stopped" : `pid ${livePid(rolePidFile(spec))}`);
  for (const a of roles.auditors) {
    const key = onChain === undefined ? "chain unreachable" : onChain.auditorKeys.has(t.nodes[a.nodeIndex]!.account) ? "auditor key on chain" : "no auditor key on chain";
    console.log(`  ${a.name}: ${proc(a)}, ${a.keyType ?? "secp256k1"}, ${key}`);
  }
  for (const w of roles.workers) {
    const status = onChain === undefined ? "chain unreachable" : (onChain.workers.get(w.address) ?? "not registered");
    console.log(`  ${w.name} → node${w.nodeIndex}: ${proc(w)}, ${w.keyType ?? "secp256k1"}, ${status}`);
  }
}

async function main(): Promise<void> {
  switch (command) {
    case "up":
      await up(Number(arg ?? 4));
      break;
    case "start":
      await start();
      break;
    case "down":
      await stopAll();
      console.log("testnet stopped");
      break;
    case "clean":
      try {
        await stopAll();
      } catch {
        // nothing running
      }
      rmSync(dir, { recursive: true, force: true });
      console.log(`removed ${dir}`);
      break;
    case "status": {
      const t = readTestnet(dir);
      const statuses = await testnetStatus(t);
      const storages = await Promise.all(t.nodes.map((n) => describeStorage(n.home)));
      t.nodes.forEach((n, i) => {
        const s = statuses[i];
        console.log(`  ${n.moniker}: ${s ? `height ${s.height} app_hash ${s.appHash}` : "down"}, ${storages[i]}`);
      });
      await roleStatus();
      break;
    }
    default:
      console.log("usage: node dist/testnet/cli.js up [N] | start | down | clean | status\n  env: OGPU_TESTNET_STORAGE=ipfs|local (default ipfs: a kubo per node), OGPU_TESTNET_WORKERS (default 4), OGPU_TESTNET_PQ=0 (no ML-DSA-65 worker/auditor), OGPU_TESTNET_MARKET=0 (nodes only)\n  down stops workers, auditors, nodes and their kubo daemons (state kept)\n  up refuses while the testnet in testnet/nodes (or $OGPU_TESTNET_DIR) runs or its ports are taken (down or clean first);\n  up and start exit non-zero with log tails when a node does not come up");
      process.exitCode = command === "help" ? 0 : 1;
  }
}

try {
  await main();
} catch (err) {
  console.error(`testnet ${command}: ${(err as Error).message}`);
  process.exitCode = 1;
}
