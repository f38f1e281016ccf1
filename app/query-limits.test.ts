/**
 * Issue 10 item 3 (queries can't stall consensus), the parts served by the query router:
 * Simulate runs unsigned and fee-less, so a node-side gas cap is all that bounds its work,
 * and no request is decoded at all once it is over the node's size cap.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SimulateRequest } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { QueryBalanceRequest } from "cosmjs-types/cosmos/bank/v1beta1/query";
import type { ResponseQuery } from "cosmjs-types/tendermint/abci/types";
import { DEFAULT_SIMULATION_GAS_LIMIT } from "./app.js";
import { DEFAULT_QUERY_MAX_BYTES, SIMULATE_PATH } from "./query.js";
import { sendMsg, signTx, startTestChain, testGenesis, testKey, type TestChain } from "./testkit.js";
import { grpcErrorFromAbci } from "../server/abci-query.js";

const client = testKey(7);
const BALANCE_PATH = "/cosmos.bank.v1beta1.Query/Balance";
let chain: TestChain | undefined;

async function start(opts: { simulationGasLimit?: number; queryMaxBytes?: number } = {}): Promise<TestChain> {
  chain = await startTestChain(testGenesis({ [client.address]: 10n ** 11n }), opts);
  await chain.block([]); // commits genesis
  return chain;
}

afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

function simulate(c: TestChain, txBytes: Uint8Array): ResponseQuery {
  return c.app.query({ path: SIMULATE_PATH, data: SimulateRequest.encode({ txBytes }).finish(), height: 0n, prove: false });
}

/**
 * The attack shape (one tx, hundreds of KB of messages that all succeed), with
 * MsgSend standing in for MsgSubmitTask, which would need a registered worker fleet.
 */
function manySends(c: TestChain, count: number): Uint8Array {
  const accountNumber = c.keepers.auth.getAccount(c.app.store, client.addressBytes)!.accountNumber;
  const recipients = Array.from({ length: 50 }, (_, i) => testKey(1000 + i).address);
  const msgs = Array.from({ length: count }, (_, i) => sendMsg(client.address, recipients[i % recipients.length]!, "1"));
  return signTx(client, msgs, { accountNumber, sequence: 0n, gas: 100_000_000n });
}

const gasUsedIn = (log: string) => Number(/gasUsed: (\d+)/.exec(log)?.[1]);

describe("issue 10 item 3: queries can't stall consensus", () => {
  it("Simulate of a 4,000-message tx stops at the default 10M simulation gas cap", async () => {
    const c = await start();
    const tx = manySends(c, 4_000);
    expect(tx.length).toBeGreaterThan(150_000);
    const res = simulate(c, tx);
    expect([res.codespace, res.code]).toEqual(["sdk", 11]);
    expect(res.log).toContain(`gasWanted: ${DEFAULT_SIMULATION_GAS_LIMIT}`);
    // It stopped at the first charge past the cap, not after running every message.
    expect(gasUsedIn(res.log)).toBeGreaterThan(DEFAULT_SIMULATION_GAS_LIMIT);
    expect(gasUsedIn(res.log)).toBeLessThan(DEFAULT_SIMULATION_GAS_LIMIT + 100_000);
  });

  it("the cap is a node setting; an ordinary tx under it simulates as before", async () => {
    const c = await start({ simulationGasLimit: 20_000 });
    const accountNumber = c.keepers.auth.getAccount(c.app.store, client.addressBytes)!.accountNumber;
    const one = signTx(client, [sendMsg(client.address, testKey(8).address, "5")], { accountNumber, sequence: 0n });
    const two = signTx(client, [sendMsg(client.address, testKey(8).address, "5"), sendMsg(client.address, testKey(8).address, "5")], { accountNumber, sequence: 0n });
    expect(simulate(c, one).code).toBe(0);
    const capped = simulate(c, two);
    expect([capped.codespace, capped.code]).toEqual(["sdk", 11]);
    expect(capped.log).toContain("gasWanted: 20000");
  });

  it("an oversized query payload is refused before decoding, with a clear error", async () => {
    const c = await start();
    const oversized = new Uint8Array(DEFAULT_QUERY_MAX_BYTES + 1);
    for (const path of [BALANCE_PATH, SIMULATE_PATH]) {
      const res = c.app.query({ path, data: oversized, height: 0n, prove: false });
      expect([res.codespace, res.code]).toEqual(["sdk", 18]);
      expect(res.log).toBe(`rpc error: code = ResourceExhausted desc = query request is ${DEFAULT_QUERY_MAX_BYTES + 1} bytes, over this node's query_max_bytes limit of ${DEFAULT_QUERY_MAX_BYTES}`);
      expect(grpcErrorFromAbci(res).httpStatus).toBe(429);
    }
  });

  it("the payload cap is a node setting; requests at the cap are served", async () => {
    const c = await start({ queryMaxBytes: 100 });
    const request = QueryBalanceRequest.encode({ address: client.address, denom: "uogpu" }).finish();
    expect(request.length).toBeLessThanOrEqual(100);
    expect(c.app.query({ path: BALANCE_PATH, data: request, height: 0n, prove: false }).code).toBe(0);
    expect(c.app.query({ path: BALANCE_PATH, data: new Uint8Array(101), height: 0n, prove: false }).code).toBe(18);
  });
});
