/**
 * x/mint on a real node (ogpud + cometbft, --check-invariants): every block's `mint` event
 * (CometBFT block_results) carries exactly the schedule's validator part, supply read over
 * REST and cosmjs equals genesis + minted at the height it reports, the schedule runs out
 * after its last halving, and the cosmos.mint queries answer stock cosmjs' mint extension.
 * Ports: TEST_PORTS.mint (testnet/ports.ts).
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryClient, setupBankExtension, setupMintExtension } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { blockReward, scheduledThrough, scheduleTotal } from "../../x/mint/schedule.js";
import { runOgpud } from "../../cmd/ogpud/run.js";
import { DENOM, genesisTotal, OGPU, rpcGet, startTestNode, until, type TestNode } from "./helpers.js";

const PORT_BASE = TEST_PORTS.mint.base;
const GENESIS = [{ name: "dev", coins: `${100_000n * OGPU}${DENOM}` }];
const SCHEDULE = { initialReward: 1000n, halvingInterval: 5n };
const PROVIDER_BPS = 3000n;
const BLOCKS_PER_YEAR = 7n;
/** 1000 uogpu halves to 0 at the 10th halving: block 51 is the first without emission. */
const LAST_BLOCK = 10n * SCHEDULE.halvingInterval;

const validatorPart = (h: bigint) => blockReward(SCHEDULE, h) - (blockReward(SCHEDULE, h) * PROVIDER_BPS) / 10_000n;
const mintedThrough = (h: bigint) => {
  let sum = 0n;
  for (let i = 1n; i <= h; i++) sum += validatorPart(i);
  return sum;
};

type BlockResults = { finalize_block_events?: { type: string; attributes: { key: string; value: string }[] }[] };

