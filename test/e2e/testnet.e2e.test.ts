import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestnet, startTestnetNode, stopTestnetNode, type Testnet } from "../../testnet/testnet.js";
import { portsFrom, rpcStatus, waitForHeight } from "../../testnet/devnet.js";

const BASE_PORT = portsFrom(27700).p2p; // node i: 27700 + 10i … +3, shifted by OGPU_PORT_OFFSET
let testnet: Testnet;

beforeAll(async () => {
  testnet = await createTestnet({ dir: mkdtempSync(join(tmpdir(), "ogpu-testnet-")), validators: 4, basePort: BASE_PORT, blockTime: "300ms" });
  for (const node of testnet.nodes) startTestnetNode(node);
  await waitForHeight(testnet.nodes[0]!.rpc, 3n, 90_000);
}, 180_000);

afterAll(async () => {
  if (!testnet) return;
  for (const node of testnet.nodes) await stopTestnetNode(node);
  rmSync(testnet.dir, { recursive: true, force: true });
});

/** The app hash every given node reports in block `height`'s header. */
async function appHashesAt(rpcs: string[], height: bigint): Promise<string[]> {
  return Promise.all(
    rpcs.map(async (rpc) => {
      await waitForHeight(rpc, height, 60_000);
      const res = await fetch(`${rpc}/block?height=${height}`);
      const body = (await res.json()) as { result: { block: { header: { app_hash: string } } } };
      return body.result.block.header.app_hash;
    }),
  );
}

describe("4-validator loopback testnet", () => {
  it("every validator is in CometBFT's set with its self-delegation's power", async () => {
    const res = await fetch(`${testnet.nodes[0]!.rpc}/validators`);
    const body = (await res.json()) as { result: { validators: { voting_power: string }[] } };
    // 10,000 OGPU self-delegation, no verified compute yet, full reliability → power 10,000.
    expect(body.result.validators.map((v) => v.voting_power)).toEqual(["10000", "10000", "10000", "10000"]);
  });

  it("all four report the same app hash at the same heights", async () => {
    const { height } = await rpcStatus(testnet.nodes[0]!.rpc);
    const rpcs = testnet.nodes.map((n) => n.rpc);
    for (const h of [height, height + 1n]) {
      const hashes = await appHashesAt(rpcs, h);
      expect(new Set(hashes).size).toBe(1);
      expect(hashes[0]).toMatch(/^[0-9A-F]{64}$/);
    }
  });

  it("keeps producing blocks with one validator down, and the restarted one catches up", async () => {
    const down = testnet.nodes[3]!;
    const others = testnet.nodes.slice(0, 3).map((n) => n.rpc);
    await stopTestnetNode(down);
    const stoppedAt = (await rpcStatus(others[0]!)).height;
    // 3 of 4 equal powers = 75 % > 2/3: consensus goes on.
    await waitForHeight(others[0]!, stoppedAt + 5n, 60_000);
    startTestnetNode(down);
    const target = (await rpcStatus(others[0]!)).height + 2n;
    await waitForHeight(down.rpc, target, 90_000);
    const hashes = await appHashesAt([...others, down.rpc], target);
    expect(new Set(hashes).size).toBe(1);
  });
});
