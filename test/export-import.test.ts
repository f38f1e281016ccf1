import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryAccountRequest } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { QueryAllBalancesRequest } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { OgpuApp } from "../app/app.js";
import { createAppWiring } from "../app/modules.js";
import { finalizeRequest, initChainRequest, sendMsg, testKey, TEST_CHAIN_ID } from "../app/testkit.js";
import type { KVStore } from "../app/store/kvstore.js";
import { accountAddressString } from "../app/address.js";
import { bytesEqual } from "../crypto/bytes.js";
import { commitMsg, digestOf, expectOk, OGPU, setAuditorKeyMsg, startPosChain, type PosChain } from "../x/attest/testing.js";
import { nextTaskId } from "../x/market/keeper.js";
import { cancelTaskMsg, exitWorkerMsg, gpu, heartbeatMsg, registerWorkerMsg, submitTaskMsg, testEncPubkey } from "../x/market/testing.js";
import { delegateMsg, redelegateMsg, undelegateMsg, withdrawMsg } from "../x/staking/testing.js";
import { allAccounts } from "../x/auth/keeper.js";
import { getValidator, lastPowers } from "../x/staking/keeper.js";
import { consensusKeyByAddress } from "../app/consensus-state.js";
import { consAddressOf, consensusKeyOf } from "../app/validator-address.js";
import { duplicateVote } from "../x/slashing/testing.js";
import { depositMsg, submitProposalMsg, voteMsg } from "../x/gov/testing.js";
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";

/**
 * Export → import round trip for every module in app/modules.ts: a chain with activity in
 * each module is exported (`exportAppState`, through JSON as `ogpud export` writes it), a
 * fresh app runs InitChain on that export at the next height, and then
 *   (a) every module store entry of the new genesis state equals the source's, byte for byte;
 *   (b) after the same next block on both, the module stores are still equal, and every
 *       module's queries answer the same.
 * Keys encode heights as absolute block heights; the new chain continues at export height + 1
 * (`initial_height`), so no mapping is needed. App-level entries (`app/…`, app/consensus-state.ts)
 * are not module state and not in app_state: the chain id and consensus params come from the
 * genesis document, the last block hash from the first block, and `app/conskey/` keeps the keys
 * of validators that have left the set only for the beacons of the next two blocks — the new
 * chain records the keys of its own set (checked below).
 * It iterates the wiring's module list, so a module added later is covered without a change
 * here: its exportGenesis must write all its initGenesis needs.
 */

const delegator = testKey(51);
const newcomer = testKey(52);
const newWorker = testKey(53);

let source: PosChain;
let dir: string;
let imported: OgpuApp;
let exportHeight: bigint;

/** Module state: everything but the app-level `app/` entries. */
function entries(store: KVStore): Map<string, Uint8Array> {
  return new Map([...store.iterate("")].filter(([key]) => !key.startsWith("app/")));
}

/** Keys whose values differ or that exist on one side only. */
function diff(a: KVStore, b: KVStore): string[] {
  const left = entries(a);
  const right = entries(b);
  const keys = new Set([...left.keys(), ...right.keys()]);
  return [...keys].filter((k) => {
    const x = left.get(k);
    const y = right.get(k);
    return x === undefined || y === undefined || !bytesEqual(x, y);
  }).map((k) => `${JSON.stringify(k)}: ${left.has(k) ? "source" : "-"} / ${right.has(k) ? "import" : "-"}`).sort();
}

async function buildActivity(c: PosChain): Promise<void> {
  const [v0, v1] = c.validators;
  const client = c.client;
  // bank: new accounts (one signs later, so it has a pubkey and a sequence)
  expectOk(await c.run([client.tx([sendMsg(client.address, delegator.address, (5_000n * OGPU).toString()), sendMsg(client.address, newcomer.address, (10n * OGPU).toString()), sendMsg(client.address, newWorker.address, (2_000n * OGPU).toString())])]));
  // staking + distribution: delegate, redelegate, undelegate (queues), withdraw
  const d = c.signer(delegator);
  expectOk(await c.run([d.tx([delegateMsg(delegator, v0!.v.valoper, 1_000n * OGPU)])]));
  expectOk(await c.run([d.tx([redelegateMsg(delegator, v0!.v.valoper, v1!.v.valoper, 300n * OGPU), undelegateMsg(delegator, v0!.v.valoper, 200n * OGPU)])]));
  expectOk(await c.run([d.tx([withdrawMsg(delegator, v0!.v.valoper)]), c.signer(newcomer).tx([sendMsg(newcomer.address, client.address, "1")])]));
  // workers: a new registration and heartbeats; attest: an auditor key
  const w = c.signer(newWorker);
  expectOk(await c.run([w.tx([registerWorkerMsg(newWorker.address, { gpus: [gpu("RTX4090", 24_576)], region: "eu", price: 100n })]), v0!.signer.tx([setAuditorKeyMsg(v0!.v.key.address, testEncPubkey(3))])]));
  expectOk(await c.run([c.workers[1]!.tx([heartbeatMsg(c.workers[1]!.address)])]));
  // market + attest: one task committed (open record, reveal deadline), one more submitted
  const id = nextTaskId(c.app.store);
  expectOk(await c.run([client.tx([submitTaskMsg(client.address, { bid: 1000n })])]));
  const assigned = c.task(id).assignments.map((a) => a.worker);
  const worker = c.workers.find((x) => assigned.includes(x.address))!;
  expectOk(await c.run([worker.tx([commitMsg(worker.address, id, digestOf("output"))]), client.tx([submitTaskMsg(client.address, { bid: 2000n })])]));
  // market: a cancelled task (terminal, scheduled for pruning); workers: an exit in progress
  expectOk(await c.run([client.tx([cancelTaskMsg(client.address, id + 1n)]), c.workers[3]!.tx([exitWorkerMsg(c.workers[3]!.address)])]));
  // gov: a proposal in its voting period, with a deposit and a vote
  expectOk(await c.run([client.tx([submitProposalMsg(client.key, 10n * OGPU, [], { title: "Round trip" })])]));
  expectOk(await c.run([v0!.signer.tx([voteMsg(v0!.v.key, 1n, VoteOption.VOTE_OPTION_YES)]), d.tx([depositMsg(delegator, 1n, OGPU)])]));
  // slashing: validator 1 misses a few blocks (missed bits in its signing info)
  for (let i = 0; i < 3; i++) await c.run([], { absent: [v1!.v] });
  // slashing + staking: validator 1 double-signs (slashed, jailed, tombstoned; its delegators' entries slashed)
  const power = c.keepers.staking.lastPowers(c.app.store).find((p) => bytesEqual(p.operator, v1!.v.key.addressBytes))!.power;
  await c.run([], { misbehavior: [duplicateVote(v1!.v, c.height, power)] });
  await c.run([]);
}

