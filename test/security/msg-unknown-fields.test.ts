/**
 * Issue 10 item 1 (residual) — unknown fields inside module Msgs, in process (decoding is pure
 * state machine): a signer used to be able to carry fields the chain skipped; now every Msg is
 * checked against the schema derived from its codec (app/msg-schema.ts) and an unknown field
 * is code 2, as the Cosmos SDK's unknown-field rejection makes it, the tx changing nothing.
 * Non-critical fields (number with bit 11 set) stay allowed, as below TxBody.
 */
import { MsgRegisterWorker } from "../../proto/gen/ogpu/workers/v1/tx.js";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { afterEach, describe, expect, it } from "vitest";
import { startTestChain, testGenesis, testKey, type TestChain } from "../../app/testkit.js";
import { BASE_DENOM } from "../../app/coins.js";
import { MSG } from "../../sdk/registry.js";
import { gpu, registerWorkerMsg } from "../../x/market/testing.js";
import { OGPU } from "../../x/staking/testing.js";
import { concat, lengthDelimited, sendAny, tag, varint, WIRE } from "../support/adversarial-proto.js";

const alice = testKey(1);
const bob = testKey(2);
const operator = testKey(3);

let chain: TestChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

async function fundedChain(): Promise<TestChain> {
  const c = await startTestChain(testGenesis({ [alice.address]: 1_000n * OGPU, [operator.address]: 10_000n * OGPU }));
  await c.block([]);
  return c;
}

function expectUnknownField(result: ExecTxResult, message: RegExp): void {
  expect([result.codespace, result.code], result.log).toEqual(["sdk", 2]);
  expect(result.log).toMatch(message);
}

describe("item 1 residual: unknown fields inside module Msgs are rejected at decode", () => {
  it("item 1: an unknown field inside a MsgSend is rejected", async () => {
    chain = await fundedChain();
    const balance = () => chain!.keepers.bank.getBalance(chain!.app.store, bob.addressBytes, BASE_DENOM);
    // Before: field 99 was skipped and the send executed (code 0, bob +5).
    const [topLevel] = await chain.block([chain.tx(alice, [sendAny(alice.address, bob.address, "5", lengthDelimited(99, [1, 2, 3]))])]);
    expectUnknownField(topLevel!, /unknown field in cosmos\.bank\.v1beta1\.MsgSend: \{TagNum: 99, WireType:"bytes"\}/);
    // Inside a nested message (the Coin of `amount`, field 3): rejected too, as the SDK recurses.
    const coinWithExtra = lengthDelimited(3, concat(lengthDelimited(1, [...Buffer.from("uogpu")]), lengthDelimited(2, [...Buffer.from("5")]), tag(7, WIRE.varint), varint(1)));
    const [nested] = await chain.block([chain.tx(alice, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: concat(lengthDelimited(1, [...Buffer.from(alice.address)]), lengthDelimited(2, [...Buffer.from(bob.address)]), coinWithExtra) }])]);
    expectUnknownField(nested!, /unknown field in cosmos\.bank\.v1beta1\.MsgSend\.3: \{TagNum: 7, WireType:"varint"\}/);
    // A known field with the wrong wire type is rejected like in the tx envelope.
    const [wrongWire] = await chain.block([chain.tx(alice, [sendAny(alice.address, bob.address, "5", concat(tag(1, WIRE.varint), varint(1)))])]);
    expect([wrongWire!.codespace, wrongWire!.code]).toEqual(["sdk", 2]);
    expect(wrongWire!.log).toMatch(/field 1 of cosmos\.bank\.v1beta1\.MsgSend has wire type varint, want bytes/);
    expect(balance()).toBe(0n);

    // Non-critical fields (bit 11 set) are allowed, as the SDK allows them below TxBody.
    const [nonCritical] = await chain.block([chain.tx(alice, [sendAny(alice.address, bob.address, "5", lengthDelimited(1025, [1, 2, 3]))])]);
    expect([nonCritical!.code, nonCritical!.log]).toEqual([0, ""]);
    expect(balance()).toBe(5n);
  });

  it("item 1: an unknown field inside one of our own Msgs (MsgRegisterWorker, and its Gpu entries) is rejected", async () => {
    chain = await fundedChain();
    const honest = registerWorkerMsg(operator.address, { gpus: [gpu("RTX4090", 24_576)], region: "eu", price: 100n });
    const [topLevel] = await chain.block([chain.tx(operator, [{ typeUrl: MSG.RegisterWorker, value: concat(honest.value, tag(40, WIRE.fixed32), [1, 2, 3, 4]) }])]);
    expectUnknownField(topLevel!, /unknown field in ogpu\.workers\.v1\.MsgRegisterWorker: \{TagNum: 40, WireType:"fixed32"\}/);
    const decoded = MsgRegisterWorker.decode(honest.value);
    const gpuWithExtra = concat(MsgRegisterWorker.encode({ ...decoded, gpus: [] }).finish(), lengthDelimited(2, concat(lengthDelimited(1, [...Buffer.from("RTX4090")]), lengthDelimited(9, [0]))));
    const [nested] = await chain.block([chain.tx(operator, [{ typeUrl: MSG.RegisterWorker, value: gpuWithExtra }])]);
    expectUnknownField(nested!, /unknown field in ogpu\.workers\.v1\.MsgRegisterWorker\.2: \{TagNum: 9, WireType:"bytes"\}/);
    expect(chain.keepers.workers.getWorker(chain.app.store, operator.address)).toBeUndefined();

    const [ok] = await chain.block([chain.tx(operator, [honest])]);
    expect([ok!.code, ok!.log]).toEqual([0, ""]);
    expect(chain.keepers.workers.getWorker(chain.app.store, operator.address)).toBeDefined();
  });
});
