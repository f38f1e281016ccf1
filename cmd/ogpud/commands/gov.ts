import { readFile } from "node:fs/promises";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { messageFromJson } from "../tx-file.js";
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import * as q1 from "cosmjs-types/cosmos/gov/v1/query";
import { MsgDeposit, MsgSubmitProposal, MsgSubmitProposalResponse, MsgVote, MsgVoteWeighted } from "cosmjs-types/cosmos/gov/v1/tx";
import { CliError, stringFlag, type Command, type Flags, type OptionSpec } from "../../cli.js";
import { coinsToWire, parseCoins } from "../../../app/coins.js";
import { parseAccountAddress } from "../../../app/address.js";
import { messageJson } from "../../../server/lcd-json.js";
import { ogpuRegistry } from "../../../sdk/registry.js";
import { abciQuery, nodeOption, outputFormat, outputOption, printResult, withNode, type NodeConnection } from "../client.js";
import { firstMsgResponse, fromOption, signAndSend, txOptions } from "./tx.js";

/**
 * `ogpud tx gov …` and `ogpud q gov …`, shaped like gaiad's: proposals from a JSON file
 * (messages with "@type", deposit, title, summary, metadata), deposits, votes and weighted
 * votes; queries print the same JSON as the LCD routes (server/lcd-json.ts).
 */
const registry = ogpuRegistry();
const queryOptions: OptionSpec = { ...nodeOption, ...outputOption };
const OPTION_NAMES: Readonly<Record<string, VoteOption>> = {
  yes: VoteOption.VOTE_OPTION_YES,
  abstain: VoteOption.VOTE_OPTION_ABSTAIN,
  no: VoteOption.VOTE_OPTION_NO,
  no_with_veto: VoteOption.VOTE_OPTION_NO_WITH_VETO,
};

function proposalIdArg(text: string | undefined): bigint {
  if (!text || !/^[1-9][0-9]*$/.test(text)) throw new CliError(`invalid proposal id '${text ?? ""}': expected a positive integer`);
  return BigInt(text);
}

function voteOption(text: string): VoteOption {
  const option = OPTION_NAMES[text.toLowerCase()];
  if (option === undefined) throw new CliError(`invalid vote option '${text}': expected yes, no, abstain or no_with_veto`);
  return option;
}

