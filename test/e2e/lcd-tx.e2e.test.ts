/**
 * The LCD's tx service on a real node, used the way Keplr and explorers use it: stock cosmjs
 * signs a bank send and a MsgSubmitTask offline, the signed bytes go through
 * POST /cosmos/tx/v1beta1/simulate and POST /cosmos/tx/v1beta1/txs, and each tx is then found
 * by hash and by event query through the LCD — decoded, with events and block time.
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "@cosmjs/crypto";
import { toHex } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { MsgSubmitTask } from "../../proto/gen/ogpu/market/v1/tx.js";
import { MsgRegisterWorker } from "../../proto/gen/ogpu/workers/v1/tx.js";
import { VerificationClass } from "../../proto/gen/ogpu/market/v1/market.js";
import { MSG } from "../../sdk/registry.js";
import { textCid } from "../../crypto/cid.js";
import { coins, connectSigner, DENOM, OGPU, startTestNode, TASK_TX_FEE, until, type Signer, type TestNode } from "./helpers.js";

const PORT_BASE = TEST_PORTS.lcdTx.base;
const GENESIS = [
  { name: "alice", coins: `${100_000n * OGPU}${DENOM}` },
  { name: "bob", coins: `${10_000n * OGPU}${DENOM}` },
];

type Json = Record<string, unknown>;
interface TxResponseJson {
  height: string;
  txhash: string;
  code: number;
  codespace: string;
  raw_log: string;
  data: string;
  gas_wanted: string;
  gas_used: string;
  timestamp: string;
  tx: Json | null;
  events: { type: string; attributes: { key: string; value: string; index: boolean }[] }[];
}
interface GetTxJson {
  tx: { body: { messages: Json[]; memo: string }; auth_info: { fee: { amount: { denom: string; amount: string }[]; gas_limit: string } }; signatures: string[] };
  tx_response: TxResponseJson;
}

describe("LCD tx service over a real node (stock cosmjs signing)", () => {
  let t: TestNode;
  let alice: Signer;
  let bobAddress: string;

  beforeAll(async () => {
    t = await startTestNode({ portBase: PORT_BASE, accounts: GENESIS });
    alice = await connectSigner(t.devnet, t.devnet.accounts[0]!);
    bobAddress = t.devnet.accounts[1]!.address;
    // A task needs a registered worker whose GPUs meet its requirements: bob registers one.
    const bob = await connectSigner(t.devnet, t.devnet.accounts[1]!);
    const gpus = [{ vendor: "nvidia", model: "RTX4090", vramMb: 24_576n, pciId: "0000:01:00.0", count: 1 }];
    const worker = { operator: bob.address, gpus, region: "eu", pricePerUnit: "50", maxConcurrent: 1, encPubkey: new Uint8Array(1216).fill(7), bond: "1100000000" };
    const res = await bob.client.signAndBroadcast(bob.address, [{ typeUrl: MSG.RegisterWorker, value: MsgRegisterWorker.fromPartial(worker) }], TASK_TX_FEE);
    bob.client.disconnect();
    expect(res.code, res.rawLog).toBe(0);
  });

  afterAll(async () => {
    alice?.client.disconnect();
    await t?.cleanup();
  });

  async function lcd<T = Json>(path: string, init?: { method: "POST"; body: unknown }): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await fetch(`${t.devnet.restUrl}${path}`, init && { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(init.body) });
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  }

  /** Signs offline with stock cosmjs (account number and sequence read from the chain). */
  async function signed(msgs: EncodeObject[], memo: string): Promise<{ base64: string; hash: string }> {
    const raw = await alice.client.sign(alice.address, msgs, TASK_TX_FEE, memo);
    const bytes = TxRaw.encode(raw).finish();
    return { base64: Buffer.from(bytes).toString("base64"), hash: toHex(sha256(bytes)).toUpperCase() };
  }

  async function committed(hash: string): Promise<GetTxJson> {
    return (await until(`tx ${hash} over the LCD`, () => lcd<GetTxJson>(`/cosmos/tx/v1beta1/txs/${hash}`), (r) => r.status === 200)).body;
  }

  /** Values of one attribute over every event of a type (a tx has several transfers: fee, then the send). */
  function attributes(tx: TxResponseJson, type: string, key: string): string[] {
    return tx.events.filter((e) => e.type === type).flatMap((e) => e.attributes.filter((a) => a.key === key).map((a) => a.value));
  }

  it("a bank send: simulated, broadcast (sync), found by hash and by event query", async () => {
    const send = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.fromPartial({ fromAddress: alice.address, toAddress: bobAddress, amount: coins(7n * OGPU) }) };
    const tx = await signed([send], "lcd send");

    const sim = await lcd<{ gas_info: { gas_wanted: string; gas_used: string }; result: { events: { type: string }[]; msg_responses: Json[]; log: string } }>(
      "/cosmos/tx/v1beta1/simulate",
      { method: "POST", body: { tx_bytes: tx.base64 } },
    );
    expect(sim.status, JSON.stringify(sim.body)).toBe(200);
    expect(BigInt(sim.body.gas_info.gas_used)).toBeGreaterThan(0n);
    expect(sim.body.result.msg_responses).toEqual([{ "@type": "/cosmos.bank.v1beta1.MsgSendResponse" }]);
    expect(sim.body.result.events.map((e) => e.type)).toContain("transfer");

    const sent = await lcd<{ tx_response: TxResponseJson }>("/cosmos/tx/v1beta1/txs", { method: "POST", body: { tx_bytes: tx.base64, mode: "BROADCAST_MODE_SYNC" } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body.tx_response).toMatchObject({ txhash: tx.hash, code: 0, height: "0", codespace: "", tx: null });

    const found = await committed(tx.hash);
    expect(found.tx.body.memo).toBe("lcd send");
    expect(found.tx.body.messages).toEqual([{ "@type": "/cosmos.bank.v1beta1.MsgSend", from_address: alice.address, to_address: bobAddress, amount: coins(7n * OGPU) }]);
    expect(found.tx.auth_info.fee).toMatchObject({ amount: TASK_TX_FEE.amount, gas_limit: TASK_TX_FEE.gas });
    expect(found.tx.signatures).toHaveLength(1);
    const response = found.tx_response;
    expect(response).toMatchObject({ txhash: tx.hash, code: 0, raw_log: "" });
    expect(Number(response.height)).toBeGreaterThan(0);
    expect(response.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(response.tx?.["@type"]).toBe("/cosmos.tx.v1beta1.Tx");
    expect(BigInt(response.gas_used)).toBeGreaterThan(0n);
    expect(attributes(response, "transfer", "recipient")).toContain(bobAddress);
    expect(attributes(response, "message", "action")).toEqual(["/cosmos.bank.v1beta1.MsgSend"]);
    // msg_index is emitted unindexed (app/tx/runner.ts); the flag comes through as CometBFT stored it.
    expect(response.events.find((e) => e.type === "message")?.attributes.find((a) => a.key === "msg_index")?.index).toBe(false);
    expect(response.events.find((e) => e.type === "message")?.attributes.find((a) => a.key === "sender")?.index).toBe(true);

    const byQuery = await lcd<{ txs: Json[]; tx_responses: TxResponseJson[]; total: string; pagination: { total: string } }>(
      `/cosmos/tx/v1beta1/txs?query=${encodeURIComponent(`transfer.recipient='${bobAddress}'`)}&order_by=ORDER_BY_DESC`,
    );
    expect(byQuery.status, JSON.stringify(byQuery.body)).toBe(200);
    expect(byQuery.body.tx_responses.map((r) => r.txhash)).toEqual([tx.hash]);
    expect(byQuery.body.txs).toHaveLength(1);
    expect(byQuery.body).toMatchObject({ total: "1", pagination: { total: "1" } });

    // By height: the block's beacon tx (vote-extension randomness, indexed by CometBFT too) is no Cosmos tx and stays out.
    const byHeight = await lcd<{ tx_responses: TxResponseJson[] }>(`/cosmos/tx/v1beta1/txs?query=${encodeURIComponent(`tx.height=${response.height}`)}`);
    expect(byHeight.status, JSON.stringify(byHeight.body)).toBe(200);
    expect(byHeight.body.tx_responses.map((r) => r.txhash)).toEqual([tx.hash]);

    // The older `events=` form (repeatable, unquoted values), with `pagination.limit` as explorers send it.
    const byEvents = await lcd<{ tx_responses: TxResponseJson[] }>(`/cosmos/tx/v1beta1/txs?events=message.sender=${alice.address}&events=message.module=bank&pagination.limit=10&pagination.offset=0`);
    expect(byEvents.status, JSON.stringify(byEvents.body)).toBe(200);
    expect(byEvents.body.tx_responses.map((r) => r.txhash)).toContain(tx.hash);
  });

  it("a MsgSubmitTask: simulated (task id in msg_responses), broadcast (async), decoded with @type and enum names", async () => {
    const submit = {
      typeUrl: MSG.SubmitTask,
      value: MsgSubmitTask.fromPartial({
        client: alice.address,
        kind: "inference",
        programHash: textCid("inference"),
        inputCid: textCid("lcd input"),
        inputBytes: 1024n, // the bytes nodes store for it (a test CID: declared, not uploaded)
        units: 10n,
        requirements: { minVramMb: 0n, gpuModels: [], tier: 0, preferredRegion: "" },
        redundancy: 1,
        maxPricePerUnit: "100",
        priority: 0,
        deadlineBlocks: 0n,
        verification: VerificationClass.VERIFICATION_CLASS_BITWISE,
      }),
    };
    const tx = await signed([submit], "");

    const sim = await lcd<{ result: { msg_responses: Json[] } }>("/cosmos/tx/v1beta1/simulate", { method: "POST", body: { tx_bytes: tx.base64 } });
    expect(sim.status, JSON.stringify(sim.body)).toBe(200);
    expect(sim.body.result.msg_responses).toEqual([{ "@type": "/ogpu.market.v1.MsgSubmitTaskResponse", task_id: expect.stringMatching(/^\d+$/), escrow: "1000" }]);

    const sent = await lcd<{ tx_response: TxResponseJson }>("/cosmos/tx/v1beta1/txs", { method: "POST", body: { tx_bytes: tx.base64, mode: "BROADCAST_MODE_ASYNC" } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body.tx_response).toMatchObject({ txhash: tx.hash, code: 0 });

    const found = await committed(tx.hash);
    expect(found.tx_response.code, found.tx_response.raw_log).toBe(0);
    expect(found.tx.body.messages).toEqual([
      expect.objectContaining({
        "@type": "/ogpu.market.v1.MsgSubmitTask",
        client: alice.address,
        input_cid: textCid("lcd input"),
        units: "10",
        verification: "VERIFICATION_CLASS_BITWISE",
        requirements: expect.objectContaining({ min_vram_mb: "0", gpu_models: [] }),
      }),
    ]);
    expect(attributes(found.tx_response, "message", "action")).toEqual([MSG.SubmitTask]);
    // data: the TxMsgData (the task id inside), hex as the SDK prints it.
    expect(found.tx_response.data).toMatch(/^[0-9A-F]+$/);

    const byAction = await lcd<{ tx_responses: TxResponseJson[] }>(`/cosmos/tx/v1beta1/txs?query=${encodeURIComponent(`message.action='${MSG.SubmitTask}'`)}`);
    expect(byAction.status, JSON.stringify(byAction.body)).toBe(200);
    expect(byAction.body.tx_responses.map((r) => r.txhash)).toEqual([tx.hash]);
  });

  it("answers bad requests in the gateway's shape, and a tx CheckTx refuses with its code", async () => {
    const missing = await lcd(`/cosmos/tx/v1beta1/txs/${"AB".repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 5, message: `tx not found: ${"AB".repeat(32)}` });

    expect((await lcd("/cosmos/tx/v1beta1/txs/nothex")).body).toMatchObject({ code: 3 });
    expect((await lcd("/cosmos/tx/v1beta1/txs")).body).toMatchObject({ code: 3, message: "query cannot be empty" });

    const blockMode = await lcd("/cosmos/tx/v1beta1/txs", { method: "POST", body: { tx_bytes: "AAAA", mode: "BROADCAST_MODE_BLOCK" } });
    expect(blockMode.status).toBe(400);
    expect(blockMode.body).toMatchObject({ code: 3 });

    // Garbage bytes reach CheckTx and come back as its refusal, HTTP 200, as the SDK answers.
    const garbage = await lcd<{ tx_response: TxResponseJson }>("/cosmos/tx/v1beta1/txs", { method: "POST", body: { tx_bytes: "AAAA", mode: "BROADCAST_MODE_SYNC" } });
    expect(garbage.status).toBe(200);
    expect(garbage.body.tx_response.code).not.toBe(0);
    expect(garbage.body.tx_response.codespace).toBe("sdk");
  });
});
