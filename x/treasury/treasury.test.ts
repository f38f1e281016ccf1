import { afterEach, describe, expect, it } from "vitest";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { accountAddressString, moduleAddress } from "../../app/address.js";
import { govAuthority, INVALID_AUTHORITY_CODE } from "../../app/authority.js";
import { BASE_DENOM } from "../../app/coins.js";
import { SdkCode } from "../../app/errors.js";
import { branchContext, startTestChain, testGenesis, testKey, type TestChain } from "../../app/testkit.js";
import { OGPU_MSG_TYPES } from "../../proto/msg-types.js";
import { QuerySpendsRequest, QuerySpendsResponse, QueryTotalsRequest, QueryTotalsResponse } from "../../proto/gen/ogpu/treasury/v1/query.js";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { nextTaskId } from "../market/keeper.js";
import { submitTaskMsg } from "../market/testing.js";
import { commitMsg, digestOf, expectOk, revealMsg, startPosChain } from "../attest/testing.js";
import { TREASURY } from "./keeper.js";
import { treasuryInvariants } from "./invariants.js";
import { exportTreasuryGenesis } from "./genesis.js";
import { TreasuryCode } from "./errors.js";

let chain: TestChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

const TREASURY_ADDRESS = accountAddressString(moduleAddress(TREASURY));
const FUNDED = 1_000_000n;

/** A chain whose treasury starts with FUNDED uogpu, booked under reason "genesis". */
async function fundedChain(): Promise<TestChain> {
  const genesis = { ...testGenesis({ [TREASURY_ADDRESS]: FUNDED, [testKey(1).address]: 5_000_000n }), treasury: { total_in: [{ reason: "genesis", amount: FUNDED.toString() }] } };
  const c = (chain = await startTestChain(genesis, { midBlockCalls: true }));
  await c.block();
  return c;
}

function spendMsg(authority: string, recipient: string, amount: string, denom = BASE_DENOM): Any {
  const t = OGPU_MSG_TYPES.TreasurySpend;
  return { typeUrl: t.typeUrl, value: t.codec.encode({ authority, recipient, amount: [{ denom, amount }] }).finish() };
}

function totals(c: TestChain): QueryTotalsResponse {
  return QueryTotalsResponse.decode(c.query("/ogpu.treasury.v1.Query/Totals", QueryTotalsRequest.encode({}).finish()).value);
}


