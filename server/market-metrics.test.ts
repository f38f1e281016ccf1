import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../app/log.js";
import { marketFixture, MARKET_ESCROW, type MarketFixture } from "../x/market/fixture.js";
import { submitTaskMsg } from "../x/market/testing.js";
import { createMarketMetrics } from "./market-metrics.js";
import { appQuerier } from "./blob-chain.js";

/** `name{labels} value` lines of one metric in the registry's text output. */
async function samples(registry: Registry, name: string): Promise<Map<string, number>> {
  const text = await registry.metrics();
  const lines = text.split("\n").filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return new Map(lines.map((l) => [l.slice(name.length, l.lastIndexOf(" ")), Number(l.slice(l.lastIndexOf(" ") + 1))]));
}

let m: MarketFixture;
beforeAll(async () => {
  m = await marketFixture();
});
afterAll(() => m.chain.close());

describe("node market metrics", () => {
  it("gauges read tasks by status, escrow, workers per tier and base prices from committed state", async () => {
    const registry = new Registry();
    createMarketMetrics(registry, appQuerier(m.chain.app), silentLogger());
    // One task the cheapest worker takes, one nobody can (bid under every price): assigned + pending.
    await m.chain.block([m.client.tx([submitTaskMsg(m.client.address, { bid: 200n, units: 10n })])]);
    await m.chain.block([m.client.tx([submitTaskMsg(m.client.address, { bid: 1n, units: 10n })])]);

    const tasks = await samples(registry, "ogpu_market_tasks");
    expect(tasks.get('{status="assigned"}')).toBe(1);
    expect(tasks.get('{status="pending"}')).toBe(1);
    expect(tasks.get('{status="finalized"}')).toBe(0);
    expect((await samples(registry, "ogpu_market_escrow_uogpu")).get("")).toBe(Number(m.moduleBalance(MARKET_ESCROW)));
    expect(m.moduleBalance(MARKET_ESCROW)).toBeGreaterThan(0n);
    const workers = await samples(registry, "ogpu_workers");
    expect([...workers.entries()].filter(([k]) => k.includes('status="online"')).reduce((n, [, v]) => n + v, 0)).toBe(3);
    const prices = await samples(registry, "ogpu_market_base_price_uogpu");
    expect([...prices.keys()]).toEqual(['{tier="0"}', '{tier="1"}', '{tier="2"}', '{tier="3"}']);
  });

  it("counts audit outcomes, slashes and jailings from a block's events", async () => {
    const registry = new Registry();
    const metrics = createMarketMetrics(registry, appQuerier(m.chain.app), silentLogger());
    const event = (type: string, attributes: Record<string, string>) => ({ type, attributes: Object.entries(attributes).map(([key, value]) => ({ key, value, index: true })) });
    metrics.observeBlockEvents([
      event("attest_finalized", { task_id: "1" }),
      event("attest_finalized", { task_id: "2" }),
      event("attest_wrong_result", { task_id: "3" }),
      event("worker_slashed", { operator: "ogpu1x", reason: "wrong_result" }),
      event("slash", { address: "ogpuvalcons1x", reason: "missing_signature" }),
      event("worker_jailed", { operator: "ogpu1x", reason: "timeout" }),
      event("transfer", { amount: "5uogpu" }),
    ]);
    expect(await samples(registry, "ogpu_attest_outcomes_total")).toEqual(new Map([['{outcome="finalized"}', 2], ['{outcome="wrong_result"}', 1]]));
    expect(await samples(registry, "ogpu_slashes_total")).toEqual(new Map([['{module="workers",reason="wrong_result"}', 1], ['{module="slashing",reason="missing_signature"}', 1]]));
    expect(await samples(registry, "ogpu_workers_jailed_total")).toEqual(new Map([['{reason="timeout"}', 1]]));
  });
});
