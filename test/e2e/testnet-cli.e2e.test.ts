/**
 * Issue 9 item 9 (and the nodes.json part of issue 10 item 13), on real processes: the
 * testnet CLI from dist/ (build first) starts detached ogpud + cometbft nodes, each with its own
 * kubo by default (issue 13: the testnet runs on IPFS storage; STORAGE=local for node-local blobs).
 * Ports: TEST_PORTS.testnetCli (testnet/ports.ts): node i at +10i (…+4, +6, kubo +7..+9).
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cometbftBinary, packageRoot } from "../../cmd/paths.js";
import { portsFrom, rpcStatus, waitForHeight } from "../../testnet/devnet.js";
import { kuboDaemonPids } from "../../testnet/kubo.js";
import { readTestnet, runningTestnetNodes, stopTestnetNode, type Testnet } from "../../testnet/testnet.js";
import { until } from "./helpers.js";

const BASE_PORT = portsFrom(TEST_PORTS.testnetCli.base).p2p;
const dir = mkdtempSync(join(tmpdir(), "ogpu-testnet-cli-"));
/** Outside `dir`, which `up` recreates. */
const scratch = mkdtempSync(join(tmpdir(), "ogpu-testnet-cli-bin-"));
const CLI = join(packageRoot(), "dist", "testnet", "cli.js");

/** Runs the testnet CLI to completion (async, so this process keeps serving its own timers). */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      // Nodes only: this suite is about the nodes' lifecycle (the market roles have their own suite).
      env: { ...process.env, OGPU_TESTNET_DIR: dir, OGPU_TESTNET_BASE_PORT: String(BASE_PORT), OGPU_TESTNET_MARKET: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The `ipfs daemon` processes of the testnet's nodes' repos (not other suites' kubo). */
const kuboPids = (testnet: Testnet) => testnet.nodes.flatMap((n) => kuboDaemonPids(join(n.home, "ipfs")));

afterAll(async () => {
  try {
    for (const node of readTestnet(dir).nodes) await stopTestnetNode(node);
  } catch {
    // no testnet was created
  }
  rmSync(dir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

describe("testnet CLI over a running testnet (issue 9 item 9)", () => {
  it("item 9.9 make testnet over a running testnet: up refuses, keeps the running nodes, and reports nodes that do not come up; issue 13: every node runs its kubo, status shows it, down leaves none", async () => {
    const first = await cli(["up", "2"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/testnet ogpu-testnet-1: 2 validators, storage ipfs/);
    // Issue 10 item 13: nodes.json holds the validators' and the faucet's mnemonics.
    expect(statSync(join(dir, "nodes.json")).mode & 0o777).toBe(0o600);
    const testnet = readTestnet(dir);
    const pids = runningTestnetNodes(testnet).map((r) => r.pid);
    expect(pids).toHaveLength(2);
    const nodesJson = readFileSync(join(dir, "nodes.json"), "utf8");

    // A second `up` over the running testnet: refused, nothing deleted, the chain goes on.
    const again = await cli(["up", "2"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/a testnet is running in .*node0 \(pid \d+\), node1 \(pid \d+\)\. Stop it first/);
    expect(readFileSync(join(dir, "nodes.json"), "utf8")).toBe(nodesJson);
    expect(runningTestnetNodes(testnet).map((r) => r.pid)).toEqual(pids);
    const { height } = await rpcStatus(testnet.nodes[1]!.rpc);
    await waitForHeight(testnet.nodes[1]!.rpc, height + 2n, 30_000);

    // Issue 13: each node's kubo runs, peered with the other's; status says so per node.
    const status = await until("both nodes' kubo ready with 1 peer", () => cli(["status"]), (r) => (r.stdout.match(/storage ipfs \(kubo ready, 1 peer\)/g) ?? []).length === 2, 60_000);
    expect(status.stdout).toMatch(/node0: height \d+ app_hash \w+, storage ipfs \(kubo ready, 1 peer\)/);
    expect(kuboPids(testnet)).toHaveLength(2);
    // node1's ogpud and cometbft die (SIGKILL), its kubo is orphaned: down stops it too.
    const node1 = runningTestnetNodes(testnet).find((r) => r.node.moniker === "node1")!;
    const orphan = kuboDaemonPids(join(node1.node.home, "ipfs"));
    expect(orphan).toHaveLength(1);
    const node1Children = readFileSync(`/proc/${node1.pid}/task/${node1.pid}/children`, "utf8").trim().split(/\s+/).map(Number);
    for (const pid of [node1.pid, ...node1Children.filter((p) => !orphan.includes(p))]) process.kill(pid, "SIGKILL");
    await until("node1's ogpud gone", async () => runningTestnetNodes(testnet).length, (n) => n === 1, 30_000);
    expect(kuboDaemonPids(join(node1.node.home, "ipfs"))).toEqual(orphan);

    // Stopped, but another process holds node1's RPC port: refused before anything is deleted.
    expect((await cli(["down"])).code).toBe(0);
    expect(kuboPids(testnet)).toEqual([]);
    expect((await cli(["status"])).stdout).toMatch(/node1: down, storage ipfs \(kubo not answering/);
    const squatter = createServer();
    const rpcPort = Number(testnet.nodes[1]!.rpc.split(":").pop());
    await new Promise<void>((resolve) => squatter.listen(rpcPort, "127.0.0.1", resolve));
    try {
      const busy = await cli(["up", "2"]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(new RegExp(`ports ${rpcPort} are in use`));
      expect(readFileSync(join(dir, "nodes.json"), "utf8")).toBe(nodesJson);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }

    // Nodes whose cometbft cannot start: up fails with the nodes' log tails, and stops what it started.
    const broken = join(scratch, "broken-cometbft.sh");
    writeFileSync(broken, `#!/bin/sh\nif [ "$1" = start ]; then echo "cometbft refuses to start (test)" >&2; exit 1; fi\nexec "${cometbftBinary()}" "$@"\n`);
    chmodSync(broken, 0o755);
    const failed = await cli(["up", "2"], { OGPU_COMETBFT: broken });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/testnet up: testnet did not come up: node\d(, node\d)* exited/);
    expect(failed.stderr).toMatch(/node\d cometbft\.log \(tail\) ---\ncometbft refuses to start \(test\)/);
    expect(runningTestnetNodes(readTestnet(dir))).toEqual([]);
    expect(kuboPids(readTestnet(dir))).toEqual([]);
  }, 300_000);

  it("issue 13: STORAGE=local gives node-local blobs (no kubo), and status says so", async () => {
    const local = await cli(["up", "1"], { OGPU_TESTNET_STORAGE: "local" });
    expect(local.stderr).toBe("");
    expect(local.code).toBe(0);
    expect(local.stdout).toMatch(/1 validators, storage local/);
    const testnet = readTestnet(dir);
    expect(existsSync(join(testnet.nodes[0]!.home, "ipfs"))).toBe(false);
    expect((await cli(["status"])).stdout).toMatch(/node0: height \d+ app_hash \w+, storage local\n/);
    expect((await cli(["down"])).code).toBe(0);
    expect(runningTestnetNodes(testnet)).toEqual([]);
  }, 120_000);
});
