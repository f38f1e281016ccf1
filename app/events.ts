import type { Event } from "cosmjs-types/tendermint/abci/types";

/**
 * Collects ABCI events. Attribute keys are never empty and attributes clients search
 * on are indexed (CometBFT only indexes attributes with `index: true`).
 */
export class EventLog {
  readonly events: Event[] = [];

  /** A disabled log drops everything: CheckTx results carry no events worth the cost. */
  constructor(private readonly enabled = true) {}

  /** Adds an event; every attribute is indexed unless listed in `unindexed`. */
  emit(type: string, attributes: Record<string, string>, unindexed: readonly string[] = []): void {
    if (!this.enabled) return;
    const attrs = Object.entries(attributes).map(([key, value]) => {
      if (key === "") throw new Error(`event ${type} has an attribute with an empty key`);
      return { key, value, index: !unindexed.includes(key) };
    });
    this.events.push({ type, attributes: attrs });
  }

  /** Moves another log's events after this one's (a tx's events joining its block's). */
  append(other: EventLog): void {
    this.events.push(...other.events);
  }
}
