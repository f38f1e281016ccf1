#!/usr/bin/env node
/**
 * `make start`: a single-node devnet in .devnet/ that produces blocks, with a funded dev
 * key (test keyring) whose address and mnemonic are printed. Re-running reuses the chain.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { packageRoot } from "../cmd/paths.js";
import { runCli } from "../cmd/cli.js";
import { startCommand } from "../cmd/ogpud/commands/start.js";
import { DEFAULT_NODE_PORTS, initDevnet, type Devnet } from "./devnet.js";

const home = process.env.OGPU_DEVNET_HOME ?? join(packageRoot(), ".devnet");
const infoFile = join(home, "devnet.json");

let devnet: Devnet;
if (existsSync(infoFile)) {
  devnet = JSON.parse(await readFile(infoFile, "utf8")) as Devnet;
} else {
  // The dev key is also the validator (gentx with 10,000 OGPU self-delegation), so staking,
  // rewards and slashing run for real on the devnet.
  devnet = await initDevnet({ home, ports: DEFAULT_NODE_PORTS, blockTime: "1s", checkInvariants: true, validator: { stake: "10000000000uogpu" } });
  await writeFile(infoFile, JSON.stringify(devnet, null, 2) + "\n");
}
const dev = devnet.accounts[0]!;
console.log(`
oGPU devnet — chain ${devnet.chainId}, home ${home}
  RPC   ${devnet.rpcUrl}
  REST  ${devnet.restUrl}   (metrics: ${devnet.restUrl}/metrics)
  dev key "${dev.name}" (keyring-backend test, 90,000 OGPU + 10,000 OGPU bonded as the validator)
    address   ${dev.address}
    mnemonic  ${dev.mnemonic}
  try:  node dist/cmd/ogpud/main.js q bank balances ${dev.address} --node ${devnet.rpcUrl}
Stop with Ctrl-C; 'make clean-devnet' wipes the chain.
`);
process.exitCode = await runCli("ogpud", [startCommand], ["start", "--home", home]);
