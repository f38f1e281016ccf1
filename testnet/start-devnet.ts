#!/usr/bin/env node
/**
 * `make start`: a single-node devnet in .devnet/ that produces blocks, with a funded dev
 * key (test keyring) whose address and mnemonic are printed, plus one local `ogpu-worker`
 * (.devnet/worker, funded from the dev key) and the validator's auditor (`ogpu-worker audit`
 * with the dev key, which is the validator operator), so a submitted task runs and settles end
 * to end. Re-running reuses the chain and the worker.
 *
 * The node runs in this process (its log on stdout); worker and auditor are child processes
 * logging to .devnet/worker.log and .devnet/auditor.log, in their own process groups so a
 * terminal's Ctrl-C reaches only this process, which then stops them (SIGTERM, waiting for
 * them) before the node: a worker stopped after its node would spend its grace period
 * failing to reach it.
 */
import { MICRO_PER_OGPU as OGPU } from "../app/coins.js";
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { packageRoot } from "../cmd/paths.js";
import { runCli } from "../cmd/cli.js";
import { startCommand } from "../cmd/ogpud/commands/start.js";
import { Keyring } from "../crypto/keyring.js";
import { writeSecretFile } from "../crypto/secret-file.js";
import { getWorker, type AbciQuerier } from "../sdk/queries.js";
import { initWorkerKeys, readWorkerPublicInfo } from "../worker/keys.js";
import { DEFAULT_NODE_PORTS, initDevnet, waitForHeight, type Devnet } from "./devnet.js";

/** The worker's default bond (1,100 OGPU) plus fees for a long while. */
const WORKER_FUNDING = 1_200n * OGPU;
const CLIENT_FUNDING = 10_000n * OGPU;
const CLIENT_KEY = "client";
const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

const root = packageRoot();
const home = process.env.OGPU_DEVNET_HOME ?? join(root, ".devnet");
const infoFile = join(home, "devnet.json");
const workerHome = join(home, "worker");
const workerScript = join(root, "dist", "worker", "main.js");

let devnet: Devnet;
if (existsSync(infoFile)) {
  devnet = JSON.parse(await readFile(infoFile, "utf8")) as Devnet;
} else {
  // The dev key is also the validator (gentx with 10,000 OGPU self-delegation), so staking,
  // rewards, slashing and Proof-of-Sync audits run for real on the devnet.
  devnet = await initDevnet({ home, ports: DEFAULT_NODE_PORTS, blockTime: "1s", checkInvariants: true, validator: { stake: "10000000000uogpu" }, params: { mint: {} } });
  await writeSecretFile(infoFile, JSON.stringify(devnet, null, 2) + "\n"); // holds the dev key's mnemonic
}
const dev = devnet.accounts[0]!;

/** The worker's address, creating its keys (test keyring) on the first run. */
async function workerAddress(): Promise<string> {
  if (!existsSync(join(workerHome, "worker.json"))) return (await initWorkerKeys(workerHome, "test")).address;
  return (await readWorkerPublicInfo(workerHome)).address;
}

/**
 * The "client" key of the example command, created on the first run: the dev key signs the
 * auditor's votes, and a second signer on the same account could race it for a sequence.
 */
async function clientAddress(): Promise<string> {
  const keyring = Keyring.open(home, "test");
  const existing = await keyring.show(CLIENT_KEY).catch(() => undefined);
  return existing?.address ?? (await keyring.add(CLIENT_KEY)).info.address;
}

/** Tops accounts up to their amounts from the dev key, in one tx (none when all have enough). */
async function fundFromDev(wanted: { address: string; amount: bigint; skip?: (q: AbciQuerier) => Promise<boolean> }[]): Promise<void> {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(dev.mnemonic, { prefix: "ogpu" });
  const client = await SigningStargateClient.connectWithSigner(devnet.rpcUrl, wallet, { gasPrice: GasPrice.fromString("0.001uogpu") });
  const comet = await Comet38Client.connect(devnet.rpcUrl);
  try {
    const msgs = [];
    for (const w of wanted) {
      const balance = BigInt((await client.getBalance(w.address, "uogpu")).amount);
      if (balance >= w.amount || (await w.skip?.(comet))) continue;
      const value = { fromAddress: dev.address, toAddress: w.address, amount: [{ denom: "uogpu", amount: String(w.amount - balance) }] };
      msgs.push({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value });
    }
    if (msgs.length === 0) return;
    const res = await client.signAndBroadcast(dev.address, msgs, "auto");
    if (res.code !== 0) throw new Error(`funding tx failed: ${res.rawLog ?? res.code}`);
  } finally {
    client.disconnect();
    comet.disconnect();
  }
}

