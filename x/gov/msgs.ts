import { TextProposal, VoteOption, type WeightedVoteOption } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import * as v1 from "cosmjs-types/cosmos/gov/v1/tx";
import * as v1beta1 from "cosmjs-types/cosmos/gov/v1beta1/tx";
import { parseAccountAddress } from "../../app/address.js";
import { requireGovAuthority, validateAuthority } from "../../app/authority.js";
import { UPDATE_PARAMS_EVENT } from "../../app/update-params.js";
import { coinsFromWire } from "../../app/coins.js";
import { DEC_ONE, decToString, parseDec, parseDecText } from "../../app/dec.js";
import { SdkCode, sdkError } from "../../app/errors.js";
import { defineMsg, type RegisteredMsg } from "../../app/module.js";
import { msgType, OGPU_MSG_TYPES } from "../../proto/msg-types.js";
import { defineUpdateParamsMsg } from "../../app/update-params.js";
import { govError, GovCode } from "./errors.js";
import type { GovKeeper } from "./keeper.js";
import { govParams } from "./params.js";
import { govParamsFromWire } from "./params-wire.js";

const TEXT_PROPOSAL = "/cosmos.gov.v1beta1.TextProposal";
const OPTIONS = [VoteOption.VOTE_OPTION_YES, VoteOption.VOTE_OPTION_ABSTAIN, VoteOption.VOTE_OPTION_NO, VoteOption.VOTE_OPTION_NO_WITH_VETO];

function checkOption(option: VoteOption): void {
  if (!OPTIONS.includes(option)) throw govError(GovCode.InvalidVote, `${option}: invalid vote option`);
}

/**
 * Weighted options, checked as the SDK does (each option once, every weight in (0, 1], the
 * weights summing to exactly 1) and stored with their weights in the Dec text form.
 * `parseWeight` is the wire form: text for v1 ("0.5"), atomics for v1beta1's LegacyDec.
 */
function weightedOptions(options: readonly WeightedVoteOption[], parseWeight: (text: string) => bigint): WeightedVoteOption[] {
  if (options.length === 0 || options.length > OPTIONS.length) throw govError(GovCode.InvalidVote, `a vote has 1 to ${OPTIONS.length} options, got ${options.length}: invalid vote option`);
  let sum = 0n;
  const seen = new Set<VoteOption>();
  const out = options.map((o) => {
    checkOption(o.option);
    if (seen.has(o.option)) throw govError(GovCode.InvalidVote, `option ${o.option} given twice: invalid vote option`);
    seen.add(o.option);
    let weight: bigint;
    try {
      weight = parseWeight(o.weight);
    } catch {
      throw govError(GovCode.InvalidVote, `weight '${o.weight}' is not a decimal: invalid vote option`);
    }
    if (weight <= 0n || weight > DEC_ONE) throw govError(GovCode.InvalidVote, `weight ${decToString(weight)} must be in (0, 1]: invalid vote option`);
    sum += weight;
    return { option: o.option, weight: decToString(weight) };
  });
  if (sum !== DEC_ONE) throw govError(GovCode.InvalidVote, `weights sum to ${decToString(sum)}, not 1: invalid vote option`);
  return out;
}

const single = (option: VoteOption): WeightedVoteOption[] => (checkOption(option), [{ option, weight: decToString(DEC_ONE) }]);
const addresses = (...pairs: [string, string][]) => pairs.forEach(([a, field]) => parseAccountAddress(a, field));
const coins = (wire: readonly { denom: string; amount: string }[]) => coinsFromWire(wire);

function nonEmptyDeposit(wire: readonly { denom: string; amount: string }[]) {
  const c = coins(wire);
  if (c.length === 0) throw sdkError(SdkCode.InvalidCoins, "deposit amount is empty: invalid coins");
  return c;
}

function checkTitle(title: string, summary: string): void {
  if (title.trim() === "") throw govError(GovCode.InvalidProposal, "proposal title cannot be empty: invalid proposal");
  if (summary.trim() === "") throw govError(GovCode.InvalidProposal, "proposal summary cannot be empty: invalid proposal");
}

/** v1beta1 content: only a TextProposal (changes go in v1 proposals' messages). */
function textContent(msg: v1beta1.MsgSubmitProposal): TextProposal {
  const content = msg.content;
  if (!content || content.typeUrl !== TEXT_PROPOSAL) {
    throw govError(GovCode.InvalidProposalContent, `content ${content?.typeUrl ?? "(none)"} is not accepted: v1beta1 proposals may carry only ${TEXT_PROPOSAL}; submit changes as cosmos.gov.v1 MsgSubmitProposal messages: invalid proposal content`);
  }
  try {
    return TextProposal.decode(content.value);
  } catch (err) {
    throw govError(GovCode.InvalidProposalContent, `TextProposal does not decode: ${(err as Error).message}: invalid proposal content`);
  }
}

