#!/usr/bin/env node
/**
 * Loopback multi-validator testnet:
 *   node dist/testnet/cli.js up [N]     generate N validators (default 4), start them, wait until all make blocks
 *   node dist/testnet/cli.js down       stop every node (state kept)
 *   node dist/testnet/cli.js start      start the nodes of an existing testnet again
 *   node dist/testnet/cli.js clean      stop and delete the testnet
 *   node dist/testnet/cli.js status     height and app hash per node
 * Nodes live in testnet/nodes/ (or $OGPU_TESTNET_DIR); node i uses ports 30000+10i …+3
 * ($OGPU_TESTNET_BASE_PORT moves the base). `up` refuses while a testnet in that folder is running
 * or one of its ports is taken (it would delete running nodes' folders), and exits non-zero
 * with each node's log tail when a node does not come up; `start` checks the same way.
 */
import { join } from "node:path";
import { packageRoot } from "../cmd/paths.js";
import { existsSync, rmSync } from "node:fs";
import {
  busyPorts, createTestnet, nodePorts, readTestnet, runningTestnetNodes, startTestnetNode, stopTestnetNode,
  testnetNodePid, testnetNodePortList, testnetStatus, waitForTestnet,
} from "./testnet.js";

const dir = process.env.OGPU_TESTNET_DIR ?? join(packageRoot(), "testnet", "nodes");
const basePort = Number(process.env.OGPU_TESTNET_BASE_PORT ?? 30000);
const [command = "help", arg] = process.argv.slice(2);
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
  const busy = await busyPorts(Array.from({ length: n }, (_, i) => Object.values(nodePorts(basePort, i))).flat());
  if (busy.length > 0) throw new Error(`ports ${busy.join(", ")} are in use (another testnet, or nodes whose folders were deleted?); free them or set OGPU_TESTNET_BASE_PORT`);
  console.log(`creating ${n} validators in ${dir} …`);
  await createTestnet({ dir, validators: n, basePort });
  await start();
}

async function start(): Promise<void> {
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
  printSummary();
}

function printSummary(): void {
  const t = readTestnet(dir);
  console.log(`testnet ${t.chainId}: ${t.nodes.length} validators (nodes.json: ${join(dir, "nodes.json")})`);
  for (const n of t.nodes) console.log(`  ${n.moniker}  rpc ${n.rpc}  rest ${n.rest}  p2p ${n.p2p}  validator ${n.account}  log ${join(n.home, "ogpud.log")}`);
  console.log(`  funded client key "faucet" (node0 test keyring, 400,000 OGPU): ${t.faucet.address}\n    mnemonic: ${t.faucet.mnemonic}`);
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
      for (const node of readTestnet(dir).nodes) await stopTestnetNode(node);
      console.log("testnet stopped");
      break;
    case "clean":
      try {
        for (const node of readTestnet(dir).nodes) await stopTestnetNode(node);
      } catch {
        // nothing running
      }
      rmSync(dir, { recursive: true, force: true });
      console.log(`removed ${dir}`);
      break;
    case "status": {
      const t = readTestnet(dir);
      const statuses = await testnetStatus(t);
      t.nodes.forEach((n, i) => {
        const s = statuses[i];
        console.log(`  ${n.moniker}: ${s ? `height ${s.height} app_hash ${s.appHash}` : "down"}`);
      });
      break;
    }
    default:
      console.log("usage: node dist/testnet/cli.js up [N] | start | down | clean | status\n  up refuses while the testnet in testnet/nodes (or $OGPU_TESTNET_DIR) runs or its ports are taken (down or clean first);\n  up and start exit non-zero with log tails when a node does not come up");
      process.exitCode = command === "help" ? 0 : 1;
  }
}

try {
  await main();
} catch (err) {
  console.error(`testnet ${command}: ${(err as Error).message}`);
  process.exitCode = 1;
}
