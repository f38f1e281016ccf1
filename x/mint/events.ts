import type { EventLog } from "../../app/events.js";

/** x/mint events: `mint` every block (as the SDK's), `provider_reward` per worker paid and `provider_epoch` per closed epoch. */
export interface MintEvents {
  mint: { amount: string; block_reward: string; provider_budget: string; inflation: string; annual_provisions: string };
  provider_reward: { worker: string; amount: string; fee_credit: string; uptime_bps: string; lambda_bps: string };
  provider_epoch: { start_height: string; end_height: string; budget: string; paid: string; forgone: string };
}

export function emitMintEvent<T extends keyof MintEvents>(events: EventLog, type: T, attributes: MintEvents[T]): void {
  events.emit(type, { ...attributes });
}
