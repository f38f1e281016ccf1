import type { EventLog } from "../../app/events.js";

/**
 * Registry events. Every one carries the operator (indexed), so a worker's whole history can
 * be followed with `worker_*.operator='ogpu1…'`; `reason` says why the transition happened.
 */
export function emitWorkerEvent(events: EventLog, type: string, operator: string, attributes: Record<string, string> = {}): void {
  events.emit(type, { operator, ...attributes });
}

export const WorkerEvent = {
  Registered: "worker_registered",
  Updated: "worker_updated",
  Heartbeat: "worker_heartbeat",
  ExitStarted: "worker_exit_started",
  Exited: "worker_exited",
  Slashed: "worker_slashed",
  Jailed: "worker_jailed",
  /** Anomaly detection found the worker's record improbable (docs/anomaly.md): rule, reason, n, x, jailed. */
  Flagged: "worker_flagged",
  Reliability: "worker_reliability",
} as const;
