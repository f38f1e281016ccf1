import { afterEach, describe, expect, it } from "vitest";
import { QueryAppliedPlanRequest, QueryAppliedPlanResponse, QueryCurrentPlanRequest, QueryCurrentPlanResponse, QueryModuleVersionsRequest, QueryModuleVersionsResponse } from "cosmjs-types/cosmos/upgrade/v1beta1/query";
import { MsgSoftwareUpgrade } from "cosmjs-types/cosmos/upgrade/v1beta1/tx";
import { branchContext, startTestChain, testGenesis, testKey, type TestChain, type TestChainOptions } from "../../app/testkit.js";
import { AppError } from "../../app/errors.js";
import { govAuthority } from "../../app/authority.js";
import { ChainHalt, BINARY_TOO_NEW_EXIT_CODE, UPGRADE_NEEDED_EXIT_CODE } from "../../app/halt.js";
import { UPGRADE_HANDLERS } from "../../app/upgrades/registry.js";
import type { UpgradeHandler } from "../../app/upgrades/types.js";
import { MICRO_PER_OGPU as OGPU } from "../../app/coins.js";
import { cancelUpgradeMsg, executeAsGov, softwareUpgradeMsg } from "./testing.js";

const alice = testKey(1);
/** The binary before the release: no handler for the plan. */
const OLD: readonly UpgradeHandler[] = [];
/** The release: the production registry (v0.2). */
const NEW = UPGRADE_HANDLERS;
const utf8 = (s: string) => new TextEncoder().encode(s);

/** A chain launched by an earlier release: x/market recorded at version 1. */
function genesis(): Record<string, unknown> {
  return { ...testGenesis({ [alice.address]: 1_000n * OGPU }), upgrade: { module_versions: [{ name: "market", version: "1" }] } };
}

let chains: TestChain[] = [];
afterEach(async () => {
  for (const c of chains) await c.close().catch(() => undefined);
  chains = [];
});

async function start(opts: TestChainOptions & { state?: Record<string, unknown> } = {}): Promise<TestChain> {
  const c = await startTestChain(opts.state ?? genesis(), { midBlockCalls: true, ...opts });
  chains.push(c);
  return c;
}

/** Reopens the chain's database as another binary (the same directory, another registry). */
async function restartAs(c: TestChain, upgrades: readonly UpgradeHandler[]): Promise<TestChain> {
  await c.app.close();
  chains = chains.filter((x) => x !== c);
  return start({ dir: c.dir, upgrades });
}

const currentPlan = (c: TestChain) => QueryCurrentPlanResponse.decode(c.query("/cosmos.upgrade.v1beta1.Query/CurrentPlan", QueryCurrentPlanRequest.encode({}).finish()).value).plan;
const appliedHeight = (c: TestChain, name: string) => QueryAppliedPlanResponse.decode(c.query("/cosmos.upgrade.v1beta1.Query/AppliedPlan", QueryAppliedPlanRequest.encode({ name }).finish()).value).height;
const versions = (c: TestChain) =>
  Object.fromEntries(QueryModuleVersionsResponse.decode(c.query("/cosmos.upgrade.v1beta1.Query/ModuleVersions", QueryModuleVersionsRequest.encode({ moduleName: "" }).finish()).value).moduleVersions.map((v) => [v.name, Number(v.version)]));
const marketParamsJson = (c: TestChain) => JSON.parse(new TextDecoder().decode(c.app.store.get("market/params"))) as Record<string, unknown>;

/** Schedules `name` at `height` in the next block, as a passed proposal's execution would. */
async function schedule(c: TestChain, name: string, height: bigint, info = ""): Promise<void> {
  await c.run([], { during: (ctx) => executeAsGov(c.app, ctx, softwareUpgradeMsg({ name, height, info })) });
}

