/**
 * Issue 9 item 9 (and the nodes.json part of issue 10 item 13), on real processes: the
 * testnet CLI from dist/ (build first) starts detached ogpud + cometbft nodes.
 * Ports 28600-28613 (shifted by OGPU_PORT_OFFSET) belong to this file.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cometbftBinary, packageRoot } from "../../cmd/paths.js";
import { portsFrom, rpcStatus, waitForHeight } from "../../testnet/devnet.js";
import { readTestnet, runningTestnetNodes, stopTestnetNode } from "../../testnet/testnet.js";

const BASE_PORT = portsFrom(28600).p2p;
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
  it("item 9.9 make testnet over a running testnet: up refuses, keeps the running nodes, and reports nodes that do not come up", async () => {
    const first = await cli(["up", "2"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/testnet ogpu-testnet-1: 2 validators/);
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

    // Stopped, but another process holds node1's RPC port: refused before anything is deleted.
    expect((await cli(["down"])).code).toBe(0);
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
  }, 240_000);
});
