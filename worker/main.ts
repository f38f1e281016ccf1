#!/usr/bin/env node
/**
 * `ogpu-worker`: the GPU provider sidecar (docs/worker.md).
 *
 *   ogpu-worker init  --home <dir> [--keyring-backend file|test] [--recover] [--key-type secp256k1|mldsa65]
 *   ogpu-worker start --home <dir> --node http://127.0.0.1:26657 --rest http://127.0.0.1:1317 …
 *   ogpu-worker audit --home <validator home> --key <operator key name> --node … --rest …
 */
import { probeOci } from "./executors/oci.js";
import { realpathSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fromBech32 } from "../crypto/bech32.js";
import type { KeyringBackend, KeyType } from "../crypto/keyring.js";
import { MsgRegisterWorker, MsgUpdateWorker } from "../proto/gen/ogpu/workers/v1/tx.js";
import type { Gpu } from "../proto/gen/ogpu/workers/v1/workers.js";
import { fetchBlob, uploadBlob } from "../sdk/blobs.js";
import { MSG } from "../sdk/registry.js";
import { CliError, intFlag, runCli, stringFlag, type Command, type Flags, type OptionSpec } from "../cmd/cli.js";
import { logOptions, loggerFromFlags } from "../cmd/log-flags.js";
import { promptLine } from "../cmd/prompt.js";
import type { Logger } from "../app/log.js";
import { Auditor, publishAuditorKey } from "./auditor.js";
import { ChainClient, ChainFollower, committeesOf, paymentsTo, type ChainSignal } from "./chain.js";
import { accountAddressString, moduleAddress } from "../app/address.js";
import { MARKET_ESCROW } from "../x/market/keeper.js";
import { describeSandbox, executors, probeSandbox } from "./executors/index.js";
import { availableRuntimes, parseProgramEnv } from "./programs/index.js";
import { parseTestFault, TEST_FAULT_ENV, withTestFault } from "./programs/fault.js";
import { CLEAR_RUNTIMES } from "../app/program-runtimes.js";
import { gpusForSlot, readInventory } from "./inventory.js";
import { initWorkerKeys, loadAuditorKeys, loadWorkerKeys, writeAuditorPublicInfo, type WorkerKeys } from "./keys.js";
import { WorkerMetrics } from "./metrics.js";
import { Runner } from "./runner.js";
import { workerAccountCommands } from "./status.js";
import { FileStateStore } from "./state.js";

const DEFAULT_BOND = "1100000000uogpu";

/** --key-type: the signing key's algorithm; ML-DSA-65 makes the role's txs and uploads post-quantum. */
function keyTypeOf(flags: Flags): KeyType | undefined {
  const t = flags["key-type"];
  if (t === undefined) return undefined;
  if (t !== "secp256k1" && t !== "mldsa65") throw new CliError(`--key-type must be secp256k1 or mldsa65, got ${String(t)}`);
  return t;
}

const keyTypeOption = (what: string) => ({ "key-type": { type: "string", description: what } }) as const;

function backendOf(flags: Flags): KeyringBackend {
  const b = flags["keyring-backend"] ?? "file";
  if (b !== "file" && b !== "test") throw new CliError(`--keyring-backend must be file or test, got ${String(b)}`);
  return b;
}

/** "1100000000uogpu" or "1100000000" → "1100000000". */
function uogpu(flag: string, text: string): string {
  const m = /^([0-9]+)(uogpu)?$/.exec(text);
  if (!m) throw new CliError(`--${flag} must be an amount in uogpu, e.g. 1100000000uogpu`);
  return m[1]!;
}

const initCommand: Command = {
  name: "init",
  summary: "Create the worker's signing key and encryption key pair",
  usage: "--home <dir> [--keyring-backend file|test] [--recover] [--key-type secp256k1|mldsa65]",
  options: {
    home: { type: "string", description: "worker home directory" },
    "keyring-backend": { type: "string", description: "file (encrypted with $OGPU_KEYRING_PASSPHRASE, default) or test (plain, for scripts)" },
    recover: { type: "boolean", description: "recover from a mnemonic read from stdin" },
    ...keyTypeOption("signing key: secp256k1 (default) or mldsa65 (post-quantum ML-DSA-65: txs, attestations and uploads)"),
  },
  async run({ flags }) {
    const home = stringFlag(flags, "home");
    const mnemonic = flags.recover ? await promptLine("mnemonic: ") : undefined;
    const info = await initWorkerKeys(home, backendOf(flags), mnemonic, keyTypeOf(flags) ?? "secp256k1");
    console.log(`address:    ${info.address}`);
    console.log(`enc pubkey: ${info.encPubkey}`);
    if (!flags.recover) console.log(`\nmnemonic (recovers both keys; write it down):\n${info.mnemonic}`);
  },
};

