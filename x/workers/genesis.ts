import { asArray, asObject, asString, atPath, GenesisError } from "../../app/genesis-json.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { LatencyHistogram, Worker } from "../../proto/gen/ogpu/workers/v1/workers.js";
import type { AuthKeeper } from "../auth/keeper.js";
import { allWorkers, setWorker, WORKER_BONDS } from "./keeper.js";
import { addExit, allLatencyHistograms, setLatencyHistogram } from "./store.js";
import { LATENCY_BUCKETS } from "./anomaly-stats.js";
import { MAX_TIER } from "../../app/gpu-tiers.js";
import { workersParams } from "./params.js";

/**
 * `workers` genesis: params and, for exported chains, the worker records as base64 protobuf
 * (the canonical encoding, so an export re-imports byte for byte); an exiting worker's
 * queue entry is rebuilt from its exit_height (scheduleExit writes both). Creates the bond
 * module account.
 */
export function initWorkersGenesis(auth: Pick<AuthKeeper, "ensureModuleAccount">, store: KVStore, json: unknown): void {
  const state = asObject(json, "workers");
  workersParams.set(store, atPath("workers.params", () => workersParams.parse(state.params)));
  auth.ensureModuleAccount(store, WORKER_BONDS);
  asArray(state.workers, "workers.workers").forEach((entry, i) => {
    const path = `workers.workers[${i}]`;
    const worker = atPath(path, () => Worker.decode(Buffer.from(asString(entry, path), "base64")));
    atPath(path, () => setWorker(store, worker));
    if (worker.exitHeight > 0n) addExit(store, worker.exitHeight, worker.operator);
  });
  asArray(state.latency_histograms, "workers.latency_histograms").forEach((entry, i) => {
    const path = `workers.latency_histograms[${i}]`;
    const h = atPath(path, () => LatencyHistogram.decode(Buffer.from(asString(entry, path), "base64")));
    if (h.counts.length !== LATENCY_BUCKETS) throw new GenesisError(`${path} must have ${LATENCY_BUCKETS} buckets`);
    if (h.tier > MAX_TIER) throw new GenesisError(`${path}: tier ${h.tier} is above ${MAX_TIER}`);
    setLatencyHistogram(store, h);
  });
}

export function exportWorkersGenesis(store: KVStore): unknown {
  return {
    params: workersParams.get(store),
    workers: [...allWorkers(store)].map((w) => Buffer.from(Worker.encode(w).finish()).toString("base64")),
    // Anomaly detection's per-tier latency histograms (docs/anomaly.md), base64 protobuf like the workers.
    latency_histograms: [...allLatencyHistograms(store)].map((h) => Buffer.from(LatencyHistogram.encode(h).finish()).toString("base64")),
  };
}

/** A fresh chain's `workers` section (`ogpud init`): default params, no records. */
export function defaultWorkersGenesis(): unknown {
  return { params: workersParams.parse(undefined), workers: [] };
}
