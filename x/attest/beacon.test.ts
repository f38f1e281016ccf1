/**
 * Issue 10 item 9: the audit draw is seeded by the randomness beacon (app/beacon.ts), so the
 * proposer of the draw block cannot re-roll it by choosing, ordering or dropping txs — which
 * is exactly what changes a CometBFT block hash (the header commits to the tx list).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { BeaconEntry } from "../../app/beacon.js";
import { sendMsg } from "../../app/testkit.js";
import { sha256 } from "../../crypto/hash.js";
import { committedTaskChain, type PosChain } from "./testing.js";

/** The same extended commit in every variant: four validators' signatures (bytes are opaque here). */
const ENTRIES: BeaconEntry[] = [1, 2, 3, 4].map((i) => ({ validator: new Uint8Array(20).fill(i), signature: new Uint8Array(64).fill(0x40 + i) }));

/** Tx lists a byzantine proposer could build for the draw block from the same mempool. */
const VARIANTS: readonly (readonly number[])[] = [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 1, 3], [1, 0, 2, 3, 4], [0, 1, 2], [3], [4, 0], []];

describe("audit draw seed under a byzantine proposer", () => {
  const chains: PosChain[] = [];
  afterEach(async () => {
    for (const c of chains.splice(0)) await c.close();
  });

  /** A k = 1 task of a trusted worker (p = 50 %) committed in the block before the draw block (the audit is drawn before any reveal). */
  async function throughCommit(): Promise<{ c: PosChain; id: bigint }> {
    const committed = await committedTaskChain({ validatorStakes: [1000n, 1000n, 1000n, 1000n].map((n) => n * 1_000_000n), workers: [{ cv: 1_000_000n }], params: { attest: { p_floor_bps: 5000, committee_size: 2 } } });
    chains.push(committed.c);
    return committed;
  }

  it("item 9: a proposer's reordering/dropping of txs can't change a draw", async () => {
    const outcomes: string[] = [];
    for (const order of VARIANTS) {
      const { c, id } = await throughCommit();
      const senders = [c.client, ...c.validators.map((v) => v.signer)];
      const pending = senders.map((s) => s.tx([sendMsg(s.address, c.client.address, "1")]));
      const txs = order.map((i) => pending[i]!);
      // The header hash CometBFT would give this block: it commits to the tx list.
      const blockHash = sha256(Buffer.concat([Buffer.from("block"), ...txs.map((t) => sha256(t))]));
      await c.run(txs, { beacon: ENTRIES, hash: blockHash });
      const record = c.record(id);
      outcomes.push(JSON.stringify({ phase: record?.phase, audited: record?.audited, committee: record?.audit?.members.map((m) => m.validator) }));
      await c.close();
      chains.splice(0);
    }
    expect(new Set(outcomes).size, outcomes.join("\n")).toBe(1);
  });
});