/** `--gpu vendor:model:vram_mb[:count],…` declares the offer by hand (machines without nvidia-smi, tests). */
function parseGpuFlag(text: string): Gpu[] {
  return text.split(",").map((entry) => {
    const [vendor, model, vram, count] = entry.split(":");
    if (!vendor || !model || !vram || !/^[0-9]+$/.test(vram) || (count !== undefined && !/^[0-9]+$/.test(count))) {
      throw new CliError(`--gpu entries are vendor:model:vram_mb[:count], got '${entry}'`);
    }
    return { vendor, model, vramMb: BigInt(vram), pciId: "", count: count === undefined ? 1 : Number(count) };
  });
}

async function connectWithRetry(connect: () => Promise<ChainClient>, timeoutMs: number): Promise<ChainClient> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await connect();
    } catch (err) {
      if (Date.now() > deadline) throw new CliError(`cannot reach the node: ${err instanceof Error ? err.message : String(err)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** The chain client of a role's key, retrying for 60 s so a role can start together with its node. */
function connectChain(flags: Flags, keys: WorkerKeys): Promise<ChainClient> {
  const rpcUrl = stringFlag(flags, "node", "http://127.0.0.1:26657");
  const gasPrice = stringFlag(flags, "gas-prices", "0.001uogpu");
  return connectWithRetry(() => ChainClient.connect({ rpcUrl, key: keys.account, gasPrice }), 60_000);
}

/** A role's logger (pino, --log-level/--log-format) and the line-logging function its components take. */
function roleLog(name: string, flags: Flags): { logger: Logger; log: (line: string) => void } {
  const logger = loggerFromFlags(name, flags);
  return { logger, log: (line) => logger.info(line) };
}

/** Serves --metrics-port when given; returns the server to close. */
async function serveMetrics(flags: Flags, metrics: WorkerMetrics, log: (line: string) => void) {
  const port = flags["metrics-port"] === undefined ? undefined : intFlag(flags, "metrics-port", 0);
  const served = port === undefined ? undefined : await metrics.serve(port);
  if (served) log(`metrics on http://127.0.0.1:${served.port}/metrics`);
  return served;
}

const untilSignal = () =>
  new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });

const connectionOptions = {
  "keyring-backend": { type: "string", description: "file (default) or test" },
  node: { type: "string", description: "CometBFT RPC (default http://127.0.0.1:26657)" },
  rest: { type: "string", description: "node REST / blob store; several comma-separated (a,b,c) are failed over in order (default http://127.0.0.1:1317)" },
  "metrics-port": { type: "string", description: "serve Prometheus /metrics on 127.0.0.1:<port>" },
  "gas-prices": { type: "string", description: "gas price of the role's txs (default 0.001uogpu)" },
  ...logOptions,
} satisfies OptionSpec;

