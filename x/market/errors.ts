import { moduleErrors } from "../../app/errors.js";

/** Codespace `market`: task errors a client sees in a failed tx's log. */
export const marketError = moduleErrors("market");
export const MarketCode = {
  InvalidTask: 2,
  ZeroUnits: 3,
  UnknownGpuModel: 4,
  RedundancyUnavailable: 5,
  PriceOverflow: 6,
  TaskNotFound: 7,
  NotTaskClient: 8,
  NotCancellable: 9,
  InvalidPrice: 10,
  InvalidSettlement: 11,
  /** A commit (or other slot change) on a task that already ended. */
  TaskEnded: 12,
  /** MsgDeclineAssignment from a worker that holds no slot of the task. */
  NotAssigned: 13,
  /** MsgDeclineAssignment after the worker committed: a sealed result stands. */
  AlreadyCommitted: 14,
  /** MsgPostTaskLog from a worker that already posted a log for its current assignment, or past the per-task bound. */
  LogAlreadyPosted: 15,
  /** MsgSubmitTask without an input_bytes declaration, or one over max_input_bytes. */
  InvalidInputBytes: 16,
} as const;
