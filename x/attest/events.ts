import type { EventLog } from "../../app/events.js";

/**
 * Proof-of-Sync events, each with an indexed `task_id` so a client, worker or validator
 * follows one task over the websocket (e.g. `attest_committee.task_id='7'`).
 */
export const AttestEvent = {
  Committed: "attest_commit",
  Revealed: "attest_reveal",
  RevealTimeout: "attest_reveal_timeout",
  Draw: "attest_draw",
  Committee: "attest_committee",
  Vote: "attest_vote",
  /** An audit committee member sealed its own digest (before any reveal). */
  AuditSealed: "attest_audit_seal",
  /** A committee member's vote named a digest other than the settled one: its stake is slashed. */
  AuditorWrong: "attest_auditor_wrong",
  Finalized: "attest_finalized",
  WithheldSlashPaid: "attest_withheld_slash_paid",
  Disputed: "attest_disputed",
  Resolved: "attest_resolved",
  Failed: "attest_failed",
  WrongResult: "attest_wrong_result",
  AuditorAbsent: "attest_auditor_absent",
  /** A validator published or replaced its auditor key (attributes validator, changed); no task_id. */
  AuditorKeySet: "attest_auditor_key",
} as const;

export function emitAttestEvent(events: EventLog, type: string, taskId: bigint, attributes: Record<string, string> = {}): void {
  events.emit(type, { task_id: taskId.toString(), ...attributes });
}
