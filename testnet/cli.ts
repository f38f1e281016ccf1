#!/usr/bin/env node
/**
 * Loopback multi-validator testnet:
 *   node dist/testnet/cli.js up [N]     generate N validators (default 4) and start them
 *   node dist/testnet/cli.js down       stop every node (state kept)
 *   node dist/testnet/cli.js start      start the nodes of an existing testnet again
 *   node dist/testnet/cli.js clean      stop and delete the testnet
 *   node dist/testnet/cli.js status     height and app hash per node
 * Nodes live in testnet/nodes/ (or $OGPU_TESTNET_DIR); node i uses ports 30000+10i …+3.
 */
import { join } from "node:path";
import { rmSync } from "node:fs";
import { packageRoot } from "../cmd/paths.js";
import { createTestnet, readTestnet, startTestnetNode, stopTestnetNode, testnetNodePid, testnetStatus } from "./testnet.js";
import { waitForHeight } from "./devnet.js";

const dir = process.env.OGPU_TESTNET_DIR ?? join(packageRoot(), "testnet", "nodes");
const basePort = Number(process.env.OGPU_TESTNET_BASE_PORT ?? 30000);
const [command = "help", arg] = process.argv.slice(2);

async function up(n: number): Promise<void> {
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new Error(`validator count must be 1..20, got ${arg}`);
  console.log(`creating ${n} validators in ${dir} …`);
  const testnet = await createTestnet({ dir, validators: n, basePort });
  await start();
  await waitForHeight(testnet.nodes[0]!.rpc, 2n, 60_000);
  printSummary();
}

async function start(): Promise<void> {
  for (const node of readTestnet(dir).nodes) if (testnetNodePid(node) === undefined) startTestnetNode(node);
}

function printSummary(): void {
  const t = readTestnet(dir);
  console.log(`testnet ${t.chainId}: ${t.nodes.length} validators (nodes.json: ${join(dir, "nodes.json")})`);
  for (const n of t.nodes) console.log(`  ${n.moniker}  rpc ${n.rpc}  rest ${n.rest}  p2p ${n.p2p}  validator ${n.account}  log ${join(n.home, "ogpud.log")}`);
  console.log(`  funded client key "faucet" (node0 test keyring, 400,000 OGPU): ${t.faucet.address}\n    mnemonic: ${t.faucet.mnemonic}`);
}

switch (command) {
  case "up":
    await up(Number(arg ?? 4));
    break;
  case "start":
    await start();
    printSummary();
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
    console.log("usage: node dist/testnet/cli.js up [N] | start | down | clean | status");
    process.exitCode = command === "help" ? 0 : 1;
}
