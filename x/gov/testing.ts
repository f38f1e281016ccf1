/**
 * Fixtures for x/gov tests: gov messages built as cosmjs builds them, and a genesis with short
 * periods on top of x/staking's (block time advances 1 s per block in app/testkit.ts).
 */
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { TextProposal, VoteOption as BetaVoteOption } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import type { Params, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import * as v1 from "cosmjs-types/cosmos/gov/v1/tx";
import * as v1beta1 from "cosmjs-types/cosmos/gov/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { govAuthority } from "../../app/authority.js";
import type { TestKey } from "../../app/testkit.js";
import { stakingGenesis } from "../staking/testing.js";

const any = (typeUrl: string, value: Uint8Array): Any => ({ typeUrl, value });
const uogpu = (amount: bigint) => (amount === 0n ? [] : [{ denom: "uogpu", amount: amount.toString() }]);

/** Test gov params: 1,000 uogpu min deposit, 5-second deposit and voting periods. */
export const GOV_TEST_PARAMS = { min_deposit: "1000", max_deposit_period_seconds: 5, voting_period_seconds: 5, min_deposit_bps: 0 };

export function govGenesis(balances: Record<string, bigint>, gentxs: Uint8Array[], params: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...stakingGenesis(balances, gentxs), gov: { params: { ...GOV_TEST_PARAMS, ...params } } };
}

export function submitProposalMsg(proposer: TestKey, deposit: bigint, messages: Any[] = [], text: { title?: string; summary?: string; metadata?: string } = {}): Any {
  return any("/cosmos.gov.v1.MsgSubmitProposal", v1.MsgSubmitProposal.encode({
    messages, initialDeposit: uogpu(deposit), proposer: proposer.address, metadata: text.metadata ?? "", title: text.title ?? "A proposal", summary: text.summary ?? "What it does", expedited: false,
  }).finish());
}

export const legacyTextProposalMsg = (proposer: TestKey, deposit: bigint, title: string, description: string): Any =>
  any("/cosmos.gov.v1beta1.MsgSubmitProposal", v1beta1.MsgSubmitProposal.encode({
    content: { typeUrl: "/cosmos.gov.v1beta1.TextProposal", value: TextProposal.encode({ title, description }).finish() }, initialDeposit: uogpu(deposit), proposer: proposer.address,
  }).finish());

export const depositMsg = (depositor: TestKey, id: bigint, amount: bigint): Any =>
  any("/cosmos.gov.v1.MsgDeposit", v1.MsgDeposit.encode({ proposalId: id, depositor: depositor.address, amount: uogpu(amount) }).finish());

export const voteMsg = (voter: TestKey, id: bigint, option: VoteOption): Any =>
  any("/cosmos.gov.v1.MsgVote", v1.MsgVote.encode({ proposalId: id, voter: voter.address, option, metadata: "" }).finish());

export const legacyVoteMsg = (voter: TestKey, id: bigint, option: BetaVoteOption): Any =>
  any("/cosmos.gov.v1beta1.MsgVote", v1beta1.MsgVote.encode({ proposalId: id, voter: voter.address, option }).finish());

export const weightedVoteMsg = (voter: TestKey, id: bigint, options: { option: VoteOption; weight: string }[]): Any =>
  any("/cosmos.gov.v1.MsgVoteWeighted", v1.MsgVoteWeighted.encode({ proposalId: id, voter: voter.address, options, metadata: "" }).finish());

/** x/gov's own MsgUpdateParams with the gov authority (a param-change proposal's message). */
export const updateGovParamsMsg = (params: Params, authority = govAuthority()): Any =>
  any("/cosmos.gov.v1.MsgUpdateParams", v1.MsgUpdateParams.encode({ authority, params }).finish());

export const sendMsgAny = (from: string, to: string, amount: bigint): Any =>
  any("/cosmos.bank.v1beta1.MsgSend", MsgSend.encode({ fromAddress: from, toAddress: to, amount: uogpu(amount) }).finish());
