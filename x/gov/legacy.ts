import { type Deposit, type Proposal, type TallyResult, type Vote } from "cosmjs-types/cosmos/gov/v1/gov";
import * as beta from "cosmjs-types/cosmos/gov/v1beta1/gov";
import { DEC_ONE, parseDecText } from "../../app/dec.js";

/**
 * cosmos.gov.v1 records in their v1beta1 shapes, for the v1beta1 gRPC and LCD paths cosmjs'
 * gov extension reads. Every proposal shows as a TextProposal (title, summary) — the v1beta1
 * content for a v1 proposal with messages, whose messages only the v1 paths list.
 */
const EPOCH = { seconds: 0n, nanos: 0 };

export function legacyTally(t: TallyResult | undefined): beta.TallyResult {
  return { yes: t?.yesCount ?? "0", abstain: t?.abstainCount ?? "0", no: t?.noCount ?? "0", noWithVeto: t?.noWithVetoCount ?? "0" };
}

export function legacyProposal(p: Proposal): beta.Proposal {
  const content = { typeUrl: "/cosmos.gov.v1beta1.TextProposal", value: beta.TextProposal.encode({ title: p.title, description: p.summary }).finish() };
  return {
    proposalId: p.id,
    content,
    status: p.status as number as beta.ProposalStatus,
    finalTallyResult: legacyTally(p.finalTallyResult),
    submitTime: p.submitTime ?? EPOCH,
    depositEndTime: p.depositEndTime ?? EPOCH,
    totalDeposit: p.totalDeposit,
    votingStartTime: p.votingStartTime ?? EPOCH,
    votingEndTime: p.votingEndTime ?? EPOCH,
  };
}

/** v1beta1 weights are LegacyDec on the wire: atomics. A single full-weight option also fills the deprecated `option`. */
export function legacyVote(v: Vote): beta.Vote {
  const options = v.options.map((o) => ({ option: o.option as number as beta.VoteOption, weight: parseDecText(o.weight).toString() }));
  const only = options.length === 1 && BigInt(options[0]!.weight) === DEC_ONE ? options[0]!.option : beta.VoteOption.VOTE_OPTION_UNSPECIFIED;
  return { proposalId: v.proposalId, voter: v.voter, option: only, options };
}

export const legacyDeposit = (d: Deposit): beta.Deposit => ({ proposalId: d.proposalId, depositor: d.depositor, amount: d.amount });

