import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
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

function started(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => proc.once("exit", (code) => resolve(code)));
}

/** A one-validator cometbft + kvstore node in a temp home, producing blocks. */
export async function startKvstoreNode(opts: KvstoreNodeOptions): Promise<KvstoreNode> {
  const home = await mkdtemp(join(tmpdir(), "ogpu-bench-kvstore-"));
  const ports = portsFrom(opts.portBase);
  // ogpud's own init writes the config.toml (mempool size, cache, timeouts) both nodes share.
  const devnet = await initDevnet({ home, ports, blockTime: opts.blockTime, checkInvariants: false, accounts: [{ name: "unused", coins: "1uogpu" }] });
  const address = opts.transport === "unix" ? `unix://${join(home, "kvstore.sock")}` : `tcp://127.0.0.1:${ports.abci}`;
  const app = spawn(abciCli(), ["kvstore", "--persist", join(home, "kvstore-db"), "--address", address, "--log_level", "error"], { stdio: "ignore" });
  const comet = spawn(cometbftBinary(), ["start", "--home", home, "--proxy_app", address, "--log_level", "error"], { stdio: "ignore" });
  const appExit = started(app);
  const cometExit = started(comet);
  const stop = async () => {
    for (const [proc, exit] of [[comet, cometExit], [app, appExit]] as const) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      await exit;
    }
    await rm(home, { recursive: true, force: true });
  };
  try {
    await waitForHeight(devnet.rpcUrl, 2n, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { rpcUrl: devnet.rpcUrl, cometPid: comet.pid, appPid: app.pid, stop };
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
