import type { EventLog } from "../../app/events.js";

/** x/upgrade's events: a plan scheduled or cancelled (in the gov proposal's execution) and applied (at its height). */
export interface UpgradeEvents {
  upgrade_scheduled: { name: string; height: string };
  upgrade_cancelled: { name: string };
  upgrade_applied: { name: string; height: string };
}

export function emitUpgradeEvent<T extends keyof UpgradeEvents>(events: EventLog, type: T, attributes: UpgradeEvents[T]): void {
  events.emit(type, { ...attributes });
}
