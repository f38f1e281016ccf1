import { moduleErrors } from "../../app/errors.js";

/** Codespace `workers`: registry errors a client sees in a failed tx's log. */
export const workersError = moduleErrors("workers");
export const WorkersCode = {
  InvalidWorker: 2,
  UnknownGpuModel: 3,
  AlreadyRegistered: 4,
  WorkerNotFound: 5,
  BondTooSmall: 6,
  TasksOpen: 7,
  WorkerExiting: 8,
  InvalidPrice: 9,
} as const;

/** An offer or bond field that fails its check (InvalidWorker). */
export const invalidWorker = (message: string) => workersError(WorkersCode.InvalidWorker, message);
