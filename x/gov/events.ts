import type { EventLog } from "../../app/events.js";
import { coinsToString, type Coin } from "../../app/coins.js";
import type { WeightedVoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { voteOptionToJSON } from "cosmjs-types/cosmos/gov/v1/gov";

/** The SDK's x/gov event types and attribute keys (types/events.go), so explorers and indexers read them. */
export const ProposalResult = {
  Dropped: "proposal_dropped",
  Passed: "proposal_passed",
  Rejected: "proposal_rejected",
  Failed: "proposal_failed",
} as const;

export function emitSubmitProposal(events: EventLog, id: bigint, messageTypes: readonly string[], proposer: string): void {
  events.emit("submit_proposal", { proposal_id: id.toString(), proposal_proposer: proposer, proposal_messages: `,${messageTypes.join(",")},` }, ["proposal_messages"]);
}

export function emitDeposit(events: EventLog, id: bigint, depositor: string, amount: readonly Coin[]): void {
  events.emit("proposal_deposit", { amount: coinsToString(amount), proposal_id: id.toString(), depositor }, ["amount"]);
}

/** The deposit that crossed min_deposit also opens the voting period (the SDK's voting_period_start attribute). */
export function emitVotingStarted(events: EventLog, type: "submit_proposal" | "proposal_deposit", id: bigint): void {
  events.emit(type, { voting_period_start: id.toString() });
}

export function emitVote(events: EventLog, id: bigint, voter: string, options: readonly WeightedVoteOption[]): void {
  const option = JSON.stringify(options.map((o) => ({ option: voteOptionToJSON(o.option), weight: o.weight })));
  events.emit("proposal_vote", { option, proposal_id: id.toString(), voter }, ["option"]);
}

/** End of a deposit period without enough deposits. */
export function emitInactive(events: EventLog, id: bigint): void {
  events.emit("inactive_proposal", { proposal_id: id.toString(), proposal_result: ProposalResult.Dropped });
}

/** End of a voting period: the result and, for a failed execution, why. */
export function emitActive(events: EventLog, id: bigint, result: string, log: string): void {
  events.emit("active_proposal", { proposal_id: id.toString(), proposal_result: result, proposal_log: log }, ["proposal_log"]);
}
