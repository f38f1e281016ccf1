/**
 * The live estimate beside the submit form: what the escrow will be, the tier's base price, the
 * online workers that qualify (sdk/task-io.ts candidateRecipients, the workers an encrypted input
 * is sealed to, as the CLI's quote counts them) and, from their free slots and the queue, what
 * the task can expect to wait for. Pure: the form passes what it polled.
 */
import { candidateRecipients, type CandidateFilter } from "../../../sdk/task-io";
import type { TierPrice, WorkerView } from "../api";
import { candidateWorker } from "./chain";

export interface EstimateInput {
  units: bigint;
  k: number;
  maxPricePerUnit: bigint;
  requirements: CandidateFilter;
  prices: readonly TierPrice[];
  workers: readonly WorkerView[];
  /** PENDING tasks already queued. */
  pending: number;
}

export interface Estimate {
  /** max price × units × k, held until settlement; the unspent part is refunded. */
  escrow: bigint;
  basePrice?: bigint;
  /** Online workers meeting the requirements. */
  qualifying: number;
  /** Of those, the ones asking at most the max price. */
  affordable: number;
  wait: string;
}

export function estimate(e: EstimateInput): Estimate {
  const tier = e.requirements.tier ?? 0;
  const base = e.prices.find((p) => p.tier === tier)?.base_price_per_unit;
  const basePrice = base === undefined ? undefined : BigInt(base);
  const byOperator = new Map(e.workers.map((w) => [w.worker.operator, w.worker]));
  const qualifying = candidateRecipients(e.workers.map(candidateWorker), e.requirements).map((r) => byOperator.get(r.address)!);
  const affordable = qualifying.filter((w) => BigInt(w.price_per_unit) <= e.maxPricePerUnit);
  const freeSlots = affordable.reduce((n, w) => n + Math.max(0, w.max_concurrent - w.open_tasks), 0);
  let wait: string;
  if (basePrice !== undefined && e.maxPricePerUnit < basePrice) wait = `waits until the tier ${tier} base price falls to your max price`;
  else if (affordable.length < e.k) wait = `waits for ${e.k} qualifying workers at your price (${affordable.length} online)`;
  else if (freeSlots >= e.k * (e.pending + 1)) wait = `assigned in the next block or so (${freeSlots} free slots)`;
  else wait = `queued behind ${e.pending} pending task(s): assigned as the ${freeSlots} free slot(s) and running jobs allow`;
  return { escrow: e.maxPricePerUnit * e.units * BigInt(e.k), basePrice, qualifying: qualifying.length, affordable: affordable.length, wait };
}
