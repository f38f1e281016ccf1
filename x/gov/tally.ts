import { VoteOption, type TallyResult, type Vote } from "cosmjs-types/cosmos/gov/v1/gov";
import { BondStatus } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { parseAccountAddress } from "../../app/address.js";
import { DEC_ONE, parseDecText } from "../../app/dec.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { parseValoper } from "../../app/validator-address.js";
import { hex } from "../../crypto/bytes.js";
import type { StakingKeeper } from "../staking/keeper.js";
import { BPS, type GovParams } from "./params.js";

export type TallyStaking = Pick<StakingKeeper, "lastPowers" | "getValidator" | "delegationsOf">;

/** Voting power per option, in token Dec atomics (tokens × 10^18), so weights split it exactly. */
export interface TallyCounts {
  yes: bigint;
  abstain: bigint;
  no: bigint;
  veto: bigint;
}

export interface Tally {
  counts: TallyCounts;
  /** Σ of the counts (atomics). */
  votingPower: bigint;
  /** Tokens of the bonded validators (whole tokens): the quorum's denominator. */
  totalBonded: bigint;
}

interface BondedValidator {
  tokens: bigint;
  shares: bigint;
  /** Shares of delegators who voted themselves: the validator votes only with the rest. */
  deducted: bigint;
  vote?: Vote;
}

function addVote(counts: TallyCounts, vote: Vote, power: bigint): void {
  for (const o of vote.options) {
    const share = (power * parseDecText(o.weight)) / DEC_ONE;
    if (o.option === VoteOption.VOTE_OPTION_YES) counts.yes += share;
    else if (o.option === VoteOption.VOTE_OPTION_ABSTAIN) counts.abstain += share;
    else if (o.option === VoteOption.VOTE_OPTION_NO) counts.no += share;
    else if (o.option === VoteOption.VOTE_OPTION_NO_WITH_VETO) counts.veto += share;
  }
}

/**
 * The SDK's tally (x/gov keeper/tally.go) over the validators CometBFT has: a delegator who
 * voted counts with the tokens its shares in each bonded validator are worth and those shares
 * are deducted from that validator; each validator that voted counts with the tokens of the
 * shares left. Exact integers: powers are token atomics, rounded down once per (vote, option).
 */
export function computeTally(store: KVStore, staking: TallyStaking, votes: readonly Vote[]): Tally {
  const bonded = new Map<string, BondedValidator>();
  let totalBonded = 0n;
  for (const { operator } of staking.lastPowers(store)) {
    const v = staking.getValidator(store, operator);
    if (!v || v.status !== BondStatus.BOND_STATUS_BONDED || BigInt(v.delegatorShares) === 0n) continue;
    bonded.set(hex(operator), { tokens: BigInt(v.tokens), shares: BigInt(v.delegatorShares), deducted: 0n });
    totalBonded += BigInt(v.tokens);
  }
  // Delegations name validators by bech32; decode each one once per tally.
  const hexOf = new Map<string, string>();
  const valoperHex = (valoper: string) => {
    let h = hexOf.get(valoper);
    if (h === undefined) hexOf.set(valoper, (h = hex(parseValoper(valoper))));
    return h;
  };
  const counts: TallyCounts = { yes: 0n, abstain: 0n, no: 0n, veto: 0n };
  let votingPower = 0n;
  for (const vote of votes) {
    const voter = parseAccountAddress(vote.voter);
    const own = bonded.get(hex(voter));
    if (own) own.vote = vote;
    for (const d of staking.delegationsOf(store, voter)) {
      const val = bonded.get(valoperHex(d.validatorAddress));
      if (!val) continue;
      const shares = BigInt(d.shares);
      val.deducted += shares;
      const power = (shares * val.tokens * DEC_ONE) / val.shares;
      addVote(counts, vote, power);
      votingPower += power;
    }
  }
  for (const val of bonded.values()) {
    if (!val.vote) continue;
    const power = ((val.shares - val.deducted) * val.tokens * DEC_ONE) / val.shares;
    addVote(counts, val.vote, power);
    votingPower += power;
  }
  return { counts, votingPower, totalBonded };
}

export type TallyOutcome = "passed" | "rejected" | "vetoed" | "no_quorum";

/**
 * The SDK's decision rules with exact comparisons (cross-multiplied, no 18-decimal rounding):
 * quorum of bonded tokens voting, then veto share of all votes, then yes share of non-abstain.
 */
export function decide(t: Tally, p: Pick<GovParams, "quorum_bps" | "threshold_bps" | "veto_threshold_bps">): TallyOutcome {
  const bps = BigInt(BPS);
  if (t.totalBonded === 0n) return "no_quorum";
  if (t.votingPower * bps < BigInt(p.quorum_bps) * t.totalBonded * DEC_ONE) return "no_quorum";
  const nonAbstain = t.votingPower - t.counts.abstain;
  if (nonAbstain === 0n) return "rejected";
  if (t.counts.veto * bps > BigInt(p.veto_threshold_bps) * t.votingPower) return "vetoed";
  if (t.counts.yes * bps > BigInt(p.threshold_bps) * nonAbstain) return "passed";
  return "rejected";
}

/** The counts as the API shows them: whole tokens (the SDK truncates its Dec counts the same way). */
export function tallyResult(c: TallyCounts): TallyResult {
  return { yesCount: (c.yes / DEC_ONE).toString(), abstainCount: (c.abstain / DEC_ONE).toString(), noCount: (c.no / DEC_ONE).toString(), noWithVetoCount: (c.veto / DEC_ONE).toString() };
}

export const EMPTY_TALLY: TallyResult = { yesCount: "0", abstainCount: "0", noCount: "0", noWithVetoCount: "0" };
