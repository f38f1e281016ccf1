/**
 * Recent slashes and audits against a stand-in CometBFT RPC: which searches are made, how the
 * events of txs and of FinalizeBlock become entries (a validator's stake slash gets the reason
 * of the event that follows it), newest first, each once, and bounded by `limit`. The real
 * index is asked in test/e2e/web-provider.e2e.test.ts.
 */
import { describe, expect, it } from "vitest";
import { ResponseQuery } from "cosmjs-types/tendermint/abci/types";
import { QueryTaskResponse } from "../proto/gen/ogpu/market/v1/query.js";
import { Task, TaskStatus } from "../proto/gen/ogpu/market/v1/market.js";
import type { CometClient, CometRpc } from "./comet-rpc.js";
import { createNodeMetrics } from "./metrics.js";
import { createRestServer } from "./rest.js";
import type { CometEventJson } from "./tx-json.js";

type Attrs = Record<string, string>;
const event = (type: string, attrs: Attrs): CometEventJson => ({ type, attributes: Object.entries(attrs).map(([key, value]) => ({ key, value, index: true })) });

interface FakeIndex {
  /** Events of txs, by height. */
  txs: { height: number; events: CometEventJson[] }[];
  /** FinalizeBlock events, by height. */
  blocks: { height: number; events: CometEventJson[] }[];
}

/** CometBFT's searches over `index`: `type.key EXISTS` matches a list holding an event of that type. */
function fakeComet(index: FakeIndex): { comet: CometRpc; calls: string[] } {
  const calls: string[] = [];
  const matches = (events: CometEventJson[], query: string) => {
    const m = /^(\w+)\.(\w+)(?: EXISTS|='([^']*)')$/.exec(query)!;
    return events.some((e) => e.type === m[1] && e.attributes!.some((a) => a.key === m[2] && (m[3] === undefined || a.value === m[3])));
  };
  const byHeightDesc = <T extends { height: number }>(xs: T[]) => [...xs].sort((a, b) => b.height - a.height);
  const comet: CometRpc = {
    client: () => Promise.reject(new Error("fetch failed")) as Promise<CometClient>,
    async call<T>(method: string, params: Record<string, unknown>): Promise<T> {
      const query = String(params.query ?? "");
      calls.push(method === "block_results" ? `block_results ${String(params.height)}` : `${method} ${query} ${String(params.per_page)} ${String(params.order_by)}`);
      const perPage = Number(params.per_page);
      if (method === "tx_search") {
        const txs = byHeightDesc(index.txs.filter((t) => matches(t.events, query))).slice(0, perPage);
        return { txs: txs.map((t) => ({ hash: "AA", height: String(t.height), index: 0, tx: "", tx_result: { code: 0, events: t.events } })), total_count: String(txs.length) } as T;
      }
      if (method === "block_search") {
        const blocks = byHeightDesc(index.blocks.filter((b) => matches(b.events, query))).slice(0, perPage);
        return { blocks: blocks.map((b) => ({ block: { header: { height: String(b.height) } } })), total_count: String(blocks.length) } as T;
      }
      if (method === "block_results") {
        return { height: String(params.height), finalize_block_events: index.blocks.find((b) => b.height === Number(params.height))!.events } as T;
      }
      throw new Error(`unexpected ${method}`);
    },
  };
  return { comet, calls };
}

async function server(comet: CometRpc) {
  return createRestServer({
    query: async ({ path, data }) => {
      if (path !== "/ogpu.market.v1.Query/Task") return ResponseQuery.fromPartial({ code: 6, codespace: "sdk", log: "unknown query path", height: 1n });
      const id = data[1]!; // QueryTaskRequest { task_id } for a one-byte id
      const task = Task.fromPartial({ id: BigInt(id), status: id === 7 ? TaskStatus.TASK_STATUS_RESOLVED : TaskStatus.TASK_STATUS_FINALIZED });
      return ResponseQuery.fromPartial({ code: 0, value: QueryTaskResponse.encode({ task }).finish(), height: 9n });
    },
    metrics: createNodeMetrics(),
    health: () => ({ height: 1n, appHash: new Uint8Array(32), chainId: "ogpu-test" }),
    comet,
  });
}