describe("x/treasury", () => {
  it("a finalised task's market fee is deposited through treasury.deposit and counted under market_fee", async () => {
    const c = (chain = await startPosChain({ workers: [{ cv: 1_000_000n }] }));
    const [worker] = c.workers;
    const id = nextTaskId(c.app.store);
    expectOk(await c.run([c.client.tx([submitTaskMsg(c.client.address, { units: 100n, bid: 1000n, k: 1, models: ["RTX4090"] })])]));
    const output = digestOf("output");
    expectOk(await c.run([worker!.tx([commitMsg(worker!.address, id, output)])]));
    expectOk(await c.run([worker!.tx([revealMsg(worker!.address, id, output)])]));
    await c.run([]);
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    // Worker price 100 × 100 units = 10,000 paid; 5 % (market_fee_bps 500) to the treasury.
    expect(c.moduleBalance(TREASURY)).toBe(500n);
    expect(totals(c)).toEqual({ totalIn: [{ reason: "market_fee", amount: "500" }], totalInSum: "500", totalSpent: "0" });
  });

  it("MsgSpend by the gov authority pays exactly and is recorded; the books still balance", async () => {
    const c = await fundedChain();
    const recipient = testKey(50);
    const res = await c.execMsg(spendMsg(govAuthority(), recipient.address, "250000"));
    expect(res.error).toBeUndefined();
    expect(c.keepers.bank.getBalance(c.app.store, recipient.addressBytes, BASE_DENOM)).toBe(250_000n);
    expect(c.keepers.treasury.balance(c.app.store)).toBe(FUNDED - 250_000n);
    expect(totals(c)).toEqual({ totalIn: [{ reason: "genesis", amount: "1000000" }], totalInSum: "1000000", totalSpent: "250000" });
    const spends = QuerySpendsResponse.decode(c.query("/ogpu.treasury.v1.Query/Spends", QuerySpendsRequest.encode({ pagination: undefined }).finish()).value).spends;
    expect(spends).toEqual([{ id: 1n, recipient: recipient.address, amount: [{ denom: BASE_DENOM, amount: "250000" }], height: c.height }]);
    expect(res.events.find((e) => e.type === "treasury_spend")?.attributes.map((a) => [a.key, a.value])).toEqual([
      ["spend_id", "1"],
      ["recipient", recipient.address],
      ["amount", "250000uogpu"],
      ["authority", govAuthority()],
    ]);
  });

  it("refuses a non-gov authority (gov code 12), an overspend (insufficient funds), a module-account recipient and a foreign denom, changing nothing", async () => {
    const c = await fundedChain();
    const recipient = testKey(50).address;
    const before = { totals: totals(c), balance: c.keepers.treasury.balance(c.app.store) };
    const notGov = await c.execMsg(spendMsg(testKey(1).address, recipient, "1"));
    expect(notGov.error).toMatchObject({ codespace: "gov", code: INVALID_AUTHORITY_CODE });
    const over = await c.execMsg(spendMsg(govAuthority(), recipient, (FUNDED + 1n).toString()));
    expect(over.error).toMatchObject({ codespace: "sdk", code: SdkCode.InsufficientFunds });
    expect(over.error!.message).toBe(`spendable balance ${FUNDED}uogpu is smaller than ${FUNDED + 1n}uogpu: insufficient funds`);
    const toModule = await c.execMsg(spendMsg(govAuthority(), accountAddressString(moduleAddress("gov")), "1"));
    expect(toModule.error).toMatchObject({ codespace: "treasury", code: TreasuryCode.InvalidRecipient });
    const foreign = await c.execMsg(spendMsg(govAuthority(), recipient, "1", "uatom"));
    expect(foreign.error).toMatchObject({ codespace: "treasury", code: TreasuryCode.InvalidAmount });
    expect({ totals: totals(c), balance: c.keepers.treasury.balance(c.app.store) }).toEqual(before);
    expect(c.keepers.bank.getBalance(c.app.store, testKey(50).addressBytes, BASE_DENOM)).toBe(0n);
  });

  it("the invariant catches coins that reach the treasury outside deposit (a direct bank send)", async () => {
    const c = await fundedChain();
    const [books] = treasuryInvariants({ bank: c.keepers.bank });
    const ctx = branchContext(c);
    expect(books!.check(ctx.store)).toBeNull();
    c.keepers.bank.sendCoins(ctx, testKey(1).addressBytes, moduleAddress(TREASURY), [{ denom: BASE_DENOM, amount: 7n }]);
    expect(books!.check(ctx.store)).toBe(`treasury holds ${FUNDED + 7n}uogpu but total_in − total_spent = ${FUNDED}uogpu`);
  });

  it("genesis: the books must match the module account's balance; export carries the counters and spends", async () => {
    const unbooked = { ...testGenesis({ [TREASURY_ADDRESS]: FUNDED }), treasury: { total_in: [] } };
    await expect(startTestChain(unbooked)).rejects.toThrow(`treasury: the module account holds ${FUNDED}uogpu but total_in − total_spent = 0uogpu`);
    const c = await fundedChain();
    expect((await c.execMsg(spendMsg(govAuthority(), testKey(50).address, "10"))).error).toBeUndefined();
    const exported = exportTreasuryGenesis(c.app.store);
    expect(exported).toEqual({
      total_in: [{ reason: "genesis", amount: "1000000" }],
      total_spent: "10",
      spends: [{ id: "1", recipient: testKey(50).address, amount: [{ denom: BASE_DENOM, amount: "10" }], height: c.height.toString() }],
      next_spend_id: "2",
    });
    // Re-imported with the balance it left: the same books.
    const again = await startTestChain({ ...testGenesis({ [TREASURY_ADDRESS]: FUNDED - 10n }), treasury: exported });
    try {
      await again.block();
      expect(exportTreasuryGenesis(again.app.store)).toEqual(exported);
    } finally {
      await again.close();
    }
  });
});
