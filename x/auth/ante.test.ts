import { MICRO_PER_OGPU as OGPU } from "../../app/coins.js";
import { afterEach, describe, expect, it } from "vitest";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { sendMsg, signTx, startTestChain, testGenesis, testKey, type TestChain } from "../../app/testkit.js";
import { getAccount } from "../../x/auth/keeper.js";
import { getBalance } from "../../x/bank/keeper.js";
import { parseGasPrices } from "../../app/tx/fees.js";
import { moduleAddress } from "../../app/address.js";

const alice = testKey(1);
const bob = testKey(2);
const carol = testKey(3);

let chain: TestChain;
afterEach(async () => chain?.close());

async function twoAccountChain(minGasPrices = "") {
  chain = await startTestChain(testGenesis({ [alice.address]: 1000n * OGPU, [bob.address]: 10n * OGPU }), {
    minGasPrices: parseGasPrices(minGasPrices),
  });
  await chain.block([]);
  return chain;
}

const check = (tx: Uint8Array, type = CheckTxType.NEW) => chain.app.checkTx({ tx, type });
const balance = (addr: Uint8Array) => getBalance(chain.app.store, addr, "uogpu");

describe("ante handler: SDK order and codes", () => {
  it("accepts a well-formed send, charges the fee, bumps the sequence, sets the pubkey", async () => {
    await twoAccountChain();
    const tx = signTx(alice, [sendMsg(alice.address, bob.address, "1000")], { accountNumber: 1n, sequence: 0n });
    expect(check(tx).code).toBe(0);
    const [res] = await chain.block([tx]);
    expect(res!.code).toBe(0);
    expect(balance(alice.addressBytes)).toBe(1000n * OGPU - 1000n - 200n);
    expect(balance(bob.addressBytes)).toBe(10n * OGPU + 1000n);
    expect(balance(moduleAddress("fee_collector"))).toBe(200n);
    const acc = getAccount(chain.app.store, alice.addressBytes)!;
    expect(acc.sequence).toBe(1n);
    expect(acc.pubKey?.value).toEqual(alice.pubKey.value);
    expect(res!.gasUsed).toBeGreaterThan(10_000n);
    expect(res!.events.map((e) => e.type)).toEqual(expect.arrayContaining(["tx", "message", "transfer", "coin_spent", "coin_received"]));
    for (const e of res!.events) for (const a of e.attributes) expect(a.key).not.toBe("");
  });

  it("code 2 for bytes that are not a tx, and for an unknown message type", async () => {
    await twoAccountChain();
    expect(check(Uint8Array.of(0xff, 0xff, 0xff))).toMatchObject({ code: 2, codespace: "sdk" });
    expect(check(new Uint8Array())).toMatchObject({ code: 2, codespace: "sdk" });
    const unknown = signTx(alice, [{ typeUrl: "/nope.v1.MsgNope", value: new Uint8Array() }], { accountNumber: 1n, sequence: 0n });
    const res = check(unknown);
    expect(res).toMatchObject({ code: 2, codespace: "sdk" });
    expect(res.log).toContain("/nope.v1.MsgNope");
  });

  it("code 32 for a wrong sequence, and the mempool sequence advances within CheckTx", async () => {
    await twoAccountChain();
    const first = signTx(alice, [sendMsg(alice.address, bob.address, "1")], { accountNumber: 1n, sequence: 0n });
    const second = signTx(alice, [sendMsg(alice.address, bob.address, "1")], { accountNumber: 1n, sequence: 1n });
    const stale = signTx(alice, [sendMsg(alice.address, bob.address, "2")], { accountNumber: 1n, sequence: 0n });
    expect(check(first).code).toBe(0);
    expect(check(second).code).toBe(0);
    const res = check(stale);
    expect(res).toMatchObject({ code: 32, codespace: "sdk" });
    expect(res.log).toBe("account sequence mismatch, expected 2, got 0: incorrect account sequence");
  });

  it("code 4 for a bad signature (wrong chain id), nothing charged", async () => {
    await twoAccountChain();
    const tx = signTx(alice, [sendMsg(alice.address, bob.address, "1")], { accountNumber: 1n, sequence: 0n, chainId: "other-chain" });
    const before = balance(alice.addressBytes);
    const [res] = await chain.block([tx]);
    expect(res).toMatchObject({ code: 4, codespace: "sdk" });
    expect(res!.log).toContain("signature verification failed");
    expect(balance(alice.addressBytes)).toBe(before);
    expect(getAccount(chain.app.store, alice.addressBytes)!.sequence).toBe(0n);
  });

  it("code 4 when the signer is not the message's sender", async () => {
    await twoAccountChain();
    // Bob signs a message that moves Alice's funds: the signer set is [alice], bob's key does not match.
    const tx = signTx(bob, [sendMsg(alice.address, bob.address, "5")], { accountNumber: 1n, sequence: 0n, signerInfoPubKey: bob.pubKey });
    const res = check(tx);
    expect(res.codespace).toBe("sdk");
    expect(res.code).toBe(8); // pubkey does not match signer address
  });

  it("code 5 for a failing message: fee charged and sequence bumped, transfer reverted", async () => {
    await twoAccountChain();
    const tx = signTx(bob, [sendMsg(bob.address, alice.address, (11n * OGPU).toString())], { accountNumber: 2n, sequence: 0n });
    expect(check(tx).code).toBe(0); // CheckTx runs the ante handler only, as the SDK does
    const [res] = await chain.block([tx]);
    expect(res).toMatchObject({ code: 5, codespace: "sdk" });
    expect(res!.log).toContain("failed to execute message; message index: 0: spendable balance");
    expect(balance(bob.addressBytes)).toBe(10n * OGPU - 200n);
    expect(balance(alice.addressBytes)).toBe(1000n * OGPU);
    expect(getAccount(chain.app.store, bob.addressBytes)!.sequence).toBe(1n);
  });

  it("code 5 when the fee cannot be paid; code 9 when the fee payer does not exist", async () => {
    await twoAccountChain();
    const tooRich = signTx(bob, [sendMsg(bob.address, alice.address, "1")], { accountNumber: 2n, sequence: 0n, fee: [{ denom: "uogpu", amount: (20n * OGPU).toString() }] });
    expect(check(tooRich)).toMatchObject({ code: 5, codespace: "sdk" });
    const ghost = signTx(carol, [sendMsg(carol.address, alice.address, "1")], { accountNumber: 0n, sequence: 0n });
    expect(check(ghost)).toMatchObject({ code: 9, codespace: "sdk" });
  });

  it("code 13 below the node's min gas price (CheckTx only), accepted at the price", async () => {
    await twoAccountChain("0.01uogpu");
    const cheap = signTx(alice, [sendMsg(alice.address, bob.address, "1")], { accountNumber: 1n, sequence: 0n, fee: [{ denom: "uogpu", amount: "1999" }], gas: 200_000n });
    const res = check(cheap);
    expect(res).toMatchObject({ code: 13, codespace: "sdk" });
    expect(res.log).toBe("insufficient fees; got: 1999uogpu required: 2000uogpu: insufficient fee");
    const [delivered] = await chain.block([cheap]); // blocks are not subject to the local fee floor
    expect(delivered!.code).toBe(0);
    const ok = signTx(alice, [sendMsg(alice.address, bob.address, "1")], { accountNumber: 1n, sequence: 1n, fee: [{ denom: "uogpu", amount: "2000" }], gas: 200_000n });
    expect(check(ok).code).toBe(0);
  });

  it("code 11 out of gas: fee charged, message reverted", async () => {
    await twoAccountChain();
    const tx = signTx(alice, [sendMsg(alice.address, bob.address, "7")], { accountNumber: 1n, sequence: 0n, gas: 5_000n });
    const [res] = await chain.block([tx]);
    // Size (~10 × 250) + signature (1,000) fit in 5,000; the send's 10,000 does not.
    expect(res).toMatchObject({ code: 11, codespace: "sdk" });
    expect(res!.log).toContain("out of gas in location: msg /cosmos.bank.v1beta1.MsgSend");
    expect(balance(bob.addressBytes)).toBe(10n * OGPU);
    expect(balance(alice.addressBytes)).toBe(1000n * OGPU - 200n);
  });

  it("code 12 memo too large, code 30 timeout height, code 15 no signatures", async () => {
    await twoAccountChain();
    const memo = signTx(alice, [sendMsg(alice.address, bob.address, "1")], { accountNumber: 1n, sequence: 0n, memo: "x".repeat(257) });
    expect(check(memo)).toMatchObject({ code: 12, codespace: "sdk" });
    const late = signTx(alice, [sendMsg(alice.address, bob.address, "1")], { accountNumber: 1n, sequence: 0n, timeoutHeight: 1n });
    expect(check(late)).toMatchObject({ code: 30, codespace: "sdk" });
    const signed = TxRaw.decode(signTx(alice, [sendMsg(alice.address, bob.address, "1")], { accountNumber: 1n, sequence: 0n }));
    const unsigned = TxRaw.encode({ ...signed, signatures: [] }).finish();
    expect(check(unsigned)).toMatchObject({ code: 15, codespace: "sdk" });
  });

  it("code 7 for an invalid address, code 10 for invalid coins", async () => {
    await twoAccountChain();
    const badAddr = signTx(alice, [sendMsg(alice.address, "ogpu1notanaddress", "1")], { accountNumber: 1n, sequence: 0n });
    expect(check(badAddr)).toMatchObject({ code: 7, codespace: "sdk" });
    const zero = signTx(alice, [sendMsg(alice.address, bob.address, "0")], { accountNumber: 1n, sequence: 0n });
    expect(check(zero)).toMatchObject({ code: 10, codespace: "sdk" });
  });

  it("simulation needs no signature and reports the gas a signed tx will use", async () => {
    await twoAccountChain();
    const signed = signTx(alice, [sendMsg(alice.address, bob.address, "1")], { accountNumber: 1n, sequence: 0n });
    const raw = TxRaw.decode(signed);
    const unsigned = TxRaw.encode({ ...raw, signatures: [new Uint8Array()] }).finish();
    const sim = chain.app.simulate(unsigned);
    expect(sim.code).toBe(0);
    const [res] = await chain.block([signed]);
    expect(sim.gasUsed).toBe(res!.gasUsed);
  });
});
