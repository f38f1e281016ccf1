import { Plan } from "cosmjs-types/cosmos/upgrade/v1beta1/upgrade";
import type { KVStore } from "../../app/store/kvstore.js";
import { decodeBigInt, getBigInt, setBigInt } from "../../app/store/values.js";

/**
 * x/upgrade state:
 *   upgrade/plan               → Plan (cosmos.upgrade.v1beta1), the one scheduled upgrade; absent = none
 *   upgrade/done/ ‖ name       → decimal height at which the named plan was applied
 *   upgrade/version/ ‖ module  → decimal consensus version of the module's stored state
 * Names are UTF-8 strings (plan names are bounded by the Msg string cap; module names are ours).
 */
const PLAN = "upgrade/plan";
const DONE = "upgrade/done/";
const VERSION = "upgrade/version/";

const nameKey = (name: string) => Buffer.from(name, "utf8").toString("latin1");
const keyName = (key: string) => Buffer.from(key, "latin1").toString("utf8");

export function getPlan(store: KVStore): Plan | undefined {
  const raw = store.get(PLAN);
  return raw === undefined ? undefined : Plan.decode(raw);
}

/** Go's zero time.Time, what the SDK stores in a plan's (deprecated, non-nullable) time field. */
export const GO_ZERO_TIME = { seconds: -62_135_596_800n, nanos: 0 } as const;

/** Stores the plan's name, height and info; the deprecated fields as the SDK leaves them (zero time, no client state). */
export function setPlan(store: KVStore, plan: Pick<Plan, "name" | "height" | "info">): void {
  store.set(PLAN, Plan.encode({ name: plan.name, height: plan.height, info: plan.info, time: { ...GO_ZERO_TIME } }).finish());
}

export const clearPlan = (store: KVStore) => store.delete(PLAN);

/** Height the named plan was applied at, or undefined. */
export function getDoneHeight(store: KVStore, name: string): bigint | undefined {
  const h = getBigInt(store, DONE + nameKey(name), -1n);
  return h < 0n ? undefined : h;
}

export const setDone = (store: KVStore, name: string, height: bigint) => setBigInt(store, DONE + nameKey(name), height);

/** Every applied plan, in name order. */
export function* allDone(store: KVStore): Iterable<{ name: string; height: bigint }> {
  for (const [key, value] of store.iterate(DONE)) yield { name: keyName(key.slice(DONE.length)), height: decodeBigInt(value) };
}

/** The stored version map, in module-name order. */
export function getVersions(store: KVStore): { name: string; version: bigint }[] {
  return [...store.iterate(VERSION)].map(([key, value]) => ({ name: keyName(key.slice(VERSION.length)), version: decodeBigInt(value) }));
}

export const setVersion = (store: KVStore, name: string, version: bigint) => setBigInt(store, VERSION + nameKey(name), version);
