import type { Context } from "../../app/context.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { decodeBigInt, setBigInt } from "../../app/store/values.js";
import { TaskEvent } from "./events.js";
import { marketParams } from "./params.js";
import { MAX_TIER } from "../../app/gpu-tiers.js";

/**
 * Demand pricing λ: one base price per tier (uogpu per unit) that every block moves toward
 * target_utilization_bps by at most max_base_change_bps (12.5 %), like EIP-1559's base fee.
 *   market/base/ ‖ tier → decimal uogpu;  market/util/ ‖ tier → utilisation bps seen last block
 */
const BASE = "market/base/";
const UTIL = "market/util/";

export const TIERS = Array.from({ length: MAX_TIER + 1 }, (_, t) => t);

export function getBasePrice(store: KVStore, tier: number): bigint {
  const raw = store.get(BASE + String.fromCharCode(tier));
  return raw === undefined ? BigInt(marketParams.get(store).base_price_floor[tier]!) : decodeBigInt(raw);
}

export function setBasePrice(store: KVStore, tier: number, price: bigint): void {
  setBigInt(store, BASE + String.fromCharCode(tier), price);
}

export function getUtilization(store: KVStore, tier: number): number {
  const raw = store.get(UTIL + String.fromCharCode(tier));
  return raw === undefined ? 0 : Number(Buffer.from(raw).toString("latin1"));
}

export function setUtilization(store: KVStore, tier: number, bps: number): void {
  store.set(UTIL + String.fromCharCode(tier), Buffer.from(String(bps), "latin1"));
}

/** Slot usage of the available workers of one tier. */
export interface TierLoad {
  used: number;
  capacity: number;
}

/**
 * The next base price: change = (util − target) / target × max_change, clamped to ±max_change,
 * all in integer bps; a rise moves at least 1 uogpu (else a price of 1 could never grow);
 * never below the tier's floor.
 */
export function nextBasePrice(base: bigint, utilizationBps: number, targetBps: number, maxChangeBps: number, floor: bigint): bigint {
  let change = BigInt(utilizationBps - targetBps) * BigInt(maxChangeBps) / BigInt(targetBps);
  if (change > BigInt(maxChangeBps)) change = BigInt(maxChangeBps);
  if (change < -BigInt(maxChangeBps)) change = -BigInt(maxChangeBps);
  let next = (base * (10_000n + change)) / 10_000n;
  if (change > 0n && next === base) next = base + 1n;
  return next < floor ? floor : next;
}

/** Applies one block's price step to every tier; emits market_base_price when a price moves. */
export function updateBasePrices(ctx: Context, loads: readonly TierLoad[]): void {
  const p = marketParams.get(ctx.store);
  for (const tier of TIERS) {
    const { used, capacity } = loads[tier] ?? { used: 0, capacity: 0 };
    // Integer division in bigint: no float quotient in consensus code.
    const util = capacity === 0 ? 0 : Math.min(10_000, Number((BigInt(used) * 10_000n) / BigInt(capacity)));
    const base = getBasePrice(ctx.store, tier);
    const next = nextBasePrice(base, util, p.target_utilization_bps, p.max_base_change_bps, BigInt(p.base_price_floor[tier]!));
    if (getUtilization(ctx.store, tier) !== util) setUtilization(ctx.store, tier, util);
    if (next !== base || ctx.store.get(BASE + String.fromCharCode(tier)) === undefined) {
      setBasePrice(ctx.store, tier, next);
      if (next !== base) ctx.events.emit(TaskEvent.BasePrice, { tier: String(tier), base_price_per_unit: next.toString(), utilization_bps: String(util) });
    }
  }
}
