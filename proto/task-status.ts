/**
 * Which task statuses are final, written once for the chain (x/market), the SDK and the node's
 * blob store. Only generated code is imported here, so the SDK can use it without the node.
 */
import { TaskStatus } from "./gen/ogpu/market/v1/market.js";

/** Statuses from which nothing moves any more (escrow fully settled). */
export const TERMINAL_TASK_STATUSES: readonly TaskStatus[] = [
  TaskStatus.TASK_STATUS_FINALIZED,
  TaskStatus.TASK_STATUS_RESOLVED,
  TaskStatus.TASK_STATUS_EXPIRED,
  TaskStatus.TASK_STATUS_CANCELLED,
  TaskStatus.TASK_STATUS_FAILED,
];

export function isTerminalTaskStatus(status: TaskStatus): boolean {
  return TERMINAL_TASK_STATUSES.includes(status);
}

/** Every defined status a task can still leave (all but UNSPECIFIED and the terminal ones), in enum order. */
export const OPEN_TASK_STATUSES: readonly TaskStatus[] = Object.values(TaskStatus).filter(
  (s): s is TaskStatus => typeof s === "number" && s > TaskStatus.TASK_STATUS_UNSPECIFIED && !isTerminalTaskStatus(s),
);
