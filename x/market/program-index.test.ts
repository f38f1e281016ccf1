/**
 * The program index (Query/Programs): every submission counts its program_hash — first/last
 * height, task count, runtime and GPUs of the first task — paged in program_hash order, with
 * the built-in kernels listed beside it; the write is paid for in gas; genesis carries it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { builtinProgramId } from "../../app/program-runtimes.js";
import { GasMeter } from "../../app/gas.js";
import { EventLog } from "../../app/events.js";
import { MemStore } from "../../app/store/kvstore.js";
import { pageRequest } from "../../app/testkit.js";
import { ProgramRecord, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { QueryProgramsRequest, QueryProgramsResponse } from "../../proto/gen/ogpu/market/v1/query.js";
import { marketFixture, type MarketFixture } from "./fixture.js";
import { exportMarketGenesis, initMarketGenesis } from "./genesis.js";
import { PROGRAM_INDEX_GAS_PER_BYTE, PROGRAM_INDEX_WRITE_GAS, recordProgramUse } from "./program-index.js";
import { getProgramRecord } from "./store.js";
import { gpu, submitTaskMsg, type WorkerOffer } from "./testing.js";
import { textCid } from "../../crypto/cid.js";

let fx: MarketFixture | undefined;
afterEach(async () => {
  await fx?.chain.close();
  fx = undefined;
});

const OFFERS: WorkerOffer[] = [{ gpus: [gpu("H100", 81_920, 2)], region: "eu", price: 100n, maxConcurrent: 50, runtimes: ["process", "oci"] }];
const A = textCid("program A");
const B = textCid("program B");
/** submitTaskMsg's program_hash for its built-in kind "inference". */
const INFERENCE = textCid("inference");
const byHash = <T extends [string, ...unknown[]]>(rows: T[]): T[] => rows.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));

function programs(f: MarketFixture, limit = 0n, key: Uint8Array = new Uint8Array()): QueryProgramsResponse {
  const res = f.chain.query("/ogpu.market.v1.Query/Programs", QueryProgramsRequest.encode({ pagination: pageRequest({ limit, key }) }).finish());
  expect(res.code).toBe(0);
  return QueryProgramsResponse.decode(res.value);
}

describe("Query/Programs", () => {
  it("counts each program_hash's tasks with first and last height, pages in hash order, lists the built-ins", async () => {
    fx = await marketFixture({}, OFFERS);
    const submit = (program?: { runtime: string; gpus?: number; hash: string }) => fx!.client.tx([submitTaskMsg(fx!.client.address, { bid: 1000n, program })]);
    const [first] = await fx.chain.block([submit({ runtime: "process", gpus: 1, hash: B })]);
    expect(first!.log).toBe("");
    const firstHeight = fx.task(fx.nextTaskId() - 1n).submitHeight;
    // Same program again (another runtime: the record keeps the first task's), a second program, a built-in kind.
    const results = await fx.chain.block([submit({ runtime: "oci", hash: B }), submit({ runtime: "process", hash: A }), submit()]);
    expect(results.map((r) => r.log)).toEqual(["", "", ""]);
    const lastHeight = fx.task(fx.nextTaskId() - 1n).submitHeight;

    const all = programs(fx);
    // Listed in program_hash order.
    const expected = byHash<[string, string, string, number, bigint, bigint, bigint]>([
      [A, "program", "process", 0, 1n, lastHeight, lastHeight],
      [INFERENCE, "inference", "", 0, 1n, lastHeight, lastHeight],
      [B, "program", "process", 1, 2n, firstHeight, lastHeight],
    ]);
    expect(all.programs.map((p) => [p.programHash, p.kind, p.runtime, p.gpus, p.taskCount, p.firstSeenHeight, p.lastSeenHeight])).toEqual(expected);
    expect(all.builtins).toEqual(["matmul", "hash", "render"].map((kind) => ({ kind, programHash: builtinProgramId(kind) })));
    // Fixed ids: the CID of the kind name (printf matmul | ipfs add --only-hash --cid-version=1 --raw-leaves).
    expect(all.builtins[0]!.programHash).toBe("bafkreihrjppwa5stgvany53ajjhuhvrmiyedbj4rdpqa65afreofdjtqhy");

    // Two pages of two and one.
    const one = programs(fx, 2n);
    expect(one.programs.map((p) => p.programHash)).toEqual([expected[0]![0], expected[1]![0]]);
    expect(one.pagination!.nextKey.length).toBeGreaterThan(0);
    const two = programs(fx, 2n, one.pagination!.nextKey);
    expect(two.programs.map((p) => p.programHash)).toEqual([expected[2]![0]]);
    expect(two.pagination!.nextKey.length).toBe(0);
  });

  it("a refused submission leaves no record", async () => {
    fx = await marketFixture({}, OFFERS);
    const [refused] = await fx.chain.block([fx.client.tx([submitTaskMsg(fx.client.address, { bid: 1000n, program: { runtime: "oci", gpus: 5, hash: A } })])]);
    expect(refused!.log).toMatch(/redundancy 1 exceeds/);
    expect(programs(fx).programs).toEqual([]);
  });
});

