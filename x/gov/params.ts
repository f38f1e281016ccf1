import { defineParams } from "../../app/params.js";

/** Basis points of 1 (10,000 = 100 %): quorum, thresholds and deposit ratios are kept in them. */
export const BPS = 10_000;

/**
 * x/gov's params (docs/gov.md). Periods are in seconds of block time (the header time every
 * validator agreed on), as the SDK's are, so the deposit_end_time / voting_end_time clients read
 * are exact. Quorum and thresholds are basis points; the Cosmos Dec forms (0.334…) are derived.
 * The max_* caps bound what one proposal can make a block or a query do.
 */
export const govParams = defineParams(
  "gov/params",
  {
    /** uogpu a proposal needs in total deposits before voting starts. */
    min_deposit: "10000000",
    max_deposit_period_seconds: 172_800,
    voting_period_seconds: 172_800,
    quorum_bps: 3340,
    threshold_bps: 5000,
    veto_threshold_bps: 3340,
    /** Share of min_deposit the proposer must put up at submit (the SDK's min_initial_deposit_ratio; 0 = none). */
    min_initial_deposit_bps: 0,
    /** Smallest single deposit, as a share of min_deposit (the SDK's min_deposit_ratio): dust can't fill the depositor cap. */
    min_deposit_bps: 100,
    burn_vote_quorum: true,
    burn_vote_veto: true,
    /** Deposits of a proposal that never reached voting: false (the SDK's default) refunds them. */
    burn_proposal_deposit_prevote: false,
    max_messages: 16,
    max_title_length: 140,
    max_summary_length: 10_000,
    max_metadata_length: 255,
    /** Distinct voters one proposal accepts: the live and final tally read at most this many votes. */
    max_votes_per_proposal: 10_000,
    max_depositors_per_proposal: 200,
    /** Proposals whose period ended that one EndBlock settles; the rest wait (oldest first) for the next block. */
    max_proposals_per_block: 2,
  },
  (p) => {
    if (!/^[1-9][0-9]{0,30}$/.test(p.min_deposit)) throw new Error("min_deposit must be a positive integer amount of uogpu");
    for (const k of ["max_deposit_period_seconds", "voting_period_seconds"] as const) {
      if (p[k] < 1 || p[k] > 31_536_000) throw new Error(`${k} must be in 1..31536000 (one year)`);
    }
    for (const k of ["quorum_bps", "threshold_bps", "veto_threshold_bps"] as const) {
      if (p[k] < 1 || p[k] > BPS) throw new Error(`${k} must be in 1..${BPS}`);
    }
    for (const k of ["min_initial_deposit_bps", "min_deposit_bps"] as const) {
      if (p[k] < 0 || p[k] > BPS) throw new Error(`${k} must be in 0..${BPS}`);
    }
    const caps = { max_messages: 64, max_title_length: 255, max_summary_length: 10_000, max_metadata_length: 10_000, max_votes_per_proposal: 100_000, max_depositors_per_proposal: 10_000, max_proposals_per_block: 100 } as const;
    for (const [k, most] of Object.entries(caps) as [keyof typeof caps, number][]) {
      if (p[k] < 1 || p[k] > most) throw new Error(`${k} must be in 1..${most}`);
    }
  },
);

export type GovParams = ReturnType<typeof govParams.get>;
