import type { Params } from "cosmjs-types/cosmos/gov/v1/gov";
import { BASE_DENOM, coinsFromWire } from "../../app/coins.js";
import { decToString, DEC_ONE, parseDecText } from "../../app/dec.js";
import { BPS, govParams, type GovParams } from "./params.js";

/** One basis point as Dec atomics (10^18 / 10^4). */
const BPS_ATOMICS = DEC_ONE / BigInt(BPS);
const ZERO = "0.000000000000000000";

/** A bps value as the SDK's Dec text, e.g. 3340 → "0.334000000000000000". */
export const bpsDec = (bps: number) => decToString(BigInt(bps) * BPS_ATOMICS);

/** A Dec text that must be a whole number of basis points (our params' precision). */
function decBps(text: string, field: string): number {
  let atomics: bigint;
  try {
    atomics = parseDecText(text === "" ? "0" : text);
  } catch {
    throw new Error(`${field}: invalid decimal '${text}'`);
  }
  if (atomics % BPS_ATOMICS !== 0n || atomics > DEC_ONE) throw new Error(`${field} must be between 0 and 1 in steps of 0.0001, got ${text}`);
  return Number(atomics / BPS_ATOMICS);
}

/** Our params in cosmos.gov.v1.Params form (queries, LCD, MsgUpdateParams round trip). */
export function govParamsToWire(p: GovParams): Params {
  const minDeposit = [{ denom: BASE_DENOM, amount: p.min_deposit }];
  return {
    minDeposit,
    maxDepositPeriod: { seconds: BigInt(p.max_deposit_period_seconds), nanos: 0 },
    votingPeriod: { seconds: BigInt(p.voting_period_seconds), nanos: 0 },
    quorum: bpsDec(p.quorum_bps),
    threshold: bpsDec(p.threshold_bps),
    vetoThreshold: bpsDec(p.veto_threshold_bps),
    minInitialDepositRatio: bpsDec(p.min_initial_deposit_bps),
    proposalCancelRatio: ZERO,
    proposalCancelDest: "",
    expeditedVotingPeriod: undefined,
    expeditedThreshold: ZERO,
    expeditedMinDeposit: [],
    burnVoteQuorum: p.burn_vote_quorum,
    burnProposalDepositPrevote: p.burn_proposal_deposit_prevote,
    burnVoteVeto: p.burn_vote_veto,
    minDepositRatio: bpsDec(p.min_deposit_bps),
  };
}

/**
 * cosmos.gov.v1.Params → our params: the Cosmos fields replace ours, the caps we add
 * (max_*) stay as they are. Periods must be whole seconds; thresholds whole basis points.
 * Throws an Error naming the bad field (the caller turns it into a Cosmos error).
 */
export function govParamsFromWire(w: Params, current: GovParams): GovParams {
  const deposit = coinsFromWire(w.minDeposit);
  if (deposit.length !== 1 || deposit[0]!.denom !== BASE_DENOM) throw new Error(`min_deposit must be one ${BASE_DENOM} amount`);
  const seconds = (d: Params["votingPeriod"], field: string) => {
    if (!d || d.nanos !== 0 || d.seconds <= 0n || d.seconds > 31_536_000n) throw new Error(`${field} must be a whole number of seconds in 1..31536000`);
    return Number(d.seconds);
  };
  return govParams.parse({
    ...current,
    min_deposit: deposit[0]!.amount.toString(),
    max_deposit_period_seconds: seconds(w.maxDepositPeriod, "max_deposit_period"),
    voting_period_seconds: seconds(w.votingPeriod, "voting_period"),
    quorum_bps: decBps(w.quorum, "quorum"),
    threshold_bps: decBps(w.threshold, "threshold"),
    veto_threshold_bps: decBps(w.vetoThreshold, "veto_threshold"),
    min_initial_deposit_bps: decBps(w.minInitialDepositRatio, "min_initial_deposit_ratio"),
    min_deposit_bps: decBps(w.minDepositRatio, "min_deposit_ratio"),
    burn_vote_quorum: w.burnVoteQuorum,
    burn_vote_veto: w.burnVoteVeto,
    burn_proposal_deposit_prevote: w.burnProposalDepositPrevote,
  });
}
