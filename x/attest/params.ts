import { defineParams } from "../../app/params.js";

const bps = (name: string, v: number) => {
  if (v < 0 || v > 10_000) throw new Error(`${name} must be in 0..10000`);
};

/**
 * Proof-of-Sync parameters (docs/proof-of-sync.md derives the defaults from the PoSP
 * condition p(1−r)(R+S) > C):
 * - reveal_timeout_blocks: a committed worker must reveal within this many blocks of the
 *   last commit of its task, or lose reveal_timeout_slash_bps of its bond and its slot.
 * - p_floor_bps: smallest audit probability; p = max(p_floor, 1/(CV+1)).
 * - adaptive_min_cv: workers with fewer consecutive valid results are "untrusted": the
 *   market gives k = 1 tasks to trusted workers, and an untrusted worker alone on a task is
 *   always audited.
 * - committee_size: validators (m) drawn by power for an audit.
 * - max_due_per_block: draws, reveal timeouts, committee deadlines and absent votes each settled
 *   per block; the rest stay due and come first in the next block (bounded block work).
 * - audit_timeout_blocks: a committee (audit or dispute) votes within this many blocks of its draw.
 * - wrong_result_slash_bps: share of a wrong worker's bond taken: half to the client, rest burned.
 * - wrong_result_jail_blocks: how long a wrong worker is jailed.
 * - auditor_absent_slash_bps: share of a validator's stake burned when it does not vote in time.
 */
export const attestParams = defineParams(
  "attest/params",
  {
    reveal_timeout_blocks: 10,
    reveal_timeout_slash_bps: 2000,
    p_floor_bps: 200,
    adaptive_min_cv: 10,
    committee_size: 3,
    audit_timeout_blocks: 10,
    wrong_result_slash_bps: 5000,
    wrong_result_jail_blocks: 10_000,
    auditor_absent_slash_bps: 10,
    max_due_per_block: 1000,
  },
  (p) => {
    if (!Number.isSafeInteger(p.max_due_per_block) || p.max_due_per_block < 1) throw new Error("max_due_per_block must be a positive integer");
    if (p.reveal_timeout_blocks < 1) throw new Error("reveal_timeout_blocks must be at least 1");
    if (p.audit_timeout_blocks < 1) throw new Error("audit_timeout_blocks must be at least 1");
    if (p.committee_size < 1 || p.committee_size > 100) throw new Error("committee_size must be in 1..100");
    if (p.adaptive_min_cv < 0) throw new Error("adaptive_min_cv must not be negative");
    if (p.wrong_result_jail_blocks < 0) throw new Error("wrong_result_jail_blocks must not be negative");
    bps("reveal_timeout_slash_bps", p.reveal_timeout_slash_bps);
    bps("p_floor_bps", p.p_floor_bps);
    bps("wrong_result_slash_bps", p.wrong_result_slash_bps);
    bps("auditor_absent_slash_bps", p.auditor_absent_slash_bps);
  },
);

export type AttestParams = ReturnType<typeof attestParams.get>;
