import { parseAccountAddress } from "../../app/address.js";
import { addDue, dueEntries } from "../../app/store/due-index.js";
import { keyBytes, lengthPrefixed, u64Key } from "../../app/store/keys.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { LatencyHistogram, Worker } from "../../proto/gen/ogpu/workers/v1/workers.js";

/**
 * x/workers state:
 *   workers/w/ ‖ lp(operator)                    → Worker (offer, bond, liveness, reliability)
 *   workers/exit/ ‖ u64(height) ‖ lp(operator)   → ""   exits whose bond returns at height
 *                                                       (app/store/due-index.ts)
 *   workers/lat/ ‖ u64(tier)                     → LatencyHistogram (one per tier, fixed size)
 */
const WORKER = "workers/w/";
const EXIT_QUEUE = "workers/exit/";
const LATENCY = "workers/lat/";

/** A tier's per-unit latency histogram, or undefined before its first commit. */
export function getLatencyHistogram(store: KVStore, tier: number): LatencyHistogram | undefined {
  const raw = store.get(LATENCY + u64Key(tier));
  return raw === undefined ? undefined : LatencyHistogram.decode(raw);
}

export function setLatencyHistogram(store: KVStore, h: LatencyHistogram): void {
  store.set(LATENCY + u64Key(h.tier), LatencyHistogram.encode(h).finish());
}

/** Every tier's histogram in tier order (genesis export). */
export function* allLatencyHistograms(store: KVStore): Iterable<LatencyHistogram> {
  for (const [, value] of store.iterate(LATENCY)) yield LatencyHistogram.decode(value);
}

const workerKey = (operator: Uint8Array) => WORKER + lengthPrefixed(operator);

export function getWorker(store: KVStore, operator: string): Worker | undefined {
  const raw = store.get(workerKey(parseAccountAddress(operator, "operator")));
  return raw === undefined ? undefined : Worker.decode(raw);
}

export function setWorker(store: KVStore, worker: Worker): void {
  store.set(workerKey(parseAccountAddress(worker.operator, "operator")), Worker.encode(worker).finish());
}

/** The prefix under which workers lie in operator-address order (list queries page over it). */
export const WORKER_PREFIX = WORKER;

/** Every worker in operator-address order (deterministic). */
export function* allWorkers(store: KVStore): Iterable<Worker> {
  for (const [, value] of store.iterate(WORKER)) yield Worker.decode(value);
}

/** Queues the return of `operator`'s bond at `height`. */
export function addExit(store: KVStore, height: bigint, operator: string): void {
  addDue(store, EXIT_QUEUE, height, lengthPrefixed(parseAccountAddress(operator)));
}

/** Exits due by `height`, in key order, at most `limit`; each is removed from the queue together with its worker. */
export function* dueExits(store: KVStore, height: bigint, limit?: number): Iterable<{ operator: Uint8Array; worker: Worker; remove(): void }> {
  for (const { key, rest } of dueEntries(store, EXIT_QUEUE, height, limit)) {
    const operator = keyBytes(rest.slice(1));
    const worker = Worker.decode(store.get(workerKey(operator))!);
    yield { operator, worker, remove: () => (store.delete(workerKey(operator)), store.delete(key)) };
  }
}
