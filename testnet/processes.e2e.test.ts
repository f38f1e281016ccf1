/**
 * A real testnet node on IPFS storage (ogpud with two children: kubo, then cometbft):
 * cometbftPid picks cometbft by its command line, not as "the only child"; and after ogpud is
 * SIGKILLed with its cometbft frozen (so it cannot notice the lost ABCI connection and exit on
 * its own), stopTestnetNode finds the orphaned cometbft and kubo by the node's home and stops both.
 * Ports: TEST_PORTS.testnetProcesses (testnet/ports.ts): one node, kubo at +7..+9.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../test/e2e/helpers.js";
import { portsFrom } from "./devnet.js";
import { kuboDaemonPids } from "./kubo.js";
import { TEST_PORTS } from "./ports.js";
import { childPids, cometbftPid, cometbftPidsOfHome } from "./processes.js";
import { processRunning } from "./roles.js";
import { createTestnet, startTestnetNode, stopTestnetNode, testnetNodePid, waitForTestnet, type TestnetNode } from "./testnet.js";

const dir = mkdtempSync(join(tmpdir(), "ogpu-processes-"));
let node: TestnetNode;

beforeAll(async () => {
  const testnet = await createTestnet({ dir, validators: 1, basePort: portsFrom(TEST_PORTS.testnetProcesses.base).p2p, blockTime: "300ms", storage: "ipfs" });
  node = testnet.nodes[0]!;
  startTestnetNode(node);
  await waitForTestnet(testnet, 2n, 120_000);
}, 180_000);

afterAll(async () => {
  if (node) await stopTestnetNode(node, 5_000);
  rmSync(dir, { recursive: true, force: true });
});

describe("a node's child processes (testnet/processes.ts)", () => {
  it("cometbftPid finds cometbft beside kubo; stopTestnetNode stops the cometbft and kubo a SIGKILLed ogpud left behind", async () => {
    const ogpud = testnetNodePid(node)!;
    const kubo = kuboDaemonPids(join(node.home, "ipfs"));
    expect(kubo).toHaveLength(1);
    expect(childPids(ogpud).sort()).toEqual([...kubo, cometbftPid(ogpud)!].sort());
    const comet = cometbftPid(ogpud)!;
    expect(readFileSync(`/proc/${comet}/cmdline`, "utf8").split("\0").slice(1, 4)).toEqual(["start", "--home", node.home]);
    expect(cometbftPidsOfHome(node.home)).toEqual([comet]);
    expect(cometbftPidsOfHome(join(dir, "elsewhere"))).toEqual([]);

    process.kill(comet, "SIGSTOP");
    process.kill(ogpud, "SIGKILL");
    await until("ogpud gone", async () => testnetNodePid(node) === undefined, (gone) => gone, 30_000);
    expect(cometbftPidsOfHome(node.home)).toEqual([comet]);
    expect(kuboDaemonPids(join(node.home, "ipfs"))).toEqual(kubo);

    // The frozen cometbft ignores SIGTERM until it is SIGKILLed at the (short) deadline.
    await stopTestnetNode(node, 2_000);
    expect(processRunning(comet)).toBe(false);
    expect(cometbftPidsOfHome(node.home)).toEqual([]);
    expect(kuboDaemonPids(join(node.home, "ipfs"))).toEqual([]);
  }, 120_000);
});
