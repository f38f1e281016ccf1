import type { EventLog } from "../../app/events.js";

/** The SDK's ante-handler `tx` events: one per fact, as the SDK emits them. */
export type AuthTxEvent = { fee: string; fee_payer: string } | { acc_seq: string } | { signature: string };

/** fee and signature are unindexed (nobody searches by them); payer and acc_seq are. */
export function emitTxEvent(events: EventLog, attributes: AuthTxEvent): void {
  const unindexed = "fee" in attributes ? ["fee"] : "signature" in attributes ? ["signature"] : [];
  events.emit("tx", { ...attributes }, unindexed);
}