describe("x/mint on a real node", () => {
  let t: TestNode;
  let query: ReturnType<typeof QueryClient.withExtensions<ReturnType<typeof setupBankExtension>, ReturnType<typeof setupMintExtension>>>;

  beforeAll(async () => {
    t = await startTestNode({
      portBase: PORT_BASE,
      accounts: GENESIS,
      validator: { stake: `${10_000n * OGPU}${DENOM}` },
      params: {
        mint: {
          initial_block_reward: SCHEDULE.initialReward.toString(),
          halving_interval_blocks: Number(SCHEDULE.halvingInterval),
          provider_share_bps: Number(PROVIDER_BPS),
          reward_epoch_blocks: 10,
          blocks_per_year: Number(BLOCKS_PER_YEAR),
        },
      },
    });
    query = QueryClient.withExtensions(await connectComet(t.devnet.rpcUrl), setupBankExtension, setupMintExtension);
  }, 120_000);

  afterAll(async () => {
    await t?.cleanup();
  });

  async function latestHeight(): Promise<bigint> {
    return BigInt((await rpcGet<{ sync_info: { latest_block_height: string } }>(t.devnet.rpcUrl, "status")).sync_info.latest_block_height);
  }

  /** GET on REST with the height the node answered at (x-cosmos-block-height). */
  async function restAt<T>(path: string): Promise<{ height: bigint; body: T }> {
    const res = await fetch(`${t.devnet.restUrl}${path}`);
    expect(res.status).toBe(200);
    return { height: BigInt(res.headers.get("x-cosmos-block-height")!), body: (await res.json()) as T };
  }

  it("supply over REST equals genesis + the schedule's validator part at every height it is read", async () => {
    const genesis = genesisTotal(GENESIS);
    const seen = new Set<bigint>();
    await until(
      "emission to end",
      async () => {
        const supply = await restAt<{ amount: { amount: string } }>(`/cosmos/bank/v1beta1/supply/by_denom?denom=${DENOM}`);
        expect(BigInt(supply.body.amount.amount)).toBe(genesis + mintedThrough(supply.height));
        const schedule = await restAt<{ height: string; minted: string; supply: string; scheduled_to_date: string; current_block_reward: string }>("/ogpu/mint/v1/schedule");
        const h = schedule.height;
        expect(BigInt(schedule.body.height)).toBe(h);
        expect(BigInt(schedule.body.minted)).toBe(mintedThrough(h));
        expect(BigInt(schedule.body.supply)).toBe(genesis + mintedThrough(h));
        expect(BigInt(schedule.body.scheduled_to_date)).toBe(scheduledThrough(SCHEDULE, h));
        expect(BigInt(schedule.body.current_block_reward)).toBe(blockReward(SCHEDULE, h + 1n));
        seen.add(h);
        return h;
      },
      (h) => h > LAST_BLOCK + 2n,
      120_000,
    );
    expect(seen.size).toBeGreaterThan(10);
  });

  it("each block's mint event carries exactly the schedule's validator part, for every block 1..60", async () => {
    await until("block 60", () => latestHeight(), (h) => h >= LAST_BLOCK + 10n);
    for (let h = 1n; h <= LAST_BLOCK + 10n; h++) {
      const results = await rpcGet<BlockResults>(t.devnet.rpcUrl, `block_results?height=${h}`);
      const mint = (results.finalize_block_events ?? []).filter((e) => e.type === "mint");
      const attr = (k: string) => mint[0]?.attributes.find((a) => a.key === k)?.value;
      if (blockReward(SCHEDULE, h) === 0n) {
        expect(mint, `block ${h}`).toHaveLength(0);
      } else {
        expect(mint, `block ${h}`).toHaveLength(1);
        expect(attr("amount"), `block ${h}`).toBe(validatorPart(h).toString());
        expect(attr("block_reward"), `block ${h}`).toBe(blockReward(SCHEDULE, h).toString());
      }
    }
  });

  it("after the last halving: nothing more is minted, the provider budget nobody earned was never minted, and the invariants held every block", async () => {
    const { body } = await restAt<Record<string, string>>("/ogpu/mint/v1/schedule");
    expect(BigInt(body.minted!)).toBe(mintedThrough(LAST_BLOCK));
    expect(BigInt(body.next_halving_height!)).toBe(0n);
    expect(BigInt(body.provider_paid!)).toBe(0n);
    expect(BigInt(body.provider_forgone!) + BigInt(body.epoch_budget!)).toBe(scheduleTotal(SCHEDULE) - mintedThrough(LAST_BLOCK));
    // Stock cosmjs agrees, via bank and the mint extension.
    expect(BigInt((await query.bank.supplyOf(DENOM)).amount)).toBe(genesisTotal(GENESIS) + mintedThrough(LAST_BLOCK));
    expect((await query.mint.inflation()).toString()).toBe("0");
    expect((await query.mint.annualProvisions()).toString()).toBe("0");
    const params = await query.mint.params();
    expect(params.mintDenom).toBe(DENOM);
    expect(params.blocksPerYear).toBe(BLOCKS_PER_YEAR);
    // ogpud runs with check_invariants: a broken invariant would have stopped the node.
    const log = await readFile(join(t.devnet.home, "ogpud.log"), "utf8");
    expect(log).not.toMatch(/invariant/i);
    expect(await latestHeight()).toBeGreaterThan(LAST_BLOCK + 2n);
  });

  it("inflation and annual provisions over REST are the schedule's next blocks_per_year blocks over supply, at the height answered", async () => {
    // Emission is over by now: both are exactly 0 (the schedule, not a stale parameter).
    const inflation = await restAt<{ inflation: string }>("/cosmos/mint/v1beta1/inflation");
    const provisions = await restAt<{ annual_provisions: string }>("/cosmos/mint/v1beta1/annual_provisions");
    expect(inflation.body.inflation).toBe("0.000000000000000000");
    expect(provisions.body.annual_provisions).toBe("0.000000000000000000");
    const params = await restAt<{ params: { blocks_per_year: string; inflation_max: string; mint_denom: string } }>("/cosmos/mint/v1beta1/params");
    expect(params.body.params).toMatchObject({ blocks_per_year: BLOCKS_PER_YEAR.toString(), inflation_max: "0.000000000000000000", mint_denom: DENOM });
  });

  it("ogpud q mint params|schedule|inflation|annual-provisions|provider-rewards print the same figures as JSON", async () => {
    const q = async (...argv: string[]) => {
      const run = await runOgpud(["q", "mint", ...argv, "--node", t.devnet.rpcUrl, "--output", "json"]);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as Record<string, unknown>;
    };
    expect(await q("params")).toMatchObject({ initial_block_reward: "1000", halving_interval_blocks: 5, provider_share_bps: 3000, blocks_per_year: 7 });
    expect(await q("schedule")).toMatchObject({ minted: mintedThrough(LAST_BLOCK).toString(), next_halving_height: "0", provider_paid: "0" });
    expect(await q("inflation")).toEqual({ inflation: "0.000000000000000000" });
    expect(await q("annual-provisions")).toEqual({ annual_provisions: "0.000000000000000000" });
    expect(await q("provider-rewards", t.devnet.accounts[0]!.address)).toMatchObject({ fee_credit: "0", total_paid: "0" });
    const bad = await runOgpud(["q", "mint", "provider-rewards", "nope", "--node", t.devnet.rpcUrl]);
    expect(bad.code).not.toBe(0);
  });
});
