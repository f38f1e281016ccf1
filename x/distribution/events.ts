import type { EventLog } from "../../app/events.js";

/** The SDK's x/distribution event types and attribute keys. */
export interface DistributionEvents {
  withdraw_rewards: { amount: string; validator: string; delegator: string };
  withdraw_commission: { amount: string; validator: string };
}

export function emitDistributionEvent<T extends keyof DistributionEvents>(events: EventLog, type: T, attributes: DistributionEvents[T]): void {
  events.emit(type, { ...attributes });
}