const VALOPER = "ogpuvaloper1abc";
const INDEX: FakeIndex = {
  txs: [
    // An audit vote settled task 7 in a tx: the worker's wrong result and an absent auditor's stake slash.
    {
      height: 40,
      events: [
        event("message", { action: "/ogpu.attest.v1.MsgAuditVote" }),
        event("slash", { address: "ogpuvalcons1x", validator: VALOPER, fraction_bps: "100", infraction_height: "40", burned_coins: "5000uogpu" }),
        event("attest_auditor_absent", { task_id: "7", validator: VALOPER, burned: "5000", reason: "absent" }),
        event("attest_wrong_result", { task_id: "7", worker: "ogpu1bad", slashed: "300", to_client: "150", burned: "150" }),
      ],
    },
  ],
  blocks: [
    // EndBlock: a commit timeout slashed a worker's bond; a committee was drawn.
    { height: 30, events: [event("worker_slashed", { operator: "ogpu1slowwk", amount: "200uogpu", reason: "commit_timeout", task_id: "5" }), event("attest_committee", { task_id: "6", kind: "audit", members: "ogpu1v1,ogpu1v2", deadline: "50", seed_height: "30" })] },
    // BeginBlock: downtime — x/staking's slash, jail, then x/slashing's slash with the reason.
    { height: 45, events: [event("slash", { address: "ogpuvalcons1y", validator: "ogpuvaloper1dwnval", fraction_bps: "100", infraction_height: "43", burned_coins: "900uogpu" }), event("jail", { validator: "ogpuvaloper1dwnval" }), event("slash", { address: "ogpuvalcons1y", reason: "missing_signature", power: "9", burned: "900uogpu" })] },
    { height: 46, events: [event("attest_committee", { task_id: "7", kind: "dispute", members: "ogpu1v3", deadline: "60", seed_height: "46" }), event("attest_committee", { task_id: "6", kind: "audit_open", members: "ogpu1v1", deadline: "50", seed_height: "30" })] },
  ],
};

describe("recent slashes and audits (CometBFT's event index)", () => {
  it("lists worker and validator slashes newest first, with the reason each event gives", async () => {
    const { comet, calls } = fakeComet(INDEX);
    const app = await server(comet);
    const res = await app.inject({ method: "GET", url: "/ogpu/history/v1/slashes" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      slashes: [
        { height: "45", subject: "validator", address: "ogpuvaloper1dwnval", reason: "missing_signature", amount: "900", task_id: "" },
        { height: "40", subject: "validator", address: VALOPER, reason: "auditor_absent (absent)", amount: "5000", task_id: "7" },
        { height: "40", subject: "worker", address: "ogpu1bad", reason: "wrong_result", amount: "300", task_id: "7" },
        { height: "30", subject: "worker", address: "ogpu1slowwk", reason: "commit_timeout", amount: "200", task_id: "5" },
      ],
    });
    // Each source searched in txs and in blocks, newest first, one page of `limit`.
    expect(calls).toContain("tx_search worker_slashed.operator EXISTS 20 desc");
    expect(calls).toContain("block_search slash.validator EXISTS 20 desc");
    await app.close();
  });

  it("with address=, searches and lists only that worker's or validator's slashes", async () => {
    const { comet, calls } = fakeComet(INDEX);
    const app = await server(comet);
    const res = await app.inject({ method: "GET", url: "/ogpu/history/v1/slashes?address=ogpu1slowwk" });
    expect(res.json()).toEqual({ slashes: [{ height: "30", subject: "worker", address: "ogpu1slowwk", reason: "commit_timeout", amount: "200", task_id: "5" }] });
    expect(calls).toContain("block_search worker_slashed.operator='ogpu1slowwk' 20 desc");
    const validator = await app.inject({ method: "GET", url: "/ogpu/history/v1/slashes?address=ogpuvaloper1dwnval" });
    expect(validator.json().slashes.map((s: { reason: string }) => s.reason)).toEqual(["missing_signature"]);
    // Text that is no address never reaches CometBFT's query parser.
    expect((await app.inject({ method: "GET", url: `/ogpu/history/v1/slashes?address=${encodeURIComponent("x' OR 1=1")}` })).statusCode).toBe(400);
    await app.close();
  });

  it("bounds the answer by limit and refuses a limit out of range before asking CometBFT", async () => {
    const { comet, calls } = fakeComet(INDEX);
    const app = await server(comet);
    const one = await app.inject({ method: "GET", url: "/ogpu/history/v1/slashes?limit=1" });
    expect(one.json().slashes).toHaveLength(1);
    const before = calls.length;
    for (const bad of ["0", "51", "x"]) {
      const res = await app.inject({ method: "GET", url: `/ogpu/history/v1/slashes?limit=${bad}` });
      expect(res.statusCode).toBe(400);
    }
    expect(calls.length).toBe(before);
    await app.close();
  });

  it("lists audit and dispute committees (not an audit's seal opening) with the task's status now", async () => {
    const { comet } = fakeComet(INDEX);
    const app = await server(comet);
    const res = await app.inject({ method: "GET", url: "/ogpu/history/v1/audits" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      audits: [
        { height: "46", task_id: "7", kind: "dispute", members: ["ogpu1v3"], deadline: "60", task_status: "TASK_STATUS_RESOLVED" },
        { height: "30", task_id: "6", kind: "audit", members: ["ogpu1v1", "ogpu1v2"], deadline: "50", task_status: "TASK_STATUS_FINALIZED" },
      ],
    });
    await app.close();
  });

  it("is 503 on a server without CometBFT", async () => {
    const app = await createRestServer({
      query: async () => ResponseQuery.fromPartial({ code: 6, log: "unknown", height: 1n }),
      metrics: createNodeMetrics(),
      health: () => ({ height: 1n, appHash: new Uint8Array(32), chainId: "ogpu-test" }),
    });
    const res = await app.inject({ method: "GET", url: "/ogpu/history/v1/audits" });
    expect(res.statusCode).toBe(503);
    await app.close();
  });
});
