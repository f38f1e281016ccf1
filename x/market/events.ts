import type { EventLog } from "../../app/events.js";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";

/**
 * Market events. Every one carries `task_id` (indexed), so a client follows one task over
 * the CometBFT websocket with e.g. `task_status.task_id='7'`; transitions say why in `reason`.
 */
export const TaskEvent = {
  Submitted: "task_submitted",
  Status: "task_status",
  Assigned: "task_assigned",
  Pending: "task_pending",
  SlotTimeout: "task_slot_timeout",
  Declined: "task_slot_declined",
  Committed: "task_slot_committed",
  Settled: "task_settled",
  LogPosted: "task_log_posted",
  BasePrice: "market_base_price",
} as const;

/** Lower-case status name without the enum prefix, e.g. "pending". */
export function statusName(status: TaskStatus): string {
  return (TaskStatus[status] ?? "TASK_STATUS_UNSPECIFIED").replace(/^TASK_STATUS_/, "").toLowerCase();
}

export function emitTaskEvent(events: EventLog, type: string, taskId: bigint, attributes: Record<string, string> = {}): void {
  events.emit(type, { task_id: taskId.toString(), ...attributes });
}

export function emitStatusChange(events: EventLog, taskId: bigint, client: string, from: TaskStatus, to: TaskStatus, reason: string): void {
  emitTaskEvent(events, TaskEvent.Status, taskId, { client, from: statusName(from), to: statusName(to), reason });
}
