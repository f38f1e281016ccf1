import type { EventLog } from "../../app/events.js";

/** x/treasury's event types and attribute keys (amounts with their denom, e.g. "500uogpu"). */
export interface TreasuryEvents {
  treasury_deposit: { from_module: string; amount: string; reason: string };
  treasury_spend: { spend_id: string; recipient: string; amount: string; authority: string };
}

export function emitTreasuryEvent<T extends keyof TreasuryEvents>(events: EventLog, type: T, attributes: TreasuryEvents[T]): void {
  events.emit(type, { ...attributes });
}
