import { describe, expect, it } from "vitest";
import { moduleAddress } from "../../app/address.js";
import { MemStore } from "../../app/store/kvstore.js";
import { testKey } from "../../app/testkit.js";
import { authInvariants } from "./invariants.js";
import { allAccounts, createAuthKeeper, nextAccountNumber } from "./keeper.js";

describe("x/auth keeper", () => {
  it("numbers accounts in creation order, once each, and keeps them across reads", () => {
    const store = new MemStore();
    const auth = createAuthKeeper();
    const [a, b] = [testKey(1).addressBytes, testKey(2).addressBytes];
    expect(auth.getAccount(store, a)).toBeUndefined();
    expect(auth.ensureAccount(store, a)).toMatchObject({ accountNumber: 0n, sequence: 0n });
    expect(auth.ensureAccount(store, b).accountNumber).toBe(1n);
    expect(auth.ensureAccount(store, a).accountNumber).toBe(0n); // existing: no new number
    expect(nextAccountNumber(store)).toBe(2n);
    expect([...allAccounts(store)].map((acc) => acc.accountNumber).sort()).toEqual([0n, 1n]);
    for (const inv of authInvariants) expect(inv.check(store)).toBeNull();
  });

  it("module accounts are ordinary accounts whose name is recorded both ways", () => {
    const store = new MemStore();
    const auth = createAuthKeeper();
    const address = auth.ensureModuleAccount(store, auth.feeCollector);
    expect(address).toEqual(moduleAddress("fee_collector"));
    expect(auth.moduleAccountName(store, address)).toBe("fee_collector");
    expect(auth.getAccount(store, address)!.accountNumber).toBe(0n);
    expect(auth.ensureModuleAccount(store, auth.feeCollector)).toEqual(address); // idempotent
    expect(nextAccountNumber(store)).toBe(1n);
    expect(auth.moduleAccountName(store, testKey(1).addressBytes)).toBeUndefined();
  });
});
