import { moduleErrors } from "../../app/errors.js";

/** Codespace `attest`: Proof-of-Sync errors a worker or validator sees in a failed tx's log. */
export const attestError = moduleErrors("attest");
export const AttestCode = {
  InvalidField: 2,
  TaskNotFound: 3,
  NotAssigned: 4,
  AlreadyCommitted: 5,
  DuplicateSeal: 6,
  WrongPhase: 7,
  SealMismatch: 8,
  AlreadyRevealed: 9,
  NotOnCommittee: 10,
  AlreadyVoted: 11,
  InconsistentVerdict: 12,
  /** MsgSetAuditorKey from an account that operates no validator. */
  NotValidator: 13,
  /** Commit, reveal or vote on a task that already ended (cancelled, expired, settled). */
  TaskEnded: 14,
} as const;
