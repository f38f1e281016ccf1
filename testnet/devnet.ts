import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../cmd/paths.js";
import { initCommand } from "../cmd/ogpud/commands/init.js";
import { genesisAddAccountCommand } from "../cmd/ogpud/commands/genesis.js";
import { genesisCollectGentxsCommand, genesisGentxCommand } from "../cmd/ogpud/commands/gentx.js";
import { Keyring, type KeyType } from "../crypto/keyring.js";
import { NO_EMISSION_PARAMS } from "../x/mint/params.js";
import { offsetPort } from "./ports.js";
import { cometbftPid } from "./processes.js";

/** Ports of one node; `portsFrom(P)` gives P..P+4 and CometBFT's Prometheus at P+6 (P+5 is left for tests that move a port; each suite has its own range of 10). */
export interface NodePorts {
  p2p: number;
  rpc: number;
  abci: number;
  rest: number;
  grpc: number;
  /** CometBFT's Prometheus metrics; absent: `ogpud init`'s default (26660). */
  prometheus?: number;
}

export const DEFAULT_NODE_PORTS: NodePorts = { p2p: 26656, rpc: 26657, abci: 26658, rest: 1317, grpc: 9090 };

// Test ports come from the registry (testnet/ports.ts); offsetPort is re-exported for the suites that import it from here.
export { offsetPort };

export function portsFrom(base: number): NodePorts {
  const at = offsetPort(base);
  return { p2p: at, rpc: at + 1, abci: at + 2, rest: at + 3, grpc: at + 4, prometheus: at + 6 };
}

export interface DevAccount {
  name: string;
  address: string;
  mnemonic: string;
}

export interface Devnet {
  home: string;
  chainId: string;
  ports: NodePorts;
  rpcUrl: string;
  restUrl: string;
  /** host:port of the node's gRPC server. */
  grpcAddress: string;
  accounts: DevAccount[];
}

export interface DevnetOptions {
  home: string;
  ports: NodePorts;
  chainId?: string;
  blockTime?: string;
  checkInvariants?: boolean;
  /** Funded keys to create (test keyring; secp256k1 unless `type`); default one "dev" key with 100,000 OGPU. */
  accounts?: { name: string; coins: string; type?: KeyType }[];
  /**
   * Make the first account the genesis validator through a gentx (x/staking computes the
   * set) instead of CometBFT's genesis.json validator; `stake` is its self-delegation.
   */
  validator?: { stake: string; commissionRate?: string };
  /**
   * Genesis param overrides per module, e.g. `{ market: { max_retries: 1 } }` (short test timeouts).
   * Emission is off unless `mint` is given (`{ mint: {} }` keeps the default schedule): suites
   * written before x/mint assert exact fee and supply flows.
   */
  params?: Record<string, Record<string, unknown>>;
  /** "ipfs": `ogpud init --storage ipfs`, kubo's ports after the node's own (ipfsPortsFrom). */
  storage?: "local" | "ipfs";
}

/** kubo's loopback ports of a node whose ports start at `ports.p2p` (portsFrom uses +0..+6): API, swarm, gateway. */
export function ipfsPortsFrom(ports: NodePorts): { api: number; swarm: number; gateway: number } {
  return { api: ports.p2p + 7, swarm: ports.p2p + 8, gateway: ports.p2p + 9 };
}


async function runCommand(cmd: typeof initCommand, positionals: string[], flags: Record<string, string | boolean>): Promise<void> {
  const code = await cmd.run({ positionals, flags });
  if (code) throw new Error(`ogpud ${cmd.name} failed with exit code ${code}`);
}

/**
 * Creates a single-validator devnet home: CometBFT config on the given ports, funded keys
 * in a test keyring, invariants checked every block unless turned off.
 */