/** cosmos.gov.v1 and the v1beta1 subset cosmjs' defaultRegistryTypes encodes; each handler is one keeper call. */
export function govMsgs(keeper: GovKeeper): RegisteredMsg[] {
  return [
    defineMsg({
      type: msgType(v1.protobufPackage, "MsgSubmitProposal", v1.MsgSubmitProposal, v1.MsgSubmitProposalResponse),
      gas: 50_000,
      signers: (m) => [m.proposer],
      validate(m) {
        addresses([m.proposer, "proposer"]);
        coins(m.initialDeposit);
        checkTitle(m.title, m.summary);
        if (m.expedited) throw govError(GovCode.InvalidProposal, "expedited proposals are not supported: invalid proposal");
      },
      handle: (ctx, m) => ({ proposalId: keeper.submitProposal(ctx, { messages: m.messages, initialDeposit: coins(m.initialDeposit), proposer: m.proposer, metadata: m.metadata, title: m.title, summary: m.summary }) }),
    }),
    defineMsg({
      type: msgType(v1beta1.protobufPackage, "MsgSubmitProposal", v1beta1.MsgSubmitProposal, v1beta1.MsgSubmitProposalResponse),
      gas: 50_000,
      signers: (m) => [m.proposer],
      validate(m) {
        addresses([m.proposer, "proposer"]);
        coins(m.initialDeposit);
        const text = textContent(m);
        checkTitle(text.title, text.description);
      },
      handle(ctx, m) {
        const text = textContent(m);
        return { proposalId: keeper.submitProposal(ctx, { messages: [], initialDeposit: coins(m.initialDeposit), proposer: m.proposer, metadata: "", title: text.title, summary: text.description }) };
      },
    }),
    ...[v1, v1beta1].map((pkg) =>
      defineMsg({
        type: msgType(pkg.protobufPackage, "MsgDeposit", pkg.MsgDeposit, pkg.MsgDepositResponse),
        gas: 20_000,
        signers: (m) => [m.depositor],
        validate: (m) => (addresses([m.depositor, "depositor"]), nonEmptyDeposit(m.amount)),
        handle: (ctx, m) => (keeper.deposit(ctx, m.proposalId, m.depositor, nonEmptyDeposit(m.amount)), {}),
      }),
    ),
    ...[v1, v1beta1].map((pkg) =>
      defineMsg({
        type: msgType(pkg.protobufPackage, "MsgVote", pkg.MsgVote, pkg.MsgVoteResponse),
        gas: 20_000,
        signers: (m) => [m.voter],
        validate: (m) => (addresses([m.voter, "voter"]), single(m.option)),
        handle: (ctx, m) => (keeper.vote(ctx, m.proposalId, m.voter, single(m.option)), {}),
      }),
    ),
    ...([[v1, parseDecText], [v1beta1, parseDec]] as const).map(([pkg, parseWeight]) =>
      defineMsg({
        type: msgType(pkg.protobufPackage, "MsgVoteWeighted", pkg.MsgVoteWeighted, pkg.MsgVoteWeightedResponse),
        gas: 25_000,
        signers: (m) => [m.voter],
        validate: (m) => (addresses([m.voter, "voter"]), weightedOptions(m.options, parseWeight)),
        handle: (ctx, m) => (keeper.vote(ctx, m.proposalId, m.voter, weightedOptions(m.options, parseWeight)), {}),
      }),
    ),
    defineMsg({
      type: msgType(v1.protobufPackage, "MsgUpdateParams", v1.MsgUpdateParams, v1.MsgUpdateParamsResponse),
      gas: 20_000,
      signers: (m) => [m.authority],
      validate: (m) => validateAuthority(m.authority),
      handle(ctx, m) {
        requireGovAuthority(m.authority);
        let next;
        try {
          next = govParamsFromWire(m.params, govParams.get(ctx.store));
        } catch (err) {
          throw sdkError(SdkCode.InvalidRequest, `invalid gov params: ${(err as Error).message}: invalid request`);
        }
        govParams.set(ctx.store, next);
        ctx.events.emit(UPDATE_PARAMS_EVENT, { module: "gov", authority: m.authority });
        return {};
      },
    }),
    // The same params as every module's: the whole set as JSON, our max_* caps included (docs/gov-params.md).
    defineUpdateParamsMsg("gov", govParams, OGPU_MSG_TYPES.UpdateGovParams),
  ];
}
