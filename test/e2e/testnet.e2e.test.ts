import { TEST_PORTS } from "../../testnet/ports.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestnet, startTestnetNode, stopTestnetNode, type Testnet } from "../../testnet/testnet.js";
import { portsFrom, rpcStatus, waitForHeight } from "../../testnet/devnet.js";
import { beaconMessage, decodeBeaconTx } from "../../app/beacon.js";
import { ed25519Verify } from "../../crypto/ed25519.js";

const BASE_PORT = portsFrom(TEST_PORTS.testnet.base).p2p; // node i: +10i
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

  it("every block after the first carries a beacon signed by > 2/3 of the validators over the previous block", async () => {
    const rpc = testnet.nodes[0]!.rpc;
    const vals = (await (await fetch(`${rpc}/validators`)).json()) as { result: { validators: { address: string; pub_key: { value: string } }[] } };
    const keyOf = new Map(vals.result.validators.map((v) => [v.address, Buffer.from(v.pub_key.value, "base64")]));
    const { height } = await rpcStatus(rpc);
    type BlockJson = { result: { block_id: { hash: string }; block: { header: { chain_id: string }; data: { txs: string[] | null } } } };
    const blockAt = async (h: bigint) => (await (await fetch(`${rpc}/block?height=${h}`)).json()) as BlockJson;
    for (const h of [2n, height - 1n, height]) {
      const [previous, block] = [await blockAt(h - 1n), await blockAt(h)];
      const entries = decodeBeaconTx(Buffer.from(block.result.block.data.txs?.[0] ?? "", "base64"));
      if (typeof entries === "string") throw new Error(`block ${h}: ${entries}`);
      expect(entries.length * 3).toBeGreaterThan(keyOf.size * 2); // equal powers: > 2/3 by count
      const message = beaconMessage(block.result.block.header.chain_id, h - 1n, Buffer.from(previous.result.block_id.hash, "hex"));
      for (const e of entries) expect(ed25519Verify(keyOf.get(Buffer.from(e.validator).toString("hex").toUpperCase())!, message, e.signature)).toBe(true);
    }
    // Block 1 has no last commit, so nothing to carry: it uses the fallback seed.
    expect((await blockAt(1n)).result.block.data.txs ?? []).toHaveLength(0);
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