export async function initDevnet(opts: DevnetOptions): Promise<Devnet> {
  const ports = opts.ports;
  const chainId = opts.chainId ?? "ogpu-devnet-1";
  await mkdir(opts.home, { recursive: true });
  const quiet = console.log;
  console.log = () => {};
  try {
    await runCommand(initCommand, ["devnet"], {
      home: opts.home,
      "chain-id": chainId,
      "p2p-port": String(ports.p2p),
      "rpc-port": String(ports.rpc),
      "abci-port": String(ports.abci),
      "rest-port": String(ports.rest),
      "grpc-port": String(ports.grpc),
      ...(ports.prometheus === undefined ? {} : { "prometheus-port": String(ports.prometheus) }),
      "block-time": opts.blockTime ?? "1s",
      "check-invariants": opts.checkInvariants ?? true,
      overwrite: true,
      ...(opts.storage === "ipfs"
        ? { storage: "ipfs", "ipfs-api-port": String(ipfsPortsFrom(ports).api), "ipfs-swarm-port": String(ipfsPortsFrom(ports).swarm), "ipfs-gateway-port": String(ipfsPortsFrom(ports).gateway) }
        : {}),
    });
    const keyring = Keyring.open(opts.home, "test");
    const accounts: DevAccount[] = [];
    for (const { name, coins, type } of opts.accounts ?? [{ name: "dev", coins: "100000000000uogpu" }]) {
      const { info, mnemonic } = await keyring.add(name, { type });
      await runCommand(genesisAddAccountCommand, [info.address, coins], { home: opts.home });
      accounts.push({ name, address: info.address, mnemonic });
    }
    if (opts.validator) {
      const flags = { home: opts.home, "keyring-backend": "test", "commission-rate": opts.validator.commissionRate ?? "0.10" };
      await runCommand(genesisGentxCommand, [accounts[0]!.name, opts.validator.stake], flags);
      await runCommand(genesisCollectGentxsCommand, [], { home: opts.home });
    }
    await overrideGenesisParams(opts.home, { mint: NO_EMISSION_PARAMS, ...opts.params });
    return {
      home: opts.home,
      chainId,
      ports,
      rpcUrl: `http://127.0.0.1:${ports.rpc}`,
      restUrl: `http://127.0.0.1:${ports.rest}`,
      grpcAddress: `127.0.0.1:${ports.grpc}`,
      accounts,
    };
  } finally {
    console.log = quiet;
  }
}

async function overrideGenesisParams(home: string, params: Record<string, Record<string, unknown>>): Promise<void> {
  const path = join(home, "config", "genesis.json");
  const genesis = JSON.parse(await readFile(path, "utf8")) as { app_state: Record<string, { params?: Record<string, unknown> }> };
  for (const [module, values] of Object.entries(params)) {
    const section = genesis.app_state[module];
    if (!section) throw new Error(`genesis has no ${module} section to override`);
    section.params = { ...section.params, ...values };
  }
  await writeFile(path, JSON.stringify(genesis, null, 2) + "\n");
}

/** An `ogpud start` child process (which itself runs cometbft as its child). */
export interface NodeProcess {
  proc: ChildProcess;
  exited: Promise<number | null>;
  /** SIGTERM and wait: a clean shutdown. */
  stop(): Promise<void>;
  /** SIGKILL ogpud, and its cometbft child too (kill -9 leaves no chance to clean up). */
  kill9(): Promise<void>;
}

/** The compiled CLI; tests and benchmarks run the real binary, built by `npm run build`. */
export function ogpudScript(): string {
  const script = join(packageRoot(), "dist", "cmd", "ogpud", "main.js");
  if (!existsSync(script)) throw new Error(`${script} not found: run 'npm run build' first`);
  return script;
}

/**
 * Starts the devnet's node and waits for its first blocks; if it does not come up, the error
 * carries the tail of its log (the home is usually deleted before anyone could read it).
 */
export async function startDevnetNode(devnet: Devnet, timeoutMs = 60_000, startArgs: string[] = []): Promise<NodeProcess> {
  const node = spawnNode(devnet.home, startArgs);
  try {
    await waitForHeight(devnet.rpcUrl, 2n, timeoutMs);
    return node;
  } catch (err) {
    await node.stop();
    const log = await readFile(join(devnet.home, "ogpud.log"), "utf8").catch(() => "(no log)");
    throw new Error(`${(err as Error).message}\nogpud.log tail:\n${log.slice(-2000)}`);
  }
}

