import { afterEach, describe, expect, it } from "vitest";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryBalanceRequest, QueryBalanceResponse, QueryTotalSupplyRequest, QueryTotalSupplyResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { RequestQuery } from "cosmjs-types/tendermint/abci/types";
import { sendMsg, signTx, startTestChain, testGenesis, testKey, type TestChain } from "./testkit.js";

const alice = testKey(1);
const bob = testKey(2);
let chain: TestChain;
afterEach(async () => chain?.close());

const query = (path: string, data: Uint8Array, height = 0n) =>
  chain.app.query({ path, data, height, prove: false } satisfies RequestQuery);

describe("abci_query at gRPC paths", () => {
  it("Account: found with number/sequence; unknown is code 22 with the NotFound text cosmjs expects", async () => {
    chain = await startTestChain(testGenesis({ [alice.address]: 1_000_000n }));
    await chain.block([]);
    const found = query("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address: alice.address }).finish());
    expect(found.code).toBe(0);
    expect(found.height).toBe(1n);
    const any = QueryAccountResponse.decode(found.value).account!;
    expect(any.typeUrl).toBe("/cosmos.auth.v1beta1.BaseAccount");
    expect(BaseAccount.decode(any.value)).toMatchObject({ address: alice.address, accountNumber: 1n, sequence: 0n });

    const missing = query("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address: bob.address }).finish());
    expect(missing).toMatchObject({ code: 22, codespace: "sdk", log: `rpc error: code = NotFound desc = account ${bob.address} not found`, height: 1n });

    const bad = query("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address: "ogpu1xyz" }).finish());
    expect(bad.code).toBe(18);
    expect(bad.log).toMatch(/^rpc error: code = InvalidArgument desc = /);
  });

  it("Balance and TotalSupply; unknown path and past heights are clear errors", async () => {
    chain = await startTestChain(testGenesis({ [alice.address]: 1_000_000n, [bob.address]: 5n }));
    await chain.block([]);
    const bal = query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address: bob.address, denom: "uogpu" }).finish());
    expect(QueryBalanceResponse.decode(bal.value).balance).toEqual({ denom: "uogpu", amount: "5" });
    const supply = query("/cosmos.bank.v1beta1.Query/TotalSupply", QueryTotalSupplyRequest.encode({}).finish());
    expect(QueryTotalSupplyResponse.decode(supply.value).supply).toEqual([{ denom: "uogpu", amount: "1000005" }]);
    expect(query("/no.such.Query/Thing", new Uint8Array())).toMatchObject({ code: 6, codespace: "sdk" });
    expect(query("/cosmos.bank.v1beta1.Query/TotalSupply", new Uint8Array(), 7n)).toMatchObject({ code: 18, codespace: "sdk" });
  });

  it("Simulate returns gas info and the msg responses without changing state", async () => {
    chain = await startTestChain(testGenesis({ [alice.address]: 1_000_000n }));
    await chain.block([]);
    const raw = TxRaw.decode(signTx(alice, [sendMsg(alice.address, bob.address, "10")], { accountNumber: 1n, sequence: 0n }));
    const unsigned = TxRaw.encode({ ...raw, signatures: [new Uint8Array()] }).finish();
    const res = query("/cosmos.tx.v1beta1.Service/Simulate", SimulateRequest.encode({ txBytes: unsigned }).finish());
    expect(res.code).toBe(0);
    const sim = SimulateResponse.decode(res.value);
    expect(sim.gasInfo!.gasUsed).toBeGreaterThan(10_000n);
    expect(sim.result!.msgResponses.map((r) => r.typeUrl)).toEqual(["/cosmos.bank.v1beta1.MsgSendResponse"]);
    const bal = query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address: bob.address, denom: "uogpu" }).finish());
    expect(QueryBalanceResponse.decode(bal.value).balance!.amount).toBe("0");
    // A failing simulation is an error response with the tx's own code.
    const broke = TxRaw.decode(signTx(alice, [sendMsg(alice.address, bob.address, "9999999")], { accountNumber: 1n, sequence: 0n }));
    const failed = query("/cosmos.tx.v1beta1.Service/Simulate", SimulateRequest.encode({ txBytes: TxRaw.encode({ ...broke, signatures: [new Uint8Array()] }).finish() }).finish());
    expect(failed).toMatchObject({ code: 5, codespace: "sdk" });
  });
});
