/**
 * Issue 10 item 3 (list queries): the Workers query pages over the workers in operator order
 * with PageRequest semantics; its height-dependent status filter applies per page (as the
 * SDK's FilteredPaginate does). Pure state machine, so in process on a plain store.
 */
import { describe, expect, it } from "vitest";
import { MemStore, type KVStore } from "../../app/store/kvstore.js";
import { CountingStore, pageRequest as page, testKey } from "../../app/testkit.js";
import { QueryWorkersRequest, QueryWorkersResponse } from "../../proto/gen/ogpu/workers/v1/query.js";
import { Worker, WorkerStatus } from "../../proto/gen/ogpu/workers/v1/workers.js";
import { workersParams } from "./params.js";
import { workersQueries } from "./queries.js";
import { setWorker } from "./store.js";

const WORKERS = 5_000;
const HEIGHT = 1_000n;
const workersQuery = workersQueries.find((q) => q.path === "/ogpu.workers.v1.Query/Workers")!;
const block = { chainId: "t", height: HEIGHT, timeSeconds: 0n, beacon: new Uint8Array() };

function queryWorkers(store: KVStore, req: Partial<QueryWorkersRequest>): QueryWorkersResponse {
  return QueryWorkersResponse.decode(workersQuery.handle({ store, block }, QueryWorkersRequest.encode(QueryWorkersRequest.fromPartial(req)).finish()));
}

/** WORKERS workers; every tenth has a fresh heartbeat (online), the rest went offline long ago. */
function crowdedStore(): { store: MemStore; online: string[]; all: string[] } {
  const store = new MemStore();
  const timeout = BigInt(workersParams.get(store).heartbeat_timeout_blocks);
  for (let i = 1; i <= WORKERS; i++) {
    const fresh = i % 10 === 0;
    setWorker(store, Worker.fromPartial({ operator: testKey(i).address, lastHeartbeatHeight: fresh ? HEIGHT : HEIGHT - timeout - 1n }));
  }
  const everyone: string[] = [];
  for (let key: Uint8Array = new Uint8Array(); ; ) {
    const res = queryWorkers(store, { pagination: page({ key, limit: 1000n }) });
    everyone.push(...res.workers.map((w) => w.worker!.operator));
    key = res.pagination!.nextKey;
    if (key.length === 0) break;
  }
  const online = queryWorkersAll(store, WorkerStatus.WORKER_STATUS_ONLINE);
  return { store, online, all: everyone };
}

/** Follows next_key to the end, in pages of 7. */
function queryWorkersAll(store: KVStore, status: WorkerStatus): string[] {
  const out: string[] = [];
  for (let key: Uint8Array = new Uint8Array(); ; ) {
    const res = queryWorkers(store, { status, pagination: page({ key, limit: 7n }) });
    out.push(...res.workers.map((w) => w.worker!.operator));
    key = res.pagination!.nextKey;
    if (key.length === 0) return out;
  }
}

describe("workers Workers query pages", () => {
  const { store: base, online, all } = crowdedStore();

  it("item 3: the Workers query reads only the page it returns", () => {
    const store = new CountingStore(base);
    const res = queryWorkers(store, { pagination: page({ limit: 5n }) });
    expect(res.workers.map((w) => w.worker!.operator)).toEqual(all.slice(0, 5));
    // Before paging this decoded all 5,000 workers to return them in one response.
    expect(store.visited).toBe(6); // the 5 returned and the one that makes next_key

    // With no pagination at all: the default page of 100, not every worker.
    const unpaged = new CountingStore(base);
    const res100 = queryWorkers(unpaged, {});
    expect(res100.workers).toHaveLength(100);
    expect(unpaged.visited).toBe(101);
    expect(res100.pagination!.nextKey.length).toBeGreaterThan(0);

    // A status filter walks only until the page is full: up to the 5th online worker, plus one.
    const filtered = new CountingStore(base);
    const onlinePage = queryWorkers(filtered, { status: WorkerStatus.WORKER_STATUS_ONLINE, pagination: page({ limit: 5n }) });
    expect(onlinePage.workers.map((w) => w.worker!.operator)).toEqual(online.slice(0, 5));
    expect(onlinePage.workers.every((w) => w.status === WorkerStatus.WORKER_STATUS_ONLINE)).toBe(true);
    expect(filtered.visited).toBe(all.indexOf(online[4]!) + 2);
    expect(filtered.visited).toBeLessThan(WORKERS / 10);
  });

  it("item 3: Workers next_key round-trips: pages cover every worker exactly once, filtered or not", () => {
    expect(all).toHaveLength(WORKERS);
    expect(new Set(all).size).toBe(WORKERS);
    expect(online).toHaveLength(WORKERS / 10);
    expect(new Set(online).size).toBe(WORKERS / 10);
    // The filtered walk visits them in the same order as the unfiltered one.
    expect(online).toEqual(all.filter((a) => online.includes(a)));

    const counted = queryWorkers(base, { status: WorkerStatus.WORKER_STATUS_ONLINE, pagination: page({ limit: 3n, countTotal: true }) });
    expect(counted.pagination!.total).toBe(BigInt(WORKERS / 10));
    const offset = queryWorkers(base, { status: WorkerStatus.WORKER_STATUS_ONLINE, pagination: page({ offset: 4n, limit: 2n }) });
    expect(offset.workers.map((w) => w.worker!.operator)).toEqual(online.slice(4, 6));
    expect(() => queryWorkers(base, { pagination: page({ key: new Uint8Array([1]), offset: 1n }) })).toThrow(/either key or offset/);
  });
});
