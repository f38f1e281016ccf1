import { TEST_PORTS } from "../../testnet/ports.js";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { QueryClient, setupGovExtension, SigningStargateClient } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { ProposalStatus } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { MsgVote } from "cosmjs-types/cosmos/gov/v1/tx";
import { runOgpud } from "../../cmd/ogpud/run.js";
import { govAuthority } from "../../app/authority.js";
import { UPGRADE_NEEDED_EXIT_CODE } from "../../app/halt.js";
import { createTestnet, testnetNodeLogTail, type Testnet, type TestnetNode } from "../../testnet/testnet.js";
import { portsFrom, rpcStatus, spawnNode, type NodeProcess } from "../../testnet/devnet.js";
import { marketParams } from "../../x/market/params.js";
import { PARAM_ADDED_BY_UPGRADE, releaseBefore } from "../support/release-before.js";
import { DENOM, GAS_PRICE, logMessages, OGPU, PREFIX, rpcGet, until } from "./helpers.js";

/**
 * A software upgrade on a real 4-validator testnet: a cosmos.gov.v1 proposal carrying
 * MsgSoftwareUpgrade "v0.2" passes with the 4 validators' yes votes (stock cosmjs); a validator
 * killed -9 and restarted between the vote and the height still has the plan; every
 * validator runs the release before it (dist/ minus the v0.2 handler and minus x/market's
 * max_gpu_models param, which its state therefore lacks) and halts at the plan
 * height with the SDK's log line and exit code, committing nothing of that block; restarted
 * with the old binary a node halts again at the same height; restarted with the new binary
 * (dist/) CometBFT replays the block, the handler migrates x/market 1 → 2 (adding
 * max_gpu_models at its default) and the chain goes on with the same app hash on every validator.
 */
const BASE_PORT = portsFrom(TEST_PORTS.upgrade.base).p2p; // node i: +10i
const PLAN = "v0.2";
/** Gov voting period (block time); the plan height leaves room for it and a node restart. */
const VOTING_SECONDS = 12;
const PLAN_LEAD_SECONDS = 40;
let PLAN_HEIGHT = 0n;
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
  logMessages(readFileSync(join(node.home, "ogpud.log"), "utf8")).filter((l) => l === `UPGRADE "${PLAN}" NEEDED at height: ${PLAN_HEIGHT}: ${PLAN_INFO}`).length;

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
      // A chain launched by the earlier release, whose x/market was at version 1 and had no
      // max_gpu_models param (that release refuses it as unknown); short gov periods.
      appState.upgrade = { module_versions: [{ name: "market", version: "1" }] };
      delete (appState.market as { params: Record<string, unknown> }).params[PARAM_ADDED_BY_UPGRADE];
      const gov = appState.gov as { params: Record<string, unknown> };
      gov.params = { ...gov.params, voting_period_seconds: VOTING_SECONDS, max_deposit_period_seconds: VOTING_SECONDS };
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

/** A stock-cosmjs signer for the validator account of `node` (its mnemonic from nodes.json). */
async function validatorClient(node: TestnetNode) {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(node.mnemonic, { prefix: PREFIX });
  return SigningStargateClient.connectWithSigner(node.rpc, wallet, { gasPrice: GAS_PRICE });
}

/**
 * Submits the upgrade proposal with `ogpud tx gov submit-proposal` and the JSON docs/upgrades.md
 * shows (node0's validator key), votes yes from all four validators with stock cosmjs; returns
 * its id once PASSED.
 */
async function passUpgradeProposal(planHeight: bigint): Promise<bigint> {
  const [node0] = testnet.nodes as [TestnetNode];
  const file = join(work, "upgrade-proposal.json");
  const upgrade = { "@type": "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade", authority: govAuthority(), plan: { name: PLAN, height: planHeight.toString(), info: PLAN_INFO } };
  writeFileSync(file, JSON.stringify({ messages: [upgrade], deposit: `${10n * OGPU}${DENOM}`, title: `Upgrade to ${PLAN}`, summary: "x/market 1 → 2" }));
  const cli = ["--home", node0.home, "--keyring-backend", "test", "--node", node0.rpc, "--from", "validator", "--fees", "1000uogpu", "--gas", "400000", "--yes", "-o", "json"];
  const submitted = await runOgpud(["tx", "gov", "submit-proposal", file, ...cli]);
  expect(submitted.code, submitted.stderr).toBe(0);
  const id = BigInt(JSON.parse(submitted.stdout).proposal_id as string);
  const comet = await connectComet(node0.rpc);
  const gov = QueryClient.withExtensions(comet, setupGovExtension).gov;
  const votes = await Promise.all(
    testnet.nodes.map(async (node) => {
      const vote = { typeUrl: "/cosmos.gov.v1.MsgVote", value: MsgVote.fromPartial({ proposalId: id, voter: node.account, option: VoteOption.VOTE_OPTION_YES, metadata: "" }) };
      return (await validatorClient(node)).signAndBroadcast(node.account, [vote], "auto");
    }),
  );
  for (const voted of votes) expect(voted.code, voted.rawLog).toBe(0);
  const final = await until("the upgrade proposal's final status", () => gov.proposal(id.toString()), (p) => p.proposal!.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, 90_000, logTails);
  expect(final.proposal!.status).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
  comet.disconnect();
  return id;
}