/** A running single-validator devnet in a temp home, with the means to restart, stop and remove it. */
export interface TestNode {
  devnet: Devnet;
  /** The current `ogpud start` process (replaced by restart()). */
  readonly node: NodeProcess;
  /** Starts ogpud again on the same home (after a stop or a crash); does not wait for blocks. */
  restart(extraArgs?: string[]): NodeProcess;
  /** Stops the node (if running) and removes the home. */
  cleanup(): Promise<void>;
}

export interface TestNodeOptions extends Omit<DevnetOptions, "home" | "ports"> {
  /** First of the node's five ports (portsFrom). */
  portBase: number;
  /** Prefix of the temp home's name (which suite or benchmark it belongs to). */
  homePrefix?: string;
  /** Runs on the initialised home before ogpud starts (e.g. to edit genesis.json). */
  beforeStart?: (devnet: Devnet) => Promise<void>;
  /** Extra `ogpud start` flags (e.g. --blob-retention-blocks). */
  startArgs?: string[];
}

/**
 * The one node starter for end-to-end suites and benchmarks: a temp home, initDevnet
 * (blocks every 300 ms and invariants checked unless told otherwise), `beforeStart`, then
 * startDevnetNode. The home is removed if anything on the way fails.
 */
export async function startTestNode(opts: TestNodeOptions): Promise<TestNode> {
  const { portBase, homePrefix, beforeStart, startArgs, ...devnetOpts } = opts;
  const home = await mkdtemp(join(tmpdir(), homePrefix ?? "ogpu-e2e-"));
  let devnet: Devnet;
  let node: NodeProcess;
  try {
    devnet = await initDevnet({ blockTime: "300ms", checkInvariants: true, ...devnetOpts, home, ports: portsFrom(portBase) });
    await beforeStart?.(devnet);
    node = await startDevnetNode(devnet, undefined, startArgs);
  } catch (err) {
    await rm(home, { recursive: true, force: true });
    throw err;
  }
  return {
    devnet,
    get node() {
      return node;
    },
    restart(extraArgs = []) {
      node = spawnNode(home, extraArgs);
      return node;
    },
    async cleanup() {
      await node.stop();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** Starts `ogpud start` on `home`; `script` is another build of the CLI (an older release), default dist/. */
export function spawnNode(home: string, extraArgs: string[] = [], script = ogpudScript()): NodeProcess {
  const log = createWriteStream(join(home, "ogpud.log"), { flags: "a" });
  const proc = spawn(process.execPath, [script, "start", "--home", home, ...extraArgs], { stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout!.pipe(log, { end: false });
  proc.stderr!.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return {
    proc,
    exited,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      await exited;
    },
    async kill9() {
      const cometPid = cometbftPid(proc.pid!);
      proc.kill("SIGKILL");
      if (cometPid !== undefined) {
        try {
          process.kill(cometPid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await exited;
    },
  };
}

export interface RpcStatus {
  height: bigint;
  /** CometBFT's latest_app_hash: block H's header hash, i.e. the state after H-1. */
  appHash: string;
  catchingUp: boolean;
  /** The answering node's p2p id: tells a node apart from another process holding its port. */
  nodeId: string;
}

export async function rpcStatus(rpcUrl: string): Promise<RpcStatus> {
  const res = await fetch(`${rpcUrl}/status`);
  const body = (await res.json()) as { result: { node_info: { id: string }; sync_info: { latest_block_height: string; latest_app_hash: string; catching_up: boolean } } };
  const s = body.result.sync_info;
  return { height: BigInt(s.latest_block_height), appHash: s.latest_app_hash, catchingUp: s.catching_up, nodeId: body.result.node_info.id };
}

/** Polls CometBFT's /status until the chain reaches `height` (or the deadline passes). */
export async function waitForHeight(rpcUrl: string, height: bigint, timeoutMs = 60_000): Promise<RpcStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const s = await rpcStatus(rpcUrl);
      if (s.height >= height) return s;
      last = `height ${s.height}`;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for height ${height} at ${rpcUrl} (last: ${String(last)})`);
}
