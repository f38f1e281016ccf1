import { afterEach, describe, expect, it } from "vitest";
import { deliverContext, sendMsg, signTx, startTestChain, testGenesis, testKey, type TestChain } from "../../app/testkit.js";
import { Branch } from "../../app/store/kvstore.js";
import { MAX_SUPPLY, MICRO_PER_OGPU as OGPU } from "../../app/coins.js";
import { AppError } from "../../app/errors.js";
import { accountAddressString } from "../../app/address.js";
import { FEE_COLLECTOR } from "../auth/keeper.js";
import { bankInvariants } from "./invariants.js";
import { getBalance, getSupply } from "./keeper.js";
import { moduleAddress } from "../../app/address.js";

const alice = testKey(1);
const bob = testKey(2);
const MAX_WALLET = 420_000n * OGPU;

let chain: TestChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

describe("bank genesis rules", () => {
  it("rejects balances above the 21M cap", async () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [testKey(100 + i).address, MAX_WALLET]));
    await expect(startTestChain(testGenesis(many, { max_wallet_exempt: [] }))).rejects.toThrow(/above the max wallet|above the hard cap/);
    const exempt = Object.keys(many);
    await expect(startTestChain(testGenesis(many, { max_wallet_exempt: exempt }))).rejects.toThrow(
      "bank: genesis balances total 21420000000000uogpu, above the hard cap of 21000000000000uogpu (21,000,000 OGPU)",
    );
  });

  it("rejects an ordinary account above the max wallet, allows a listed one", async () => {
    await expect(startTestChain(testGenesis({ [alice.address]: MAX_WALLET + 1n }))).rejects.toThrow(/above the max wallet of 420000000000uogpu/);
    chain = await startTestChain(testGenesis({ [alice.address]: MAX_WALLET + 1n }, { max_wallet_exempt: [alice.address] }));
    expect(getBalance(chain.app.store, alice.addressBytes, "uogpu")).toBe(0n); // genesis is committed with block 1
    await chain.block([]);
    expect(getBalance(chain.app.store, alice.addressBytes, "uogpu")).toBe(MAX_WALLET + 1n);
  });

  it("rejects a stated supply that differs from the balances", async () => {
    const state = testGenesis({ [alice.address]: 5n });
    (state.bank as Record<string, unknown>).supply = [{ denom: "uogpu", amount: "6" }];
    await expect(startTestChain(state)).rejects.toThrow("bank.supply does not equal the sum of bank.balances");
  });
});

describe("MsgSend rules", () => {
  it("max wallet: a send that lifts the recipient above 2% of the cap fails with bank code 100, only the fee is charged", async () => {
    chain = await startTestChain(testGenesis({ [alice.address]: 400_000n * OGPU, [bob.address]: 400_000n * OGPU }));
    await chain.block([]);
    const tx = signTx(alice, [sendMsg(alice.address, bob.address, (20_001n * OGPU).toString())], { accountNumber: 1n, sequence: 0n });
    const [res] = await chain.block([tx]);
    expect(res).toMatchObject({ code: 100, codespace: "bank" });
    expect(res!.log).toContain(`${bob.address} would hold 420001000000uogpu, above the max wallet of 420000000000uogpu`);
    expect(getBalance(chain.app.store, bob.addressBytes, "uogpu")).toBe(400_000n * OGPU);
    expect(getBalance(chain.app.store, alice.addressBytes, "uogpu")).toBe(400_000n * OGPU - 200n);
    // Exactly up to the limit is fine.
    const edge = signTx(alice, [sendMsg(alice.address, bob.address, (20_000n * OGPU).toString())], { accountNumber: 1n, sequence: 1n });
    const [ok] = await chain.block([edge]);
    expect(ok!.code).toBe(0);
    expect(getBalance(chain.app.store, bob.addressBytes, "uogpu")).toBe(MAX_WALLET);
  });

  it("module accounts cannot receive a plain send (code 4)", async () => {
    chain = await startTestChain(testGenesis({ [alice.address]: 100n * OGPU }));
    await chain.block([]);
    const to = accountAddressString(moduleAddress(FEE_COLLECTOR));
    const [res] = await chain.block([signTx(alice, [sendMsg(alice.address, to, "5")], { accountNumber: 1n, sequence: 0n })]);
    expect(res).toMatchObject({ code: 4, codespace: "sdk" });
    expect(res!.log).toContain("is not allowed to receive funds");
  });

  it("a tx with two sends is atomic: the second failing reverts the first", async () => {
    chain = await startTestChain(testGenesis({ [alice.address]: 100n * OGPU }));
    await chain.block([]);
    const tx = signTx(alice, [sendMsg(alice.address, bob.address, "10"), sendMsg(alice.address, bob.address, (200n * OGPU).toString())], {
      accountNumber: 1n,
      sequence: 0n,
    });
    const [res] = await chain.block([tx]);
    expect(res!.code).toBe(5);
    expect(res!.log).toContain("message index: 1");
    expect(getBalance(chain.app.store, bob.addressBytes, "uogpu")).toBe(0n);
  });
});

describe("supply: cap, mint, burn, invariants", () => {
  it("minting can never pass the 21M cap; burning lowers supply", async () => {
    chain = await startTestChain(testGenesis({ [alice.address]: 100n * OGPU }));
    await chain.block([]);
    const store = new Branch(chain.app.store);
    const ctx = deliverContext(store, 2n);
    const room = MAX_SUPPLY - getSupply(store, "uogpu");
    const { mintCoins, burnCoins } = chain.keepers.bank;
    expect(() => mintCoins(ctx, FEE_COLLECTOR, [{ denom: "uogpu", amount: room + 1n }])).toThrow(AppError);
    expect(getSupply(store, "uogpu")).toBe(100n * OGPU);
    mintCoins(ctx, FEE_COLLECTOR, [{ denom: "uogpu", amount: room }]);
    expect(getSupply(store, "uogpu")).toBe(MAX_SUPPLY);
    burnCoins(ctx, FEE_COLLECTOR, [{ denom: "uogpu", amount: 5n }]);
    expect(getSupply(store, "uogpu")).toBe(MAX_SUPPLY - 5n);
    for (const inv of bankInvariants) expect(inv.check(store)).toBeNull();
  });

  it("the supply invariant catches a balance written behind the keeper's back", async () => {
    chain = await startTestChain(testGenesis({ [alice.address]: 100n * OGPU }));
    await chain.block([]);
    const store = new Branch(chain.app.store);
    const [key] = [...store.iterate("bank/bal/")][0]!;
    store.set(key, Buffer.from("1"));
    expect(bankInvariants[0]!.check(store)).toMatch(/supply of uogpu is 100000000 but balances sum to 1/);
  });
});