async function restAt<T>(node: TestnetNode, path: string): Promise<{ height: bigint; body: T }> {
  const res = await fetch(`${node.rest}${path}`);
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return { height: BigInt(res.headers.get("x-cosmos-block-height")!), body: (await res.json()) as T };
}

const rest = async <T>(node: TestnetNode, path: string): Promise<T> => (await restAt<T>(node, path)).body;

/** x/market's params as `node` answers them (the Params query's params_json), with the height answered. */
async function marketParamsAt(node: TestnetNode): Promise<{ height: bigint; params: Record<string, unknown> }> {
  const { height, body } = await restAt<{ params_json: string }>(node, "/ogpu/market/v1/params");
  return { height, params: JSON.parse(body.params_json) as Record<string, unknown> };
}

describe("software upgrade on a 4-validator testnet", () => {
  it("a passed gov upgrade proposal halts every validator at the plan height; the new binary migrates and resumes with the same app hash everywhere", async () => {
    // 0. The old release runs; governance schedules the plan.
    const olds = testnet.nodes.map((n) => start(n, oldScript));
    for (const node of testnet.nodes) await until(`${node.moniker} at height 2`, () => rpcStatus(node.rpc), (s) => s.height >= 2n, 90_000, logTails);
    // The plan height: PLAN_LEAD_SECONDS ahead at the block rate this machine manages now.
    const first = await rpcStatus(testnet.nodes[0]!.rpc);
    await new Promise((r) => setTimeout(r, 5_000));
    const now = (await rpcStatus(testnet.nodes[0]!.rpc)).height;
    PLAN_HEIGHT = now + BigInt(Math.max(30, Math.ceil((Number(now - first.height) / 5) * PLAN_LEAD_SECONDS)));
    await passUpgradeProposal(PLAN_HEIGHT);
    const plan = { plan: { name: PLAN, time: "0001-01-01T00:00:00Z", height: PLAN_HEIGHT.toString(), info: PLAN_INFO, upgraded_client_state: null } }; // as the SDK renders it
    for (const node of testnet.nodes) await until(`${node.moniker} to show the plan`, () => rest(node, "/cosmos/upgrade/v1beta1/current_plan"), (p) => JSON.stringify(p) === JSON.stringify(plan), 30_000);
    const shown = await runOgpud(["q", "upgrade", "plan", "--node", testnet.nodes[1]!.rpc, "-o", "json"]);
    expect(JSON.parse(shown.stdout)).toEqual({ name: PLAN, height: PLAN_HEIGHT.toString(), info: PLAN_INFO });

    // Restart (kill -9, ogpud and its cometbft) between the vote and the height: the plan is state, it stays.
    const victim = testnet.nodes[3]!;
    await running.get(victim)!.kill9();
    olds[3] = start(victim, oldScript);
    await until(`${victim.moniker} back with the plan`, () => rest(victim, "/cosmos/upgrade/v1beta1/current_plan"), (p) => JSON.stringify(p) === JSON.stringify(plan), 60_000, logTails);
    // Before the plan height the chain's x/market params lack the param the migration adds.
    const paramsBefore = (await marketParamsAt(testnet.nodes[0]!)).params;
    for (const node of testnet.nodes) {
      const before = await marketParamsAt(node);
      expect(before.height).toBeLessThan(PLAN_HEIGHT);
      expect(before.params).not.toHaveProperty(PARAM_ADDED_BY_UPGRADE);
      expect(before.params).toEqual(paramsBefore);
    }

    // 1. The old release runs until the plan height and stops there. A validator that had not
    //    seen block PLAN_HEIGHT's commit when the others stopped waits at PLAN_HEIGHT − 1 (no
    //    quorum is left to finish the block); it halts once it receives the block (step 3).
    const firstExit = await Promise.race([
      Promise.race(olds.map((p) => p.exited)),
      new Promise<never>((_, reject) => setTimeout(() => void logTails().then((t) => reject(new Error(`no validator halted\n${t}`))), 180_000)),
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
    for (const node of waiting) expect((await rpcStatus(node.rpc)).height).toBeLessThan(PLAN_HEIGHT);

    // 2. The old binary again on a halted node: CometBFT replays block PLAN_HEIGHT, it halts again.
    const node0 = halted[0]!;
    const again = start(node0, oldScript);
    expect(await again.exited).toBe(UPGRADE_NEEDED_EXIT_CODE);
    expect(haltLines(node0)).toBe(2);
    expect(readFileSync(join(node0.home, "ogpud.log"), "utf8")).toContain(`state at height ${PLAN_HEIGHT - 1n},`);

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
      const applied = await runOgpud(["q", "upgrade", "applied", PLAN, "--node", node.rpc, "-o", "json"]);
      expect(JSON.parse(applied.stdout)).toEqual({ name: PLAN, height: PLAN_HEIGHT.toString() });
      expect(await rest(node, "/cosmos/upgrade/v1beta1/current_plan")).toEqual({ plan: null });
      expect(await rest(node, "/cosmos/upgrade/v1beta1/module_versions?module_name=market")).toEqual({ module_versions: [{ name: "market", version: "2" }] });
      // The migration added it at this release's default; the other params are as they were.
      const after = await marketParamsAt(node);
      expect(after.height).toBeGreaterThan(PLAN_HEIGHT);
      expect(after.params).toEqual(marketParams.parse(paramsBefore));
      expect(after.params[PARAM_ADDED_BY_UPGRADE]).toBe(marketParams.parse(undefined).max_gpu_models);
    }
  }, 540_000);
});
