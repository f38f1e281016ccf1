/**
 * Issue 10 item 7 (results can't be taken without paying) and item 13's output binding, in
 * process: the attack is pure state machine plus the node's blob routes, so the real app and
 * the real fastify blob server run here, the node's chain reads going through the app's query.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Phase } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { TX_FEE } from "../../app/testkit.js";
import { textCid } from "../../crypto/cid.js";
import { appQuerier, unpaidOutputCids } from "../../server/blob-chain.js";
import { alice, bytesOf, json, nodeServer, postAs, type TestNode } from "../../server/blobs.testkit.js";
import { MARKET_ESCROW, nextTaskId } from "../../x/market/keeper.js";
import { submitTaskMsg } from "../../x/market/testing.js";
import { WITHHELD_SLASHES } from "../../x/attest/settle.js";
import { auditSealMsg, commitMsg, digestOf, expectOk, OGPU, revealMsg, startPosChain, type PosChain } from "../../x/attest/testing.js";
import { TREASURY } from "../../x/treasury/keeper.js";

const TRUSTED = 1_000_000n; // CV so high that 1/(CV+1) rounds to 0 bps: no audit is drawn at commit time
const RIGHT = digestOf("the honest output");
const UNITS = 10n;
const BOND = 1000n * OGPU;

let chain: PosChain | undefined;
let node: TestNode | undefined;
let dir: string | undefined;
afterEach(async () => {
  await chain?.close();
  await node?.app.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  chain = node = dir = undefined;
});

const fetchBlob = (n: TestNode, method: "GET" | "HEAD", cid: string) => n.app.inject({ method, url: `/blobs/${cid}` });

describe("issue 10: results can't be taken without paying", () => {
  it("item 7: a client's withholding second worker cannot take the honest worker's result for free", async () => {
    // Worker 1 is the client's own: it commits (any seal), then withholds its reveal.
    const c = (chain = await startPosChain({ workers: [{ cv: TRUSTED, price: 100n * OGPU }, { cv: TRUSTED, price: 100n * OGPU }], params: { attest: { p_floor_bps: 0, reveal_timeout_blocks: 3 } } }));
    dir = await mkdtemp(join(tmpdir(), "ogpu-item7-"));
    const n = (node = await nodeServer(dir, { unpaidOutputCids: () => unpaidOutputCids(appQuerier(c.app)) }));
    // The honest worker's stored output: its CID is sealed in the commit and named in the reveal.
    const output = bytesOf(700, 7);
    const cid = json(await postAs(n, output, alice)).cid;

    const id = nextTaskId(c.app.store);
    const client0 = c.balance(c.client.address);
    expectOk(await c.run([c.client.tx([submitTaskMsg(c.client.address, { bid: 100n * OGPU, units: UNITS, k: 2 })])]));
    const [honest, withholder] = c.task(id).assignments.map((a) => c.workers.find((w) => w.address === a.worker)!);
    const honest0 = c.balance(honest!.address);
    const treasury0 = c.moduleBalance(TREASURY);
    expectOk(await c.run([honest!.tx([commitMsg(honest!.address, id, RIGHT, undefined, cid)]), withholder!.tx([commitMsg(withholder!.address, id, RIGHT)])]));
    await c.run([]); // the draw: not audited, reveals open
    expectOk(await c.run([honest!.tx([revealMsg(honest!.address, id, RIGHT, undefined, cid)])]));

    // The client learns the CID from the reveal; the node does not serve it before payment.
    for (const method of ["GET", "HEAD"] as const) expect((await fetchBlob(n, method, cid)).statusCode).toBe(403);
    expect(json(await fetchBlob(n, "GET", cid))).toMatchObject({ reason: "output_not_paid", codespace: "blobs" });

    const revealBy = c.record(id)!.revealByHeight;
    while (c.height < revealBy) await c.run([]);
    // The withheld slot is not requeued (no refund path): its 20 % slash is held for the honest side.
    const penalty = (BOND * 2000n) / 10_000n;
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_COMMITTED);
    expect(c.bond(withholder!.address)).toBe(BOND - penalty);
    expect(c.moduleBalance(WITHHELD_SLASHES)).toBe(penalty);
    expect((await fetchBlob(n, "GET", cid)).statusCode).toBe(403);
    // No audit was drawn before the reveals: the standing reveal settles as any unaudited one (item 7/8).
    await c.run([]);
    expect(c.record(id)).toBeUndefined();
    expect(c.task(id)).toMatchObject({ status: TaskStatus.TASK_STATUS_FINALIZED, escrow: "0" });
    const price = 100n * OGPU * UNITS;
    const fee = (price * 500n) / 10_000n;
    // The honest worker: its slot's price less the market fee, plus the withholder's whole slash.
    expect(c.balance(honest!.address) - honest0).toBe(price - fee + penalty - 2n * TX_FEE);
    expect(c.moduleBalance(WITHHELD_SLASHES)).toBe(0n);
    expect(c.moduleBalance(TREASURY) - treasury0).toBe(fee);
    // The client paid for the honest slot (escrow of both slots in, the withheld one refunded).
    expect(c.balance(c.client.address) - client0).toBe(-TX_FEE - price);
    expect(c.moduleBalance(MARKET_ESCROW)).toBe(0n);
    // Payment is certain now: the output is served.
    n.height.value += 1n;
    const served = await fetchBlob(n, "GET", cid);
    expect(served.statusCode).toBe(200);
    expect(new Uint8Array(served.rawPayload)).toEqual(output);
  });

  it("item 7/8: a withheld slot does not open a post-reveal audit whose digest auditors could copy", async () => {
    // Trusted workers (a spare: the first withholder is slashed below the bond minimum), no audit
    // drawn before the reveals; the third slot withholds.
    const c = (chain = await startPosChain({ workers: [{ cv: TRUSTED }, { cv: TRUSTED }, { cv: TRUSTED }, { cv: TRUSTED }], params: { attest: { p_floor_bps: 0, reveal_timeout_blocks: 3 } } }));
    const runWithheld = async (digests: [Uint8Array, Uint8Array]) => {
      const id = nextTaskId(c.app.store);
      expectOk(await c.run([c.client.tx([submitTaskMsg(c.client.address, { bid: 1000n, units: 1n, k: 3 })])]));
      const slots = c.task(id).assignments.map((a) => c.workers.find((w) => w.address === a.worker)!);
      const revealers = slots.slice(0, 2);
      expectOk(await c.run(slots.map((w, i) => w.tx([commitMsg(w.address, id, digests[i] ?? RIGHT)]))));
      const draw = await c.run([]);
      expect(c.record(id)).toMatchObject({ audited: false, phase: Phase.PHASE_REVEAL });
      expect(draw.events.some((e) => e.type === "attest_committee")).toBe(false);
      expectOk(await c.run(revealers.map((w, i) => w.tx([revealMsg(w.address, id, digests[i]!)]))));
      while (c.height < c.record(id)!.revealByHeight) await c.run([]);
      // The attack: every standing digest is public now; a validator seals it as its "audit".
      const lazy = c.validators[0]!;
      const decided = await c.run([lazy.signer.tx([auditSealMsg(lazy.v.key.address, id, digests[0])])]);
      expect(decided.txResults[0]).toMatchObject({ code: 10, codespace: "attest" });
      const attr = (e: (typeof decided.events)[number], key: string) => e.attributes.find((a) => a.key === key)?.value;
      const audits = decided.events.filter((e) => (e.type === "attest_draw" && attr(e, "audited") === "true") || (e.type === "attest_committee" && attr(e, "kind") === "audit"));
      expect(audits).toEqual([]);
      return id;
    };
    // Standing reveals agree: FINALIZED on that digest, unaudited, with no committee ever seated.
    const agreed = await runWithheld([RIGHT, RIGHT]);
    expect(c.task(agreed).status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    expect(c.moduleBalance(WITHHELD_SLASHES)).toBe(0n);
    // Standing reveals disagree: the existing dispute path, not an audit.
    const split = await runWithheld([RIGHT, digestOf("another output")]);
    expect(c.task(split).status).toBe(TaskStatus.TASK_STATUS_DISPUTED);
    expect(c.record(split)).toMatchObject({ audited: false, phase: Phase.PHASE_DISPUTE });
    expect(c.record(split)!.audit).toBeUndefined();
  });

  it("item 13: the output CID is bound to the digest", async () => {
    const c = (chain = await startPosChain({ workers: [{ cv: TRUSTED }], params: { attest: { p_floor_bps: 0 } } }));
    const id = nextTaskId(c.app.store);
    expectOk(await c.run([c.client.tx([submitTaskMsg(c.client.address, { bid: 1000n, units: 1n, k: 1 })])]));
    const [w] = c.workers;
    const sealed = textCid("the sealed output");
    expectOk(await c.run([w!.tx([commitMsg(w!.address, id, RIGHT, undefined, sealed)])]));
    await c.run([]);
    // Another CID (a swapped or missing output) does not open the seal: no payment without the sealed output named.
    const swapped = await c.run([w!.tx([revealMsg(w!.address, id, RIGHT, undefined, textCid("another output"))])]);
    expect(swapped.txResults[0]).toMatchObject({ code: 8, codespace: "attest" });
    const missing = await c.run([w!.tx([revealMsg(w!.address, id, RIGHT, undefined, "")])]);
    expect(missing.txResults[0]!.code).not.toBe(0);
    expect(c.record(id)!.results[0]!.revealed).toBe(false);
    expectOk(await c.run([w!.tx([revealMsg(w!.address, id, RIGHT, undefined, sealed)])]));
    await c.run([]);
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
  });
});
