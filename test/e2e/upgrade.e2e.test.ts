import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UPGRADE_NEEDED_EXIT_CODE } from "../../app/halt.js";
import { createTestnet, testnetNodeLogTail, type Testnet, type TestnetNode } from "../../testnet/testnet.js";
import { portsFrom, rpcStatus, spawnNode, type NodeProcess } from "../../testnet/devnet.js";
import { releaseBefore } from "../support/release-before.js";
import { rpcGet, until } from "./helpers.js";

/**
 * A software upgrade on a real 4-validator testnet: the plan "v0.2" is scheduled; every
 * validator runs the release before it (dist/ minus the v0.2 handler) and halts at the plan
 * height with the SDK's log line and exit code, committing nothing of that block; restarted
 * with the old binary a node halts again at the same height; restarted with the new binary
 * (dist/) CometBFT replays the block, the handler migrates x/market 1 → 2 and the chain goes
 * on with the same app hash on every validator.
 */
const BASE_PORT = portsFrom(28455).p2p; // node i: 28455 + 10i … +3, shifted by OGPU_PORT_OFFSET
const PLAN = "v0.2";
const PLAN_HEIGHT = 14n;
const PLAN_INFO = '{"binaries":{"linux/amd64":"https://example.invalid/ogpud-v0.2"}}';

let testnet: Testnet;
let work: string;
let oldScript: string;
const running = new Map<TestnetNode, NodeProcess>();

function start(node: TestnetNode, script?: string): NodeProcess {
  const proc = spawnNode(node.home, [], script);
  running.set(node, proc);
  return proc;
}

/** How many times the node logged the SDK's halt line for the plan. */
const haltLines = (node: TestnetNode) =>
  readFileSync(join(node.home, "ogpud.log"), "utf8").split("\n").filter((l) => l === `UPGRADE "${PLAN}" NEEDED at height: ${PLAN_HEIGHT}: ${PLAN_INFO}`).length;

const logTails = async () => testnet.nodes.map((n) => testnetNodeLogTail(n, 25)).join("\n");

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "ogpu-upgrade-e2e-"));
  oldScript = releaseBefore(join(work, "old-release"), PLAN);
  testnet = await createTestnet({
    dir: join(work, "testnet"),
    validators: 4,
    basePort: BASE_PORT,
    blockTime: "300ms",
    genesisOverrides: (appState) => {
      // A chain launched by the earlier release, whose x/market was at version 1.
      appState.upgrade = { plan: { name: PLAN, height: PLAN_HEIGHT.toString(), info: PLAN_INFO }, module_versions: [{ name: "market", version: "1" }] };
    },
  });
}, 180_000);

afterAll(async () => {
  for (const proc of running.values()) await proc.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Header app hash of block h+1 (the state after h) as `node` stored and validated it. */
async function appHashAfter(node: TestnetNode, h: bigint): Promise<string> {
  const res = await rpcGet<{ block: { header: { app_hash: string } } }>(node.rpc, `block?height=${h + 1n}`);
  return res.block.header.app_hash;
}

async function rest<T>(node: TestnetNode, path: string): Promise<T> {
  const res = await fetch(`${node.rest}${path}`);
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe("software upgrade on a 4-validator testnet", () => {
  it("halts at the plan height on every validator, resumes with the new binary, same app hash everywhere", async () => {
    // 1. The old release runs until the plan height and stops there. A validator that had not
    //    seen block PLAN_HEIGHT's commit when the others stopped waits at PLAN_HEIGHT − 1 (no
    //    quorum is left to finish the block); it halts once it receives the block (step 3).
    const olds = testnet.nodes.map((n) => start(n, oldScript));
    const firstExit = await Promise.race([
      Promise.race(olds.map((p) => p.exited)),
      new Promise<never>((_, reject) => setTimeout(() => void logTails().then((t) => reject(new Error(`no validator halted\n${t}`))), 120_000)),
    ]);
    expect(firstExit, await logTails()).toBe(UPGRADE_NEEDED_EXIT_CODE);
    await Promise.race([Promise.all(olds.map((p) => p.exited)), new Promise((r) => setTimeout(r, 30_000))]);
    const halted = testnet.nodes.filter((_, i) => olds[i]!.proc.exitCode !== null);
    const waiting = testnet.nodes.filter((n) => !halted.includes(n));
    for (const node of halted) {
      expect(running.get(node)!.proc.exitCode).toBe(UPGRADE_NEEDED_EXIT_CODE);
      expect(haltLines(node)).toBe(1);
      expect(JSON.parse(readFileSync(join(node.home, "data", "upgrade-info.json"), "utf8"))).toEqual({ name: PLAN, height: Number(PLAN_HEIGHT), info: PLAN_INFO });
    }
    for (const node of waiting) expect((await rpcStatus(node.rpc)).height).toBe(PLAN_HEIGHT - 1n);

    // 2. The old binary again on a halted node: CometBFT replays block PLAN_HEIGHT, it halts again.
    const node0 = halted[0]!;
    const again = start(node0, oldScript);
    expect(await again.exited).toBe(UPGRADE_NEEDED_EXIT_CODE);
    expect(haltLines(node0)).toBe(2);
    expect(readFileSync(join(node0.home, "ogpud.log"), "utf8")).toContain(`ogpud: state at height ${PLAN_HEIGHT - 1n},`);

    // 3. The new release (dist/) on the halted validators: the block is replayed, the handler
    //    runs, blocks continue; a validator still on the old binary halts when block PLAN_HEIGHT
    //    reaches it, and then gets the new binary too.
    for (const node of halted) start(node);
    for (const node of waiting) {
      expect(await running.get(node)!.exited).toBe(UPGRADE_NEEDED_EXIT_CODE);
      expect(haltLines(node)).toBe(1);
      start(node);
    }
    const target = PLAN_HEIGHT + 4n;
    for (const node of testnet.nodes) {
      await until(`${node.moniker} to pass height ${target}`, () => rpcStatus(node.rpc), (s) => s.height >= target, 120_000, logTails);
    }
    for (let h = PLAN_HEIGHT - 1n; h <= PLAN_HEIGHT + 2n; h++) {
      const hashes = await Promise.all(testnet.nodes.map((n) => appHashAfter(n, h)));
      expect(new Set(hashes).size, `app hash after height ${h}: ${hashes.join(" ")}`).toBe(1);
    }
    // The upgrade changed state: the hash moved at the plan height.
    expect(await appHashAfter(node0, PLAN_HEIGHT)).not.toBe(await appHashAfter(node0, PLAN_HEIGHT - 1n));

    for (const node of testnet.nodes) {
      expect(await rest(node, `/cosmos/upgrade/v1beta1/applied_plan/${PLAN}`)).toEqual({ height: PLAN_HEIGHT.toString() });
      expect(await rest(node, "/cosmos/upgrade/v1beta1/current_plan")).toEqual({ plan: null });
      expect(await rest(node, "/cosmos/upgrade/v1beta1/module_versions?module_name=market")).toEqual({ module_versions: [{ name: "market", version: "2" }] });
      const { params_json } = await rest<{ params_json: string }>(node, "/ogpu/market/v1/params");
      expect(JSON.parse(params_json)).toHaveProperty("max_gpu_models");
    }
  }, 420_000);
});
