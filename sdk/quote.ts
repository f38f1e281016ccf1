/**
 * What a task will escrow and who could take it, before it is submitted: the CLI's submit-task
 * prompt (cmd/ogpud/commands/market.ts) and the web page's live estimate
 * (web/src/customer/estimate.ts) both show this. Pure: callers pass what they queried.
 */
import { candidateRecipients, type CandidateFilter, type CandidateWorker } from "./task-io.js";

export interface QuoteInput {
  units: bigint | number;
  /** k (default 1). */
  redundancy?: number;
  maxPricePerUnit: bigint | number | string;
  requirements?: CandidateFilter;
  /** Base price per unit of each tier (Query/BasePrice). */
  basePrices: readonly { tier: number; basePricePerUnit: bigint | string }[];
  /** Workers as listed (any status: only online ones qualify). */
  workers: readonly CandidateWorker[];
}

export interface TaskQuote {
  /** max price × units × k, held in escrow; the unspent part is refunded at settlement. */
  escrow: bigint;
  tier: number;
  /** The tier's base price per unit (undefined: the chain lists no such tier). */
  basePrice?: bigint;
  /** Operators of the online workers meeting the requirements (the workers an encrypted input is sealed to). */
  qualifying: string[];
  /** The bid is below the base price: the scheduler assigns nothing until the base price falls. */
  belowBase: boolean;
}

export function quoteTask(q: QuoteInput): TaskQuote {
  const tier = q.requirements?.tier ?? 0;
  const base = q.basePrices.find((p) => p.tier === tier)?.basePricePerUnit;
  const basePrice = base === undefined ? undefined : BigInt(base);
  const maxPrice = BigInt(q.maxPricePerUnit);
  return {
    escrow: maxPrice * BigInt(q.units) * BigInt(q.redundancy ?? 1),
    tier,
    basePrice,
    qualifying: candidateRecipients(q.workers, q.requirements).map((r) => r.address),
    belowBase: basePrice !== undefined && maxPrice < basePrice,
  };
}