describe("recordProgramUse", () => {
  const ctx = (store: MemStore, height: bigint) => ({ store, block: { chainId: "t", height, timeSeconds: 0n, beacon: new Uint8Array() }, mode: "deliver" as const, gas: new GasMeter(), events: new EventLog() });
  const task = (programHash: string) => ({ programHash, kind: "program", requirements: { runtime: "process", gpus: 2 } }) as Task;

  it("charges the flat write cost plus the bytes written, on every submission", () => {
    const store = new MemStore();
    const c = ctx(store, 7n);
    recordProgramUse(c, task(A));
    const written = "market/prog/".length + A.length + ProgramRecord.encode(getProgramRecord(store, A)!).finish().length;
    expect(c.gas.consumed).toBe(PROGRAM_INDEX_WRITE_GAS + written * PROGRAM_INDEX_GAS_PER_BYTE);
    const again = ctx(store, 9n);
    recordProgramUse(again, task(A));
    expect(again.gas.consumed).toBeGreaterThanOrEqual(PROGRAM_INDEX_WRITE_GAS + written * PROGRAM_INDEX_GAS_PER_BYTE);
    expect(getProgramRecord(store, A)).toMatchObject({ firstSeenHeight: 7n, lastSeenHeight: 9n, taskCount: 2n, runtime: "process", gpus: 2 });
  });

  it("genesis export → import keeps every record; bad records are refused with their path", () => {
    const store = new MemStore();
    recordProgramUse(ctx(store, 3n), task(A));
    recordProgramUse(ctx(store, 5n), task(B));
    recordProgramUse(ctx(store, 6n), task(A));
    const exported = JSON.parse(JSON.stringify(exportMarketGenesis(store))) as Record<string, unknown>;
    expect(exported.programs).toEqual([
      { program_hash: A, kind: "program", runtime: "process", gpus: 2, first_seen_height: "3", last_seen_height: "6", task_count: "2" },
      { program_hash: B, kind: "program", runtime: "process", gpus: 2, first_seen_height: "5", last_seen_height: "5", task_count: "1" },
    ]);
    const auth = { ensureModuleAccount: () => new Uint8Array() };
    const imported = new MemStore();
    initMarketGenesis({ auth }, imported, exported);
    expect([...imported.iterate("market/prog/")]).toEqual([...store.iterate("market/prog/")]);
    const bad = (patch: Record<string, unknown>) => ({ ...exported, programs: [{ ...(exported.programs as object[])[0], ...patch }] });
    expect(() => initMarketGenesis({ auth }, new MemStore(), bad({ gpus: 17 }))).toThrow(/market.programs\[0\].gpus must be an integer in 0..16/);
    expect(() => initMarketGenesis({ auth }, new MemStore(), bad({ task_count: "-1" }))).toThrow(/market.programs\[0\].task_count must be a decimal uint64/);
    expect(() => initMarketGenesis({ auth }, new MemStore(), bad({ last_seen_height: "2" }))).toThrow(/last_seen_height is below first_seen_height/);
  });
});