const startCommand: Command = {
  name: "start",
  summary: "Register (or update) this worker, then run assigned tasks until SIGTERM",
  usage: "--home <dir> --node <rpc url> --rest <rest url> [flags]",
  options: {
    home: { type: "string", description: "worker home directory (keys, state file)" },
    ...connectionOptions,
    bond: { type: "string", description: `bond on first registration (default ${DEFAULT_BOND})` },
    "price-per-unit": { type: "string", description: "uogpu per compute unit (default 100)" },
    region: { type: "string", description: "region label (default local)" },
    "max-concurrent": { type: "string", description: "jobs at once (default 2)" },
    "heartbeat-blocks": { type: "string", description: "send MsgHeartbeat every N blocks (default 20; keep well under heartbeat_timeout_blocks)" },
    gpu: { type: "string", description: "declare the offer: vendor:model:vram_mb[:count],… (default: nvidia-smi inventory)" },
    "grace-ms": { type: "string", description: "on SIGTERM, wait this long for running jobs (default 10000)" },
    "program-env": { type: "string", description: "extra environment for every program job: NAME=VALUE,… (e.g. OMP_NUM_THREADS=4)" },
    ...keyTypeOption("refuse to start unless the worker key is of this type (secp256k1 | mldsa65)"),
  },
  async run({ flags }) {
    const home = stringFlag(flags, "home");
    const rpcUrl = stringFlag(flags, "node", "http://127.0.0.1:26657");
    const restUrl = stringFlag(flags, "rest", "http://127.0.0.1:1317");
    const maxConcurrent = intFlag(flags, "max-concurrent", 2);
    const heartbeatBlocks = Math.max(1, intFlag(flags, "heartbeat-blocks", 20));
    const { logger, log } = roleLog("ogpu-worker", flags);

    const keys = await loadWorkerKeys(home, backendOf(flags), keyTypeOf(flags));
    const chain = await connectChain(flags, keys);
    const inventory = await readInventory();
    for (const w of inventory.warnings) log(`inventory: ${w}`);
    const gpus = typeof flags.gpu === "string" ? parseGpuFlag(flags.gpu) : inventory.gpus;
    const oci = probeOci();
    // Said at start so an operator sees why `oci` programs are not offered here.
    if (!oci.available) log(`runtime oci not offered: ${oci.reason}`);
    let runtimes = availableRuntimes({ env: parseProgramEnv(typeof flags["program-env"] === "string" ? flags["program-env"] : ""), oci });
    const testFault = process.env[TEST_FAULT_ENV];
    if (testFault) {
      // Tests only (worker/programs/fault.ts): this worker returns wrong results on purpose.
      runtimes = withTestFault(runtimes, parseTestFault(testFault));
      log(`TEST FAULT ${TEST_FAULT_ENV}=${testFault}: every program result is perturbed; this worker WILL be slashed`);
    }
    const offer = {
      operator: keys.address,
      gpus,
      region: stringFlag(flags, "region", "local"),
      pricePerUnit: uogpu("price-per-unit", stringFlag(flags, "price-per-unit", "100")),
      maxConcurrent,
      encPubkey: keys.kem.publicKey,
    };
    const advertised = [...runtimes.keys()];
    if (await chain.getWorker()) {
      // An empty list would keep the old one: a worker that lost its sandbox must withdraw "process".
      await chain.send(MSG.UpdateWorker, MsgUpdateWorker.fromPartial({ ...offer, addBond: "", runtimes: advertised.length > 0 ? advertised : [CLEAR_RUNTIMES] }));
      log(`updated worker ${keys.address}`);
    } else {
      await chain.send(MSG.RegisterWorker, MsgRegisterWorker.fromPartial({ ...offer, runtimes: advertised, bond: uogpu("bond", stringFlag(flags, "bond", DEFAULT_BOND)) }));
      log(`registered worker ${keys.address}`);
    }
    log(`offer: ${gpus.map((g) => `${g.count}× ${g.vendor} ${g.model} ${g.vramMb} MB`).join(", ")}; ${maxConcurrent} slot(s); executors: ${[...executors.keys()].join(", ")}; program runtimes: ${[...runtimes.keys()].join(", ") || "none"}`);
    // Said at start so an operator sees whether exec jobs could run here, and why not.
    log(describeSandbox(probeSandbox()));

    const metrics = new WorkerMetrics({ processMetrics: true });
    const served = await serveMetrics(flags, metrics, log);
    let height = await chain.height();
    const gpuIndices = inventory.devices.map((d) => d.index);
    const runner = new Runner({
      address: keys.address,
      addressBytes: fromBech32(keys.address, "ogpu"),
      chain,
      blobs: { fetch: (cid) => fetchBlob(restUrl, cid), upload: async (bytes) => (await uploadBlob(restUrl, bytes, keys.blobSigner, height)).cid },
      executors,
      runtimes,
      state: await FileStateStore.open(join(home, "worker-state.json")),
      maxConcurrent,
      kemSecret: keys.kem.secretKey,
      metrics,
      gpusForSlot: gpuIndices.length > 0 ? (slot) => gpusForSlot(slot, maxConcurrent, gpuIndices) : undefined,
      log,
    });

    let lastBeat = height;
    const onSignal = (signal: ChainSignal) => {
      if (signal.type === "block") {
        height = BigInt(signal.height);
        metrics.height.set(signal.height);
        if (height - lastBeat >= BigInt(heartbeatBlocks)) {
          lastBeat = height;
          chain.heartbeat().then(
            () => metrics.txs.inc({ msg: "heartbeat", outcome: "ok" }),
            (err: unknown) => (metrics.txs.inc({ msg: "heartbeat", outcome: "error" }), logger.warn(`heartbeat: ${err instanceof Error ? err.message : String(err)}`)),
          );
        }
      }
      if (signal.type === "resync") log(`resync (${signal.reason})`);
      if (signal.type === "assigned") log(`task ${signal.taskId}: assigned at height ${signal.height}`);
      if (signal.type === "paid") {
        metrics.earnings.inc(Number(signal.amount));
        log(`paid ${signal.amount}uogpu at height ${signal.height}`);
        return;
      }
      void runner.handle(signal);
    };
    const escrow = accountAddressString(moduleAddress(MARKET_ESCROW));
    const follower = new ChainFollower({ rpcUrl, worker: keys.address, extraWatches: paymentsTo(keys.address, escrow), onSignal, onReconnect: () => metrics.reconnects.inc() });
    const utilisation = inventory.source === "nvidia-smi" ? setInterval(() => void sampleUtilisation(metrics), 15_000) : undefined;
    log(`following assignments of ${keys.address} (${keys.keyType} key) at ${rpcUrl}`);

    await untilSignal();
    log("stopping: no new work; finishing running jobs");
    clearInterval(utilisation);
    await runner.stop(intFlag(flags, "grace-ms", 10_000));
    await follower.stop();
    served?.server.close();
    chain.disconnect();
    log("stopped");
  },
};