function coinsArg(text: string, what: string) {
  try {
    return coinsToWire(parseCoins(text));
  } catch (err) {
    throw new CliError(`invalid ${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

interface ProposalFile {
  messages?: unknown[];
  metadata?: string;
  deposit?: string;
  title?: string;
  summary?: string;
}

/** The proposal file as a MsgSubmitProposal; the proposer is the signing key, filled when the tx is built. */
async function readProposal(path: string): Promise<MsgSubmitProposal> {
  let file: ProposalFile;
  try {
    file = JSON.parse(await readFile(path, "utf8")) as ProposalFile;
  } catch (err) {
    throw new CliError(`cannot read proposal file ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof file.title !== "string" || typeof file.summary !== "string") throw new CliError(`${path}: "title" and "summary" are required`);
  return MsgSubmitProposal.fromPartial({
    messages: (file.messages ?? []).map((m, i) => messageFromJson(registry, m, `messages[${i}]`)),
    initialDeposit: file.deposit ? coinsArg(file.deposit, `${path}: deposit`) : [],
    metadata: file.metadata ?? "",
    title: file.title,
    summary: file.summary,
  });
}

/** Signs and broadcasts one gov message from --from and prints the result (plus `extra` from the block). */
async function govTx(flags: Flags, build: (signer: string) => EncodeObject, summary: string, extra?: (node: NodeConnection, hash: string) => Promise<Record<string, string>>): Promise<number> {
  const format = outputFormat(flags);
  return withNode(flags, async (node) => {
    const { hash, result } = await signAndSend(flags, node, (signer) => [build(signer)], summary);
    if (!result) printResult(format, { txhash: hash, code: 0 });
    else printResult(format, { ...result, ...(extra ? await extra(node, hash) : {}) });
    return 0;
  });
}

const txGovOptions: OptionSpec = { ...txOptions, ...fromOption };

const submitProposal: Command = {
  name: "tx gov submit-proposal",
  summary: "Submit a proposal from a JSON file: {messages: [{\"@type\": …}], deposit, title, summary, metadata}",
  usage: "<proposal.json> --from <key>",
  options: txGovOptions,
  async run({ positionals, flags }) {
    const [path, ...extra] = positionals;
    if (!path || extra.length > 0) throw new CliError("usage: tx gov submit-proposal <proposal.json> --from <key>");
    const msg = await readProposal(path);
    return govTx(flags, (signer) => ({ typeUrl: "/cosmos.gov.v1.MsgSubmitProposal", value: { ...msg, proposer: signer } }), `submit proposal '${msg.title}' with ${msg.messages.length} message(s)`, async (node, hash) => ({
      proposal_id: MsgSubmitProposalResponse.decode(await firstMsgResponse(node, hash)).proposalId.toString(),
    }));
  },
};

const deposit: Command = {
  name: "tx gov deposit",
  summary: "Deposit tokens on a proposal in its deposit or voting period",
  usage: "<proposal-id> <amount> --from <key>",
  options: txGovOptions,
  async run({ positionals, flags }) {
    const [idText, amountText, ...extra] = positionals;
    if (!amountText || extra.length > 0) throw new CliError("usage: tx gov deposit <proposal-id> <amount> --from <key>");
    const proposalId = proposalIdArg(idText);
    const amount = coinsArg(amountText, "<amount>");
    return govTx(flags, (depositor) => ({ typeUrl: "/cosmos.gov.v1.MsgDeposit", value: MsgDeposit.fromPartial({ proposalId, depositor, amount }) }), `deposit ${amountText} on proposal ${proposalId}`);
  },
};

const vote: Command = {
  name: "tx gov vote",
  summary: "Vote on a proposal in its voting period: yes, no, abstain or no_with_veto",
  usage: "<proposal-id> <yes|no|abstain|no_with_veto> --from <key>",
  options: txGovOptions,
  async run({ positionals, flags }) {
    const [idText, optionText, ...extra] = positionals;
    if (!optionText || extra.length > 0) throw new CliError("usage: tx gov vote <proposal-id> <yes|no|abstain|no_with_veto> --from <key>");
    const proposalId = proposalIdArg(idText);
    const option = voteOption(optionText);
    return govTx(flags, (voter) => ({ typeUrl: "/cosmos.gov.v1.MsgVote", value: MsgVote.fromPartial({ proposalId, voter, option }) }), `vote ${optionText} on proposal ${proposalId}`);
  },
};

const weightedVote: Command = {
  name: "tx gov weighted-vote",
  summary: "Split a vote between options; weights are decimals that sum to exactly 1",
  usage: "<proposal-id> yes=0.6,no=0.4 --from <key>",
  options: txGovOptions,
  async run({ positionals, flags }) {
    const [idText, spec, ...extra] = positionals;
    if (!spec || extra.length > 0) throw new CliError("usage: tx gov weighted-vote <proposal-id> yes=0.6,no=0.4 --from <key>");
    const proposalId = proposalIdArg(idText);
    const options = spec.split(",").map((part) => {
      const [name, weight] = part.split("=");
      if (!name || !weight || !/^[0-9]+(\.[0-9]{1,18})?$/.test(weight)) throw new CliError(`invalid weighted option '${part}': expected option=weight, e.g. yes=0.6`);
      return { option: voteOption(name), weight };
    });
    return govTx(flags, (voter) => ({ typeUrl: "/cosmos.gov.v1.MsgVoteWeighted", value: MsgVoteWeighted.fromPartial({ proposalId, voter, options }) }), `weighted vote ${spec} on proposal ${proposalId}`);
  },
};

/** A gov v1 query printed in its LCD JSON. */
function govQuery<Req, Res extends object>(
  name: string,
  summary: string,
  usage: string,
  method: string,
  codecs: { request: { encode(r: Req): { finish(): Uint8Array } }; response: { decode(b: Uint8Array): Res; toJSON?(m: Res): unknown } },
  request: (positionals: string[], flags: Flags) => Req,
  extraOptions: OptionSpec = {},
): Command {
  return {
    name: `q gov ${name}`,
    summary,
    usage,
    options: { ...queryOptions, ...extraOptions },
    async run({ positionals, flags }) {
      const req = request(positionals, flags);
      const format = outputFormat(flags);
      return withNode(flags, async (node) => {
        const res = await abciQuery(node, `/cosmos.gov.v1.Query/${method}`, codecs.request.encode(req).finish(), (b) => codecs.response.decode(b));
        printResult(format, messageJson(res, codecs.response));
        return 0;
      });
    },
  };
}

function idOnly(positionals: string[], usage: string): bigint {
  if (positionals.length !== 1) throw new CliError(`usage: ${usage}`);
  return proposalIdArg(positionals[0]);
}

const page = { key: new Uint8Array(), offset: 0n, limit: 1000n, countTotal: false, reverse: false };
const optionalAddress = (flags: Flags, name: string) => {
  const text = stringFlag(flags, name, "");
  if (text !== "") {
    try {
      parseAccountAddress(text, `--${name}`);
    } catch (err) {
      throw new CliError(err instanceof Error ? err.message : String(err));
    }
  }
  return text;
};
const STATUS_FLAG: Readonly<Record<string, number>> = { deposit_period: 1, voting_period: 2, passed: 3, rejected: 4, failed: 5 };

const govQueries: Command[] = [
  govQuery("proposals", "Proposals (up to 1000), optionally by --status, --voter or --depositor", "[--status deposit_period|voting_period|passed|rejected|failed] [--voter addr] [--depositor addr]", "Proposals", { request: q1.QueryProposalsRequest, response: q1.QueryProposalsResponse }, (positionals, flags) => {
    if (positionals.length > 0) throw new CliError("usage: q gov proposals [--status …] [--voter …] [--depositor …]");
    const statusText = stringFlag(flags, "status", "");
    const status = statusText === "" ? 0 : STATUS_FLAG[statusText];
    if (status === undefined) throw new CliError(`invalid --status '${statusText}': expected ${Object.keys(STATUS_FLAG).join(", ")}`);
    return { proposalStatus: status, voter: optionalAddress(flags, "voter"), depositor: optionalAddress(flags, "depositor"), pagination: page };
  }, { status: { type: "string", description: "only proposals in this status" }, voter: { type: "string", description: "only proposals this address voted on" }, depositor: { type: "string", description: "only proposals this address deposited on" } }),
  govQuery("proposal", "One proposal: status, messages, deposits total, times, final tally", "<proposal-id>", "Proposal", { request: q1.QueryProposalRequest, response: q1.QueryProposalResponse }, (p) => ({ proposalId: idOnly(p, "q gov proposal <proposal-id>") })),
  govQuery("votes", "Votes on a proposal in its voting period", "<proposal-id>", "Votes", { request: q1.QueryVotesRequest, response: q1.QueryVotesResponse }, (p) => ({ proposalId: idOnly(p, "q gov votes <proposal-id>"), pagination: page })),
  govQuery("tally", "A proposal's tally: live while voting, final after", "<proposal-id>", "TallyResult", { request: q1.QueryTallyResultRequest, response: q1.QueryTallyResultResponse }, (p) => ({ proposalId: idOnly(p, "q gov tally <proposal-id>") })),
  govQuery("deposits", "Deposits on a proposal that are not yet refunded or burned", "<proposal-id>", "Deposits", { request: q1.QueryDepositsRequest, response: q1.QueryDepositsResponse }, (p) => ({ proposalId: idOnly(p, "q gov deposits <proposal-id>"), pagination: page })),
  govQuery("params", "Gov parameters (min deposit, periods, quorum, thresholds)", "", "Params", { request: q1.QueryParamsRequest, response: q1.QueryParamsResponse }, (p) => {
    if (p.length > 0) throw new CliError("usage: q gov params");
    return { paramsType: "" };
  }),
];

/** Every `ogpud tx gov …` and `ogpud q gov …` command. */
export const govCommands: Command[] = [submitProposal, deposit, vote, weightedVote, ...govQueries];
