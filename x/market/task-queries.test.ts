/**
 * Issue 10 item 3 (list queries): the Tasks query pages over an index and reads only the
 * tasks it returns, whatever the state holds; PageRequest follows the Cosmos SDK's rules.
 * Pure state machine, so in process on a plain store.
 */
import { describe, expect, it } from "vitest";
import { AppError } from "../../app/errors.js";
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from "../../app/pagination.js";
import { MemStore, type KVStore } from "../../app/store/kvstore.js";
import { CountingStore, testKey } from "../../app/testkit.js";
import { Task, TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { QueryTasksRequest, QueryTasksResponse } from "../../proto/gen/ogpu/market/v1/query.js";
import type { PageRequest } from "../../proto/gen/ogpu/query/v1/pagination.js";
import { marketQueries } from "./queries.js";
import { putTask } from "./store.js";

const ALICE = testKey(1).address;
const BOB = testKey(2).address;
const TASKS = 20_000;

/** `finished` finished tasks (alternating clients), then 10 pending ones at the very end. */
function crowdedStore(finished = TASKS): MemStore {
  const store = new MemStore();
  for (let i = 1; i <= finished + 10; i++) {
    const status = i > finished ? TaskStatus.TASK_STATUS_PENDING : TaskStatus.TASK_STATUS_FINALIZED;
    putTask(store, Task.fromPartial({ id: BigInt(i), client: i % 2 === 0 ? ALICE : BOB, status }));
  }
  return store;
}

const tasksQuery = marketQueries.find((q) => q.path === "/ogpu.market.v1.Query/Tasks")!;
const block = { chainId: "t", height: 1n, timeSeconds: 0n, beacon: new Uint8Array() };
function queryTasks(store: KVStore, req: Partial<QueryTasksRequest>): QueryTasksResponse {
  return QueryTasksResponse.decode(tasksQuery.handle({ store, block }, QueryTasksRequest.encode(QueryTasksRequest.fromPartial(req)).finish()));
}
const page = (p: Partial<PageRequest>): Partial<QueryTasksRequest> => ({ pagination: { key: new Uint8Array(), offset: 0n, limit: 0n, countTotal: false, reverse: false, ...p } });
const ids = (res: QueryTasksResponse) => res.tasks.map((t) => Number(t.id));

describe("market Tasks query over indexes", () => {
  const base = crowdedStore();

  it("item 3: a filtered Tasks query reads only the tasks it returns, not every task ever made", () => {
    const store = new CountingStore(base, "market/t/");
    const res = queryTasks(store, { status: TaskStatus.TASK_STATUS_PENDING, limit: 5 });
    expect(ids(res)).toEqual([20_001, 20_002, 20_003, 20_004, 20_005]);
    // Before the indexes this decoded all 20,010 tasks to find 5 at the end.
    expect(store.reads).toBe(5);
    expect(store.visited).toBe(6); // the 5 returned and the one that makes next_key

    const byClientAndStatus = new CountingStore(base, "market/t/");
    const bobPending = queryTasks(byClientAndStatus, { client: BOB, status: TaskStatus.TASK_STATUS_PENDING });
    expect(ids(bobPending)).toEqual([20_001, 20_003, 20_005, 20_007, 20_009]);
    expect(byClientAndStatus.reads).toBe(5);
  });

  it("item 3: pagination follows PageRequest (key, offset, limit, count_total) and pages cover the index exactly once", () => {
    const first = queryTasks(base, page({ limit: 3n, countTotal: true }));
    expect(ids(first)).toEqual([1, 2, 3]);
    expect(first.pagination!.total).toBe(BigInt(TASKS + 10));
    const second = queryTasks(base, page({ key: first.pagination!.nextKey, limit: 3n }));
    expect(ids(second)).toEqual([4, 5, 6]);
    expect(second.pagination!.total).toBe(0n); // count_total only without key, as in the SDK
    expect(ids(queryTasks(base, page({ offset: 20_008n, limit: 5n })))).toEqual([20_009, 20_010]);
    expect(queryTasks(base, page({ offset: 20_008n, limit: 5n })).pagination!.nextKey).toHaveLength(0);
    expect(queryTasks(base, page({})).tasks).toHaveLength(DEFAULT_PAGE_LIMIT);
    expect(queryTasks(base, page({ limit: 1_000_000n })).tasks).toHaveLength(MAX_PAGE_LIMIT);
    expect(() => queryTasks(base, page({ key: first.pagination!.nextKey, offset: 1n }))).toThrow(AppError);
    expect(() => queryTasks(base, page({ reverse: true }))).toThrow(/reverse/);

    // Walking Alice's finished tasks by next_key visits each exactly once.
    const seen: number[] = [];
    let key: Uint8Array = new Uint8Array();
    do {
      const res = queryTasks(base, { client: ALICE, status: TaskStatus.TASK_STATUS_FINALIZED, ...page({ key, limit: 1000n }) });
      seen.push(...ids(res));
      key = res.pagination!.nextKey;
    } while (key.length > 0);
    expect(seen).toEqual(Array.from({ length: TASKS / 2 }, (_, i) => 2 * (i + 1)));
  });

  it("item 3: the older after_id/limit fields still page (after_id starts after that id)", () => {
    expect(ids(queryTasks(base, { afterId: 20_007n, limit: 2 }))).toEqual([20_008, 20_009]);
    expect(ids(queryTasks(base, { status: TaskStatus.TASK_STATUS_PENDING, afterId: 20_009n }))).toEqual([20_010]);
  });

  it("item 3: a status change moves the task between status indexes", () => {
    const store = crowdedStore(20_000);
    putTask(store, Task.fromPartial({ id: 20_010n, client: ALICE, status: TaskStatus.TASK_STATUS_CANCELLED }));
    expect(ids(queryTasks(store, { status: TaskStatus.TASK_STATUS_PENDING }))).toEqual([20_001, 20_002, 20_003, 20_004, 20_005, 20_006, 20_007, 20_008, 20_009]);
    expect(ids(queryTasks(store, { status: TaskStatus.TASK_STATUS_CANCELLED, client: ALICE }))).toEqual([20_010]);
  });
});
