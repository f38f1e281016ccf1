/**
 * Integration: the real CometBFT binary drives AbciServer with a tiny counter app over TCP.
 * Ports: TEST_PORTS.abciCometbft (testnet/ports.ts). The binary is the project's
 * own lookup (cmd/paths.ts); a missing binary fails the test with how to install it.
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  ResponseProcessProposal_ProposalStatus,
  ResponseVerifyVoteExtension_VerifyStatus,
  type RequestFinalizeBlock,
  type RequestPrepareProposal,
  type ResponseFinalizeBlock,
} from "cosmjs-types/tendermint/abci/types";
import { cometbftBinary } from "../../cmd/paths.js";
import { portsFrom } from "../../testnet/devnet.js";
import type { AbciApplication } from "./application.js";
import { AbciServer } from "./server.js";

const COMETBFT = cometbftBinary();
const { abci: ABCI_PORT, rpc: RPC_PORT, p2p: P2P_PORT } = portsFrom(TEST_PORTS.abciCometbft.base);
const RPC = `http://127.0.0.1:${RPC_PORT}`;

/** Accepts every tx, counts them; the app hash is the count as 8 big-endian bytes. */
class CounterApp implements AbciApplication {
  private count = 0n;

  info() {
    // Nothing is persisted, so always report an empty app: CometBFT replays from genesis.
    return { data: "counter", version: "1", appVersion: 1n, lastBlockHeight: 0n, lastBlockAppHash: new Uint8Array(0) };
  }
  initChain() {
    return { validators: [], appHash: new Uint8Array(0) };
  }
  query() {
    return { code: 0, log: "", info: "", index: 0n, key: new Uint8Array(0), value: appHash(this.count), height: 0n, codespace: "" };
  }
  checkTx() {
    return { code: 0, data: new Uint8Array(0), log: "", info: "", gasWanted: 1n, gasUsed: 0n, events: [], codespace: "" };
  }
  prepareProposal(req: RequestPrepareProposal) {
    return { txs: req.txs };
  }
  processProposal() {
    return { status: ResponseProcessProposal_ProposalStatus.ACCEPT };
  }
  extendVote() {
    return { voteExtension: new Uint8Array(0) };
  }
  verifyVoteExtension() {
    return { status: ResponseVerifyVoteExtension_VerifyStatus.ACCEPT };
  }
  finalizeBlock(req: RequestFinalizeBlock): ResponseFinalizeBlock {
    this.count += BigInt(req.txs.length);
    const txResults = req.txs.map(() => ({
      code: 0, data: new Uint8Array(0), log: "", info: "", gasWanted: 1n, gasUsed: 1n, events: [], codespace: "",
    }));
    return { events: [], txResults, validatorUpdates: [], appHash: appHash(this.count) };
  }
  commit() {
    return { retainHeight: 0n };
  }
}

function appHash(count: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, count);
  return out;
}

/** Sets `key = value` inside `[section]` ("" = the top-level table) of a TOML file's text. */
function setTomlKey(toml: string, section: string, key: string, value: string): string {
  const lines = toml.split("\n");
  let current = "";
  for (let i = 0; i < lines.length; i++) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(lines[i] as string);
    if (header) current = header[1] as string;
    else if (current === section && new RegExp(`^\\s*${key}\\s*=`).test(lines[i] as string)) {
      lines[i] = `${key} = ${value}`;
      return lines.join("\n");
    }
  }
  throw new Error(`config.toml has no ${key} in [${section}]`);
}

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(COMETBFT, args, { stdio: "ignore" });
    child.once("error", (err) => reject(missingBinary(err)));
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`cometbft ${args[0]} exited ${code}`))));
  });
}

/** ENOENT from spawn becomes a message that says which binary was looked for and how to get it. */
function missingBinary(err: Error): Error {
  if ((err as NodeJS.ErrnoException).code !== "ENOENT") return err;
  return new Error(`cometbft binary not found ("${COMETBFT}": $OGPU_COMETBFT, else .bin/cometbft, else PATH); run \`make install\``);
}

async function rpc<T>(path: string): Promise<T> {
  const res = await fetch(`${RPC}${path}`);
  const body = (await res.json()) as { result?: T; error?: unknown };
  if (body.result === undefined) throw new Error(`RPC ${path} failed: ${JSON.stringify(body.error)}`);
  return body.result;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, attempts = 300): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("AbciServer with the real cometbft binary", () => {
  let home = "";
  let node: ChildProcess | undefined;
  let nodeLog = "";
  const serverLog: string[] = [];
  const server = new AbciServer(new CounterApp(), { logger: (line) => serverLog.push(line) });

  afterAll(async () => {
    if (node && node.exitCode === null) {
      const exited = new Promise((resolve) => node?.once("exit", resolve));
      node.kill("SIGTERM");
      await exited;
    }
    await server.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it("produces blocks and commits a broadcast tx", async () => {
    home = await mkdtemp(join(tmpdir(), "ogpu-cometbft-"));
    await run(["init", "--home", home]);
    const configPath = join(home, "config", "config.toml");
    let config = await readFile(configPath, "utf8");
    config = setTomlKey(config, "", "proxy_app", `"tcp://127.0.0.1:${ABCI_PORT}"`);
    config = setTomlKey(config, "rpc", "laddr", `"tcp://127.0.0.1:${RPC_PORT}"`);
    config = setTomlKey(config, "p2p", "laddr", `"tcp://127.0.0.1:${P2P_PORT}"`);
    config = setTomlKey(config, "consensus", "timeout_commit", `"200ms"`);
    config = setTomlKey(config, "instrumentation", "prometheus", "false");
    await writeFile(configPath, config);

    await server.listen(`tcp://127.0.0.1:${ABCI_PORT}`);
    node = spawn(COMETBFT, ["start", "--home", home], { stdio: ["ignore", "pipe", "pipe"] });
    const keepLog = (chunk: Buffer) => (nodeLog = (nodeLog + chunk.toString()).slice(-8000));
    node.stdout?.on("data", keepLog);
    node.stderr?.on("data", keepLog);

    try {
      await waitFor("height >= 3", async () => {
        const status = await rpc<{ sync_info: { latest_block_height: string } }>("/status");
        return Number(status.sync_info.latest_block_height) >= 3 ? true : undefined;
      });

      const committed = await rpc<{
        check_tx: { code: number };
        tx_result: { code: number };
        height: string;
      }>("/broadcast_tx_commit?tx=0x01");
      expect(committed.check_tx.code).toBe(0);
      expect(committed.tx_result.code).toBe(0);
      const height = Number(committed.height);
      expect(height).toBeGreaterThan(0);

      // The next header carries the app hash FinalizeBlock returned for the tx's block: count 1.
      const header = await waitFor(`block ${height + 1}`, async () => {
        const block = await rpc<{ block: { header: { app_hash: string } } }>(`/block?height=${height + 1}`);
        return block.block.header;
      });
      expect(header.app_hash).toBe("0000000000000001");
    } catch (err) {
      const logs = `--- abci server ---\n${serverLog.join("\n")}\n--- cometbft (tail) ---\n${nodeLog}`;
      throw new Error(`${(err as Error).message}\n${logs}`);
    }
  });
});
