import type { EventLog } from "../../app/events.js";

/** The SDK's x/slashing event types and attribute keys. */
export interface SlashingEvents {
  slash: { address: string; reason: string; power: string; burned: string };
  liveness: { address: string; missed_blocks: string; height: string };
}

/** Attributes nobody searches by stay unindexed (each indexed one costs CometBFT's indexer). */
const UNINDEXED: { [T in keyof SlashingEvents]: readonly string[] } = { slash: ["burned"], liveness: [] };

export function emitSlashingEvent<T extends keyof SlashingEvents>(events: EventLog, type: T, attributes: SlashingEvents[T]): void {
  events.emit(type, { ...attributes }, UNINDEXED[type]);
}