async function sampleUtilisation(metrics: WorkerMetrics): Promise<void> {
  const inv = await readInventory({ timeoutMs: 5000 });
  for (const d of inv.devices) if (d.utilizationPct !== null) metrics.gpuUtilisation.set({ gpu: String(d.index) }, d.utilizationPct / 100);
}

const auditCommand: Command = {
  name: "audit",
  summary: "Run a validator's auditor: re-execute tasks its operator is drawn to audit and vote (MsgAttest)",
  usage: "--home <dir with the operator's keyring> --key <operator key name> --node <rpc url> --rest <rest url> [flags]",
  options: {
    home: { type: "string", description: "home whose keyring holds the validator operator's key (e.g. the ogpud home)" },
    key: { type: "string", description: "keyring name of the validator's operator account" },
    ...connectionOptions,
    ...keyTypeOption("refuse to start unless the operator key is of this type (secp256k1 | mldsa65: post-quantum attestations)"),
  },
  async run({ flags }) {
    const home = stringFlag(flags, "home");
    const rpcUrl = stringFlag(flags, "node", "http://127.0.0.1:26657");
    const restUrl = stringFlag(flags, "rest", "http://127.0.0.1:1317");
    const { log } = roleLog("ogpu-auditor", flags);
    const keys = await loadAuditorKeys(home, backendOf(flags), stringFlag(flags, "key"), keyTypeOf(flags));
    const encPubkey = Buffer.from(keys.kem.publicKey).toString("base64");
    await writeAuditorPublicInfo(home, { address: keys.address, encPubkey });
    const chain = await connectChain(flags, keys);
    // Clients wrap encrypted inputs to the keys published on chain: without ours, every
    // encrypted task a committee draws us for is one we cannot re-execute.
    await publishAuditorKey(chain, keys.address, keys.kem.publicKey, log);
    const metrics = new WorkerMetrics({ processMetrics: true });
    const served = await serveMetrics(flags, metrics, log);
    // Every GPU of the host re-executes GPU programs (the auditor runs one job at a time).
    const gpuIndices = (await readInventory()).devices.map((d) => d.index);
    const auditor = new Auditor({ operator: keys.address, chain, fetchBlob: (cid) => fetchBlob(restUrl, cid), executors, runtimes: availableRuntimes(), gpus: gpuIndices.length > 0 ? gpuIndices.join(",") : undefined, kemSecret: keys.kem.secretKey, metrics, log });
    const onSignal = (signal: ChainSignal) => {
      if (signal.type === "block") metrics.height.set(signal.height);
      if (signal.type === "resync") log(`resync (${signal.reason})`);
      void auditor.handle(signal);
    };
    const follower = new ChainFollower({ rpcUrl, watch: committeesOf(keys.address), onSignal, onReconnect: () => metrics.reconnects.inc() });
    log(`auditing for validator operator ${keys.address} (${keys.keyType} key) at ${rpcUrl}; executors: ${[...executors.keys()].join(", ")}`);
    // Said at start so an operator sees whether exec jobs could run here, and why not.
    log(describeSandbox(probeSandbox()));
    log(`auditor enc pubkey (published on chain, clients wrap encrypted inputs to it; also in ${join(home, "auditor.json")}): ${encPubkey.slice(0, 24)}…`);
    await untilSignal();
    log("stopping");
    await auditor.stop();
    await follower.stop();
    served?.server.close();
    chain.disconnect();
    log("stopped");
  },
};

export const workerCommands: Command[] = [initCommand, startCommand, auditCommand, ...workerAccountCommands];

/** Flags every `ogpu-worker` command accepts, so one set of flags fits every role. */
const workerGlobalOptions: OptionSpec = {
  home: { type: "string", description: "worker home directory (keys, state file)" },
  node: connectionOptions.node,
  "keyring-backend": connectionOptions["keyring-backend"],
  "log-level": { type: "string", description: "debug | info | warn | error (default info)" },
  "log-format": { type: "string", description: "json | plain (default plain)" },
};

/** True when run as a program (also through an npm bin symlink), false when imported. */
function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isMain()) {
  // Exit explicitly: a half-closed socket of a dead node must not keep a stopped worker alive.
  process.exit(await runCli({ program: "ogpu-worker", summary: "oGPU GPU provider sidecar: run assigned tasks, audit as a validator", commands: workerCommands, globalOptions: workerGlobalOptions }, process.argv.slice(2)));
}
