import { describe, expect, it } from "vitest";
import { moduleAddress } from "../../app/address.js";
import { MemStore } from "../../app/store/kvstore.js";
import { testKey } from "../../app/testkit.js";
import { authInvariants } from "./invariants.js";
import { allAccounts, createAuthKeeper, getAccount, nextAccountNumber } from "./keeper.js";
import { exportAuthGenesis, initAuthGenesis } from "./genesis.js";
import { decodePubKeyAny } from "../../crypto/pubkey.js";

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

describe("x/auth genesis", () => {
  const [a, b] = [testKey(1), testKey(2)];
  const pubKey = (k: typeof a) => ({ "@type": "/cosmos.crypto.secp256k1.PubKey", key: Buffer.from(decodePubKeyAny(k.pubKey).key).toString("base64") });

  it("keeps exported numbers, sequences and pubkeys; unnumbered accounts and the fee collector come after them", () => {
    const store = new MemStore();
    initAuthGenesis(store, { accounts: [{ address: b.address, account_number: "7", sequence: "3", pub_key: pubKey(b) }, { address: a.address }], next_account_number: "5" });
    expect(getAccount(store, b.addressBytes)).toEqual({ address: b.addressBytes, accountNumber: 7n, sequence: 3n, pubKey: b.pubKey });
    expect(getAccount(store, moduleAddress("fee_collector"))!.accountNumber).toBe(8n);
    expect(getAccount(store, a.addressBytes)!.accountNumber).toBe(9n);
    expect(exportAuthGenesis(store)).toMatchObject({ next_account_number: "10", accounts: expect.arrayContaining([{ address: b.address, account_number: "7", sequence: "3", pub_key: pubKey(b) }]) });
  });

  it("refuses a number used twice, an address listed twice, a sequence without a number and an unknown key type", () => {
    const cases: [unknown[], RegExp][] = [
      [[{ address: a.address, account_number: "1" }, { address: b.address, account_number: "1" }], /account_number 1 is used twice/],
      [[{ address: a.address, account_number: "1" }, { address: a.address }], /listed twice/],
      [[{ address: a.address, sequence: "2" }], /needs its account_number/],
      [[{ address: a.address, account_number: "1", pub_key: { "@type": "/cosmos.crypto.ed25519.PubKey", key: "AA==" } }], /unsupported pubkey type/],
      [[{ address: a.address, account_number: "1", pub_key: { "@type": "/cosmos.crypto.secp256k1.PubKey", key: "AA==" } }], /33 bytes/],
    ];
    for (const [accounts, expected] of cases) expect(() => initAuthGenesis(new MemStore(), { accounts })).toThrow(expected);
  });
});