/** `ogpu-worker <args>` in its own process group, output appended to `logFile`. */
function spawnRole(args: string[], logFile: string): { proc: ChildProcess; exited: Promise<void> } {
  const log = createWriteStream(logFile, { flags: "a" });
  const proc = spawn(process.execPath, [workerScript, ...args, "--keyring-backend", "test", "--node", devnet.rpcUrl, "--rest", devnet.restUrl], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  proc.stdout!.pipe(log);
  proc.stderr!.pipe(log);
  return { proc, exited: new Promise((resolve) => proc.once("exit", () => resolve())) };
}

const roles: { proc: ChildProcess; exited: Promise<void> }[] = [];

/** SIGTERM worker and auditor and wait (the worker's own grace period is 10 s). */
async function stopRoles(): Promise<void> {
  for (const r of roles) if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill("SIGTERM");
  await Promise.race([Promise.all(roles.map((r) => r.exited)), new Promise((r) => setTimeout(r, 15_000).unref())]);
}

/**
 * The start command stops the node on SIGINT/SIGTERM with listeners it adds once the node is up.
 * Take them over so the roles stop first, then hand the signal on to them.
 */
async function stopRolesBeforeNode(): Promise<void> {
  for (let i = 0; i < 100 && process.listenerCount("SIGTERM") === 0; i++) await new Promise((r) => setTimeout(r, 100));
  for (const signal of STOP_SIGNALS) {
    const nodeListeners = process.listeners(signal);
    process.removeAllListeners(signal);
    process.once(signal, () => {
      console.log(`start-devnet: ${signal}: stopping worker and auditor, then the node`);
      void stopRoles().then(() => {
        for (const l of nodeListeners) (l as (s: NodeJS.Signals) => void)(signal);
      });
    });
  }
}

async function startRoles(): Promise<void> {
  await waitForHeight(devnet.rpcUrl, 2n);
  await stopRolesBeforeNode();
  const worker = await workerAddress();
  const client = await clientAddress();
  // A registered worker has spent most of its funding on the bond: do not top it up again.
  await fundFromDev([
    { address: worker, amount: WORKER_FUNDING, skip: async (q) => (await getWorker(q, worker)) !== undefined },
    { address: client, amount: CLIENT_FUNDING },
  ]);
  roles.push(spawnRole(["start", "--home", workerHome, "--max-concurrent", "2"], join(home, "worker.log")));
  // The dev key signs the auditor's votes: funding (also signed by it) is done, so no sequence race.
  roles.push(spawnRole(["audit", "--home", home, "--key", dev.name], join(home, "auditor.log")));
  // Short paths when under the working directory (make start runs from the repo), else absolute.
  const rel = (p: string) => (relative(process.cwd(), p).startsWith("..") ? p : relative(process.cwd(), p) || ".");
  const input = join(home, "example-matmul.json");
  await writeFile(input, JSON.stringify({ n: 64, seed: 1 }) + "\n");
  console.log(`
oGPU devnet — chain ${devnet.chainId}, home ${home}
  RPC   ${devnet.rpcUrl}
  REST  ${devnet.restUrl}   (metrics: ${devnet.restUrl}/metrics)
  dev key "${dev.name}" (keyring-backend test, 90,000 OGPU + 10,000 OGPU bonded as the validator)
    address   ${dev.address}
    mnemonic  ${dev.mnemonic}
  client key "${CLIENT_KEY}" ${client} (10,000 OGPU, same keyring)
  worker    ${worker} (home ${rel(workerHome)}, log ${rel(join(home, "worker.log"))})
  auditor   the validator's, signing with "${dev.name}" (log ${rel(join(home, "auditor.log"))})
  try:  node dist/cmd/ogpud/main.js q bank balances ${dev.address} --node ${devnet.rpcUrl}
  run a task and get its result (the input is encrypted to the online workers and the auditor key
  the validator published on chain, so wait a few blocks for the worker to register; --public
  uploads it in clear instead):
    node dist/cmd/ogpud/main.js tx market submit-task --from ${CLIENT_KEY} --keyring-backend test --home ${rel(home)} --node ${devnet.rpcUrl} --rest ${devnet.restUrl} --kind matmul --input ${rel(input)} --units 10 --max-price 200 --yes --wait --output-file ${rel(join(home, "example-result.bin"))}
Stop with Ctrl-C; 'make clean-devnet' wipes the chain.
`);
}

const node = runCli({ program: "ogpud", commands: [startCommand] }, ["start", "--home", home]);
startRoles().catch((err: unknown) => console.error(`start-devnet: worker/auditor not started: ${err instanceof Error ? err.message : String(err)}`));
process.exitCode = await node;
await stopRoles();
