import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initDevnet, portsFrom, waitForHeight } from "../testnet/devnet.js";
import { cometbftBinary, packageRoot } from "../cmd/paths.js";
import type { BenchTx } from "./tx-harness.js";

/**
 * The reference the committed-tx benchmarks divide by: CometBFT's own kvstore example app
 * (`abci-cli kvstore`, installed beside cometbft in .bin/ by `make install`) behind the same
 * ABCI socket as ogpud, with the config.toml `ogpud init` writes (same mempool, same block time),
 * persisting to LevelDB as ogpud does, fed by the same load generator with txs of the same size.
 * Whatever it reaches is what any app behind a socket can reach on this machine: the ceiling
 * our figure is a ratio to.
 */

export interface KvstoreNode {
  rpcUrl: string;
  /** cometbft's and abci-cli's pids, for CPU accounting. */
  cometPid: number | undefined;
  appPid: number | undefined;
  stop(): Promise<void>;
}

export interface KvstoreNodeOptions {
  portBase: number;
  blockTime: string;
  /** `tcp` (what ogpud's devnet uses) or `unix` (a Unix domain socket in the home). */
  transport?: "tcp" | "unix";
}

/** abci-cli from .bin/ (`make install` puts it there with the pinned CometBFT version). */
function abciCli(): string {
  const path = join(packageRoot(), ".bin", "abci-cli");
  if (!existsSync(path)) throw new Error(`${path} not found: run 'make install' (it installs cometbft and abci-cli)`);
  return path;
}

/** One validator's pair: `abci-cli kvstore` persisting in the home, and cometbft pointed at it. */
interface KvstorePair {
  cometPid: number | undefined;
  appPid: number | undefined;
  /** SIGTERM cometbft, then the app, waiting for each to exit. */
  stop(): Promise<void>;
}

function startPair(home: string, address: string): KvstorePair {
  const app = spawn(abciCli(), ["kvstore", "--persist", join(home, "kvstore-db"), "--address", address, "--log_level", "error"], { stdio: "ignore" });
  const comet = spawn(cometbftBinary(), ["start", "--home", home, "--proxy_app", address, "--log_level", "error"], { stdio: "ignore" });
  const exited = (proc: ChildProcess) => new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const exits = new Map([[comet, exited(comet)], [app, exited(app)]]);
  return {
    cometPid: comet.pid,
    appPid: app.pid,
    async stop() {
      for (const [proc, exit] of exits) {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
        await exit;
      }
    },
  };
}

/** A one-validator cometbft + kvstore node in a temp home, producing blocks. */
export async function startKvstoreNode(opts: KvstoreNodeOptions): Promise<KvstoreNode> {
  const home = await mkdtemp(join(tmpdir(), "ogpu-bench-kvstore-"));
  const ports = portsFrom(opts.portBase);
  // ogpud's own init writes the config.toml (mempool size, cache, timeouts) both nodes share.
  const devnet = await initDevnet({ home, ports, blockTime: opts.blockTime, checkInvariants: false, accounts: [{ name: "unused", coins: "1uogpu" }] });
  const address = opts.transport === "unix" ? `unix://${join(home, "kvstore.sock")}` : `tcp://127.0.0.1:${ports.abci}`;
  const pair = startPair(home, address);
  const stop = async () => {
    await pair.stop();
    await rm(home, { recursive: true, force: true });
  };
  try {
    await waitForHeight(devnet.rpcUrl, 2n, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { rpcUrl: devnet.rpcUrl, cometPid: pair.cometPid, appPid: pair.appPid, stop };
}

/**
 * `streams` × `perStream` distinct kvstore txs (`key=value`, one "=", no ":") each exactly
 * `size` bytes, shaped like the signed benchmark's per-account streams so the same
 * broadcaster sends them. `tag` keeps rounds apart (the mempool cache refuses repeats).
 */
export function kvstoreTxs(streams: number, perStream: number, size: number, tag: string): BenchTx[][] {
  return Array.from({ length: streams }, (_, s) =>
    Array.from({ length: perStream }, (_, i) => {
      const head = `${tag}-${s}-${i}=`;
      if (head.length + 1 > size) throw new Error(`kvstore tx of ${size} bytes cannot hold its key ${head}`);
      const bytes = Buffer.from(head.padEnd(size, "v"), "latin1");
      return { base64: bytes.toString("base64"), hash: createHash("sha256").update(bytes).digest("hex").toUpperCase() };
    }),
  );
}

/** Mean byte size of the txs (base64-decoded), rounded: the size the reference txs get. */
export function meanTxSize(txs: readonly BenchTx[]): number {
  const total = txs.reduce((n, t) => n + Buffer.from(t.base64, "base64").length, 0);
  return Math.round(total / Math.max(1, txs.length));
}

/** N validators of cometbft + kvstore, one pair of processes per node. */
export interface KvstoreTestnet {
  rpcUrls: string[];
  /** Pids of every cometbft and every abci-cli, for CPU accounting. */
  cometPids: (number | undefined)[];
  appPids: (number | undefined)[];
  stop(): Promise<void>;
}

/**
 * The multi-validator reference: the homes `createTestnet` made for ogpud (same config.toml,
 * same persistent peers and ports), each node's cometbft pointed at its own `abci-cli kvstore`.
 * kvstore sets no validators at InitChain, so the genesis lists the nodes' consensus keys
 * itself (equal power), where ogpud's genesis has gentxs instead.
 */
export async function startKvstoreTestnet(homes: readonly { home: string; abci: string; rpc: string }[]): Promise<KvstoreTestnet> {
  const validators = homes.map((n, i) => {
    const key = JSON.parse(readFileSync(join(n.home, "config", "priv_validator_key.json"), "utf8")) as { address: string; pub_key: unknown };
    return { address: key.address, pub_key: key.pub_key, power: "10", name: `node${i}` };
  });
  for (const n of homes) {
    const path = join(n.home, "config", "genesis.json");
    const genesis = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...genesis, validators, app_state: {} }, null, 2));
  }
  const pairs = homes.map((n) => startPair(n.home, n.abci));
  const stop = async () => {
    for (const p of pairs) await p.stop();
  };
  try {
    for (const n of homes) await waitForHeight(n.rpc, 2n, 120_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { rpcUrls: homes.map((n) => n.rpc), cometPids: pairs.map((p) => p.cometPid), appPids: pairs.map((p) => p.appPid), stop };
}
