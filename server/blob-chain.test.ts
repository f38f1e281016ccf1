/** The blob store's chain reads against a real in-process app (committed state, LevelDB). */
import { afterEach, describe, expect, it } from "vitest";
import { marketFixture, OFFERS, type MarketFixture } from "../x/market/fixture.js";
import { cancelTaskMsg, submitTaskMsg } from "../x/market/testing.js";
import { appQuerier, liveTaskCids, spendableUogpu } from "./blob-chain.js";
import { textCid } from "../crypto/cid.js";

let fixture: MarketFixture | undefined;
afterEach(async () => {
  await fixture?.chain.close();
  fixture = undefined;
});

describe("blob store chain reads", () => {
  it("item 10: quota reads the uploader's committed balance; the sweep keeps exactly the inputs (and program bundles) of tasks not in an end state", async () => {
    // One worker runs client programs, so a program task is accepted.
    fixture = await marketFixture({}, [{ ...OFFERS[0]!, runtimes: ["process"] }, ...OFFERS.slice(1)]);
    const { chain, client } = fixture;
    const rpc = appQuerier(chain.app);
    expect(await spendableUogpu(rpc, client.address)).toBe(fixture.balance(client.address));
    expect(await spendableUogpu(rpc, "ogpu1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqcxf6j3")).toBe(0n);

    const first = fixture.nextTaskId();
    const results = await chain.block([client.tx([submitTaskMsg(client.address, { bid: 1000n })]), client.tx([submitTaskMsg(client.address, { bid: 1000n, program: { runtime: "process", hash: textCid("bundle") } })])]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    // A built-in kind's program id names no blob; a client program's bundle is one.
    expect(await liveTaskCids(rpc)).toEqual(new Set([textCid("test input"), textCid("bundle")]));

    const cancelled = await chain.block([client.tx([cancelTaskMsg(client.address, first), cancelTaskMsg(client.address, first + 1n)])]);
    expect(cancelled[0]!.code, cancelled[0]!.log).toBe(0);
    expect(await liveTaskCids(rpc)).toEqual(new Set());
  });
});
