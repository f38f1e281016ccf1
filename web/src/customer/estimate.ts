/**
 * The live estimate beside the submit form: the quote the CLI's submit-task prompt shows too
 * (sdk/quote.ts: escrow, the tier's base price, the online workers that qualify — the ones an
 * encrypted input is sealed to) and, from those workers' prices and free slots and the queue,
 * what the task can expect to wait for. Pure: the form passes what it polled.
 */
import { quoteTask, type CandidateFilter } from "../../../sdk/browser";
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
  escrow: bigint;
  basePrice?: bigint;
  /** Online workers meeting the requirements. */
  qualifying: number;
  /** Of those, the ones asking at most the max price. */
  affordable: number;
  wait: string;
}

export function estimate(e: EstimateInput): Estimate {
  const quote = quoteTask({
    units: e.units,
    redundancy: e.k,
    maxPricePerUnit: e.maxPricePerUnit,
    requirements: e.requirements,
    basePrices: e.prices.map((p) => ({ tier: p.tier, basePricePerUnit: p.base_price_per_unit })),
    workers: e.workers.map(candidateWorker),
  });
  const byOperator = new Map(e.workers.map((w) => [w.worker.operator, w.worker]));
  const affordable = quote.qualifying.map((op) => byOperator.get(op)!).filter((w) => BigInt(w.price_per_unit) <= e.maxPricePerUnit);
  const freeSlots = affordable.reduce((n, w) => n + Math.max(0, w.max_concurrent - w.open_tasks), 0);
  let wait: string;
  if (quote.belowBase) wait = `waits until the tier ${quote.tier} base price falls to your max price`;
  else if (affordable.length < e.k) wait = `waits for ${e.k} qualifying workers at your price (${affordable.length} online)`;
  else if (freeSlots >= e.k * (e.pending + 1)) wait = `assigned in the next block or so (${freeSlots} free slots)`;
  else wait = `queued behind ${e.pending} pending task(s): assigned as the ${freeSlots} free slot(s) and running jobs allow`;
  return { escrow: quote.escrow, basePrice: quote.basePrice, qualifying: quote.qualifying.length, affordable: affordable.length, wait };
}