describe("export → import round trip (every module)", () => {
  beforeAll(async () => {
    // Emission on, with a short provider epoch, so x/mint's open epoch and totals and x/bank's issuance counters travel too.
    const mint = { initial_block_reward: "1000", halving_interval_blocks: 1000, reward_epoch_blocks: 7 };
    source = await startPosChain({ validatorStakes: [1000n * OGPU, 800n * OGPU], commitVotes: true, params: { mint } });
    await buildActivity(source);
    expect(source.keepers.bank.issuanceOf(source.app.store, "uogpu").minted).toBeGreaterThan(0n);
    exportHeight = source.height;
    const appState = JSON.parse(JSON.stringify(source.app.exportAppState())) as Record<string, unknown>;
    dir = mkdtempSync(join(tmpdir(), "ogpu-import-"));
    imported = await OgpuApp.open(join(dir, "db"), createAppWiring(), { minGasPrices: [], checkInvariants: true });
    imported.initChain({ ...initChainRequest(appState), initialHeight: exportHeight + 1n });
  }, 120_000);

  afterAll(async () => {
    await source?.close();
    await imported?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the export has a section for every module and survives JSON", () => {
    const names = createAppWiring().modules.map((m) => m.name);
    expect(Object.keys(source.app.exportAppState()).sort()).toEqual([...names].sort());
  });

  it("the imported genesis state equals the source's module state entry for entry", () => {
    expect(diff(source.app.store, imported.latestState())).toEqual([]);
    const accounts = [...allAccounts(imported.latestState())];
    expect(accounts.find((a) => bytesEqual(a.address, newcomer.addressBytes))).toMatchObject({ sequence: 1n, pubKey: newcomer.pubKey });
    // The new chain knows its own validators' consensus keys (beacon checks from its second block on).
    const state = imported.latestState();
    const bonded = lastPowers(state);
    expect(bonded.length).toBeGreaterThan(0);
    for (const { operator } of bonded) expect(consensusKeyByAddress(state, consAddressOf(consensusKeyOf(getValidator(state, operator)!)))).toBeDefined();
  });

  it("after the same next block both stores are identical and every module's queries answer the same", async () => {
    const next = finalizeRequest(exportHeight + 1n, []);
    source.app.finalizeBlock(next);
    await source.app.commit();
    imported.finalizeBlock(next);
    await imported.commit();
    expect(diff(source.app.store, imported.store)).toEqual([]);

    const requests: [string, Uint8Array][] = [];
    for (const m of createAppWiring().modules) for (const q of m.queries) requests.push([q.path, new Uint8Array()]);
    for (const a of allAccounts(source.app.store)) {
      requests.push(["/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address: accountAddressString(a.address) }).finish()]);
      requests.push(["/cosmos.bank.v1beta1.Query/AllBalances", QueryAllBalancesRequest.encode(QueryAllBalancesRequest.fromPartial({ address: accountAddressString(a.address) })).finish()]);
    }
    expect(requests.length).toBeGreaterThan(30);
    for (const [path, data] of requests) {
      const a = source.app.query({ path, data, height: 0n, prove: false });
      const b = imported.query({ path, data, height: 0n, prove: false });
      expect({ path, code: b.code, log: b.log, value: Buffer.from(b.value).toString("hex") }).toEqual({ path, code: a.code, log: a.log, value: Buffer.from(a.value).toString("hex") });
    }
    expect(imported.currentChainId).toBe(TEST_CHAIN_ID);
  });
});
