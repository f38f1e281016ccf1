/** The blob store's chain reads against a real in-process app (committed state, LevelDB). */
import { afterEach, describe, expect, it } from "vitest";
import { marketFixture, type MarketFixture } from "../x/market/fixture.js";
import { cancelTaskMsg, submitTaskMsg } from "../x/market/testing.js";
import { appQuerier, liveTaskCids, spendableUogpu } from "./blob-chain.js";
import { textCid } from "../crypto/cid.js";

let fixture: MarketFixture | undefined;
afterEach(async () => {
  await fixture?.chain.close();
  fixture = undefined;
});

describe("blob store chain reads", () => {
  it("item 10: quota reads the uploader's committed balance; the sweep keeps exactly the inputs of tasks not in an end state", async () => {
    fixture = await marketFixture();
    const { chain, client } = fixture;
    const rpc = appQuerier(chain.app);
    expect(await spendableUogpu(rpc, client.address)).toBe(fixture.balance(client.address));
    expect(await spendableUogpu(rpc, "ogpu1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqcxf6j3")).toBe(0n);

    const first = fixture.nextTaskId();
    const results = await chain.block([client.tx([submitTaskMsg(client.address, { bid: 1000n })]), client.tx([submitTaskMsg(client.address, { bid: 1000n })])]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    expect(await liveTaskCids(rpc)).toEqual(new Set([textCid("test input")]));

    const cancelled = await chain.block([client.tx([cancelTaskMsg(client.address, first), cancelTaskMsg(client.address, first + 1n)])]);
    expect(cancelled[0]!.code, cancelled[0]!.log).toBe(0);
    expect(await liveTaskCids(rpc)).toEqual(new Set());
  });
});