/** The error a Msg gets when x/gov executes it on a branch of the next block. */
function govError(c: TestChain, msg: ReturnType<typeof softwareUpgradeMsg>): AppError {
  try {
    executeAsGov(c.app, branchContext(c), msg);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("the message succeeded");
}

describe("MsgSoftwareUpgrade / MsgCancelUpgrade", () => {
  it("a plan signed by anyone but the gov authority is refused (gov code 12), even inside a valid tx", async () => {
    const c = await start();
    await c.run();
    const [res] = (await c.run([c.tx(alice, [softwareUpgradeMsg({ name: "v0.2", height: 100n }, alice.address)])])).txResults;
    expect(res).toMatchObject({ code: 12, codespace: "gov" });
    expect(res!.log).toContain("invalid authority");
    expect(currentPlan(c)).toBeUndefined();
  });

  it("refuses a plan at or below the current height, an empty name and a time-based plan (sdk code 18), a malformed authority (sdk 7)", async () => {
    const c = await start({ upgrades: OLD });
    await c.run();
    const next = c.height + 1n;
    for (const height of [next - 1n, next]) {
      expect(govError(c, softwareUpgradeMsg({ name: "v9", height }))).toMatchObject({ codespace: "sdk", code: 18, message: expect.stringContaining("upgrade cannot be scheduled in the past") });
    }
    expect(govError(c, softwareUpgradeMsg({ name: "", height: 100n }))).toMatchObject({ code: 18, message: "name cannot be empty" });
    expect(govError(c, softwareUpgradeMsg({ name: "v9", height: 100n }, govAuthority().toUpperCase()))).toMatchObject({ codespace: "sdk", code: 7 });
    const timed = { typeUrl: "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade", value: MsgSoftwareUpgrade.encode({ authority: govAuthority(), plan: { name: "t", height: 100n, info: "", time: { seconds: 1_800_000_000n, nanos: 0 } } }).finish() };
    expect(govError(c, timed)).toMatchObject({ code: 18, message: "time-based upgrades have been deprecated in the SDK" });
    expect(currentPlan(c)).toBeUndefined();
  });

  it("one plan at a time: a new plan replaces the old; cancel removes it", async () => {
    const c = await start({ upgrades: OLD });
    await schedule(c, "first", 100n, "a");
    expect(currentPlan(c)).toMatchObject({ name: "first", height: 100n, info: "a" });
    await schedule(c, "second", 200n, "b");
    expect(currentPlan(c)).toMatchObject({ name: "second", height: 200n, info: "b" });
    const res = await c.run([], { during: (ctx) => executeAsGov(c.app, ctx, cancelUpgradeMsg()) });
    expect(res.events.filter((e) => e.type === "upgrade_cancelled")).toHaveLength(1);
    expect(currentPlan(c)).toBeUndefined();
    // Cancelling nothing succeeds and changes nothing (the SDK's behaviour).
    await c.run([], { during: (ctx) => executeAsGov(c.app, ctx, cancelUpgradeMsg()) });
    expect(c.app.exportAppState().upgrade).toMatchObject({ plan: null, applied: [] });
  });
});

describe("plan → halt → new binary → migration → resume", () => {
  it("the old binary halts at the plan height before any tx, commits nothing, and halts again when restarted", async () => {
    let c = await start({ upgrades: OLD });
    await c.run();
    // State written by a release that predates max_gpu_models (what the migration must complete).
    const { max_gpu_models: _dropped, ...oldParams } = marketParamsJson(c);
    await c.run([], { during: (ctx) => ctx.store.set("market/params", utf8(JSON.stringify(oldParams))) });
    const planHeight = c.height + 3n;
    await schedule(c, "v0.2", planHeight, '{"binaries":{}}');
    // Restart (as after kill -9) between plan and height: the plan is state, it stays.
    c = await restartAs(c, OLD);
    expect(currentPlan(c)).toMatchObject({ name: "v0.2", height: planHeight });
    while (c.height + 1n < planHeight) await c.run();
    const before = { height: c.app.lastCommit.height, appHash: c.app.lastCommit.appHash };

    const halt = await c.run([c.tx(alice, [])]).catch((err: unknown) => err);
    expect(halt).toBeInstanceOf(ChainHalt);
    expect((halt as ChainHalt).message).toBe(`UPGRADE "v0.2" NEEDED at height: ${planHeight}: {"binaries":{}}`);
    expect((halt as ChainHalt).exitCode).toBe(UPGRADE_NEEDED_EXIT_CODE);
    expect((halt as ChainHalt).upgrade).toEqual({ name: "v0.2", height: planHeight, info: '{"binaries":{}}' });
    expect(c.app.lastCommit).toMatchObject(before);

    // The old binary again (CometBFT replays the same block): the same halt, nothing committed.
    c = await restartAs(c, OLD);
    expect(() => c.app.startupCheck()).not.toThrow();
    await expect(c.run()).rejects.toThrow(`UPGRADE "v0.2" NEEDED at height: ${planHeight}`);
    expect(c.app.lastCommit).toMatchObject(before);

    // The new binary: the handler runs at the plan height, market 1 → 2 completes its params.
    c = await restartAs(c, NEW);
    expect(() => c.app.startupCheck()).not.toThrow();
    expect(marketParamsJson(c)).not.toHaveProperty("max_gpu_models");
    expect(versions(c).market).toBe(1);
    const res = await c.run();
    expect(c.height).toBe(planHeight);
    expect(res.events.filter((e) => e.type === "upgrade_applied").map((e) => e.attributes.map((a) => a.value))).toEqual([["v0.2", planHeight.toString()]]);
    expect(marketParamsJson(c)).toMatchObject({ ...oldParams, max_gpu_models: expect.any(Number) });
    expect(versions(c)).toMatchObject({ market: 2, bank: 1, upgrade: 1 });
    expect(currentPlan(c)).toBeUndefined();
    expect(appliedHeight(c, "v0.2")).toBe(planHeight);
    expect(appliedHeight(c, "never")).toBe(0n);
    await c.run();
    expect(c.app.brokenInvariants()).toEqual([]);

    // The old binary can no longer start on this state (it would run the old rules).
    c = await restartAs(c, OLD);
    expect(() => c.app.startupCheck()).toThrow(/upgrade "v0.2" was applied at height .* but this binary has no handler/);
    // And the plan cannot be scheduled again.
    c = await restartAs(c, NEW);
    expect(govError(c, softwareUpgradeMsg({ name: "v0.2", height: c.height + 10n }))).toMatchObject({ code: 18, message: "upgrade with name v0.2 has already been completed" });
  });

  it("a binary that already has the handler refuses to start, and halts, before the plan height", async () => {
    let c = await start({ upgrades: OLD });
    await schedule(c, "v0.2", c.height + 5n);
    c = await restartAs(c, NEW);
    const early = (() => {
      try {
        c.app.startupCheck();
      } catch (err) {
        return err;
      }
    })();
    expect(early).toBeInstanceOf(ChainHalt);
    expect((early as ChainHalt).message).toBe('BINARY UPDATED BEFORE TRIGGER! UPGRADE "v0.2" - in binary but not executed on chain. Downgrade your binary');
    expect((early as ChainHalt).exitCode).toBe(BINARY_TOO_NEW_EXIT_CODE);
    await expect(c.run()).rejects.toThrow("BINARY UPDATED BEFORE TRIGGER");
  });

  it("a failing migration halts the block instead of committing half of it", async () => {
    const broken: UpgradeHandler = { name: "broken", apply: () => { throw new Error("migration bug"); } };
    let c = await start({ upgrades: OLD });
    await schedule(c, "broken", c.height + 2n);
    c = await restartAs(c, [broken]);
    const before = c.app.lastCommit.height;
    await expect(c.run()).rejects.toThrow("migration bug");
    expect(c.app.lastCommit.height).toBe(before);
  });

  it("runMigrations: a module missing from the version map is new and starts from its default genesis", async () => {
    // A release that adds x/slashing to a chain which never had it (modelled by leaving it out of `from`).
    const addsSlashing: UpgradeHandler = { name: "adds-slashing", apply: (ctx, _plan, from, { runMigrations }) => runMigrations(ctx, Object.fromEntries(Object.entries(from).filter(([name]) => name !== "slashing"))) };
    const state = { ...genesis(), slashing: { params: { signed_blocks_window: 20 } } };
    let c = await start({ state, upgrades: OLD });
    await schedule(c, "adds-slashing", c.height + 2n);
    const window = () => (JSON.parse(new TextDecoder().decode(c.app.store.get("slashing/params"))) as { signed_blocks_window: number }).signed_blocks_window;
    expect(window()).toBe(20);
    c = await restartAs(c, [addsSlashing]);
    await c.run();
    expect(window()).toBe(100); // slashing's default genesis
    expect(versions(c)).toMatchObject({ slashing: 1, market: 2 });
  });

  it("a fresh chain records every module at this binary's version; export → import keeps plan, applied plans and versions", async () => {
    const c = await start({ state: testGenesis({ [alice.address]: 1_000n * OGPU }), upgrades: OLD });
    await schedule(c, "later", 500n, "i");
    expect(versions(c)).toMatchObject({ market: 2, auth: 1, bank: 1, staking: 1, upgrade: 1 });
    const exported = c.app.exportAppState().upgrade as Record<string, unknown>;
    expect(exported).toMatchObject({ plan: { name: "later", height: "500", info: "i" }, applied: [] });
    const again = await start({ state: { ...testGenesis({ [alice.address]: 1_000n * OGPU }), upgrade: exported }, upgrades: OLD });
    await again.run();
    expect(currentPlan(again)).toMatchObject({ name: "later", height: 500n });
    expect(again.app.exportAppState().upgrade).toEqual(exported);
  });
});
