/**
 * LCD routes of x/gov at the SDK's gRPC-gateway paths, v1 and v1beta1 (cosmjs' LCD clients and
 * explorers read both). Each route is one gov query method (x/gov/queries.ts).
 */
import { ProposalStatus } from "cosmjs-types/cosmos/gov/v1/gov";
import * as v1 from "cosmjs-types/cosmos/gov/v1/query";
import * as beta from "cosmjs-types/cosmos/gov/v1beta1/query";
import { defineRoute, fromPagination, fromPath, fromQuery, fromQueryEnum, parseUint64, queryMethod as q, type LcdRoute } from "./routes-table.js";

/** v1beta1 carries LegacyDecs as atomics (tally params, vote weights); v1's are text already and stay as they are. */
const render = { decimals: ["quorum", "threshold", "veto_threshold", "weight"] };
const STATUS_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(ProposalStatus).filter((e): e is [string, string] => /^\d+$/.test(e[0]) && typeof e[1] === "string"),
);

const proposalId = fromPath("proposal_id", "proposal id", parseUint64);
const voter = fromPath("voter", "voter address (ogpu1…)");
const depositor = fromPath("depositor", "depositor address (ogpu1…)");
const listFilters = {
  proposalStatus: fromQueryEnum("proposal_status", "only proposals in this status", STATUS_NAMES),
  voter: fromQuery("voter", "only proposals this address voted on"),
  depositor: fromQuery("depositor", "only proposals this address deposited on"),
  pagination: fromPagination,
};

export const govV1Routes: LcdRoute[] = [
  defineRoute({
    path: `/cosmos/gov/v1/params/{params_type}`,
    summary: "Gov parameters (v1; params_type deposit, voting or tallying — all are returned)",
    method: q("/cosmos.gov.v1.Query/Params", v1.QueryParamsRequest, v1.QueryParamsResponse),
    request: { paramsType: fromPath("params_type", "deposit, voting or tallying") },
    render: render,
  }),
  defineRoute({
    path: `/cosmos/gov/v1/proposals`,
    summary: "Proposals, filtered by status, voter or depositor (v1)",
    method: q("/cosmos.gov.v1.Query/Proposals", v1.QueryProposalsRequest, v1.QueryProposalsResponse),
    request: listFilters,
    render: { ...render, pageOf: "proposals" },
  }),
  defineRoute({
    path: `/cosmos/gov/v1/proposals/{proposal_id}`,
    summary: "One proposal (v1)",
    method: q("/cosmos.gov.v1.Query/Proposal", v1.QueryProposalRequest, v1.QueryProposalResponse),
    request: { proposalId },
    render: render,
  }),
  defineRoute({
    path: `/cosmos/gov/v1/proposals/{proposal_id}/deposits`,
    summary: "A proposal's deposits (v1)",
    method: q("/cosmos.gov.v1.Query/Deposits", v1.QueryDepositsRequest, v1.QueryDepositsResponse),
    request: { proposalId, pagination: fromPagination },
    render: { ...render, pageOf: "deposits" },
  }),
  defineRoute({
    path: `/cosmos/gov/v1/proposals/{proposal_id}/deposits/{depositor}`,
    summary: "One depositor's deposit on a proposal (v1)",
    method: q("/cosmos.gov.v1.Query/Deposit", v1.QueryDepositRequest, v1.QueryDepositResponse),
    request: { proposalId, depositor },
    render: render,
  }),
  defineRoute({
    path: `/cosmos/gov/v1/proposals/{proposal_id}/tally`,
    summary: "A proposal's tally: live while voting, final after (v1)",
    method: q("/cosmos.gov.v1.Query/TallyResult", v1.QueryTallyResultRequest, v1.QueryTallyResultResponse),
    request: { proposalId },
    render: render,
  }),
  defineRoute({
    path: `/cosmos/gov/v1/proposals/{proposal_id}/votes`,
    summary: "A voting proposal's votes (v1)",
    method: q("/cosmos.gov.v1.Query/Votes", v1.QueryVotesRequest, v1.QueryVotesResponse),
    request: { proposalId, pagination: fromPagination },
    render: { ...render, pageOf: "votes" },
  }),
  defineRoute({
    path: `/cosmos/gov/v1/proposals/{proposal_id}/votes/{voter}`,
    summary: "One voter's vote on a proposal (v1)",
    method: q("/cosmos.gov.v1.Query/Vote", v1.QueryVoteRequest, v1.QueryVoteResponse),
    request: { proposalId, voter },
    render: render,
  }),
];

export const govV1beta1Routes: LcdRoute[] = [
  defineRoute({
    path: `/cosmos/gov/v1beta1/params/{params_type}`,
    summary: "Gov parameters (v1beta1; params_type deposit, voting or tallying — all are returned)",
    method: q("/cosmos.gov.v1beta1.Query/Params", beta.QueryParamsRequest, beta.QueryParamsResponse),
    request: { paramsType: fromPath("params_type", "deposit, voting or tallying") },
    render: render,
  }),
  defineRoute({
    path: `/cosmos/gov/v1beta1/proposals`,
    summary: "Proposals, filtered by status, voter or depositor (v1beta1)",
    method: q("/cosmos.gov.v1beta1.Query/Proposals", beta.QueryProposalsRequest, beta.QueryProposalsResponse),
    request: listFilters,
    render: { ...render, pageOf: "proposals" },
  }),
  defineRoute({
    path: `/cosmos/gov/v1beta1/proposals/{proposal_id}`,
    summary: "One proposal (v1beta1)",
    method: q("/cosmos.gov.v1beta1.Query/Proposal", beta.QueryProposalRequest, beta.QueryProposalResponse),
    request: { proposalId },
    render: render,
  }),
  defineRoute({
    path: `/cosmos/gov/v1beta1/proposals/{proposal_id}/deposits`,
    summary: "A proposal's deposits (v1beta1)",
    method: q("/cosmos.gov.v1beta1.Query/Deposits", beta.QueryDepositsRequest, beta.QueryDepositsResponse),
    request: { proposalId, pagination: fromPagination },
    render: { ...render, pageOf: "deposits" },
  }),
  defineRoute({
    path: `/cosmos/gov/v1beta1/proposals/{proposal_id}/deposits/{depositor}`,
    summary: "One depositor's deposit on a proposal (v1beta1)",
    method: q("/cosmos.gov.v1beta1.Query/Deposit", beta.QueryDepositRequest, beta.QueryDepositResponse),
    request: { proposalId, depositor },
    render: render,
  }),
  defineRoute({
    path: `/cosmos/gov/v1beta1/proposals/{proposal_id}/tally`,
    summary: "A proposal's tally: live while voting, final after (v1beta1)",
    method: q("/cosmos.gov.v1beta1.Query/TallyResult", beta.QueryTallyResultRequest, beta.QueryTallyResultResponse),
    request: { proposalId },
    render: render,
  }),
  defineRoute({
    path: `/cosmos/gov/v1beta1/proposals/{proposal_id}/votes`,
    summary: "A voting proposal's votes (v1beta1)",
    method: q("/cosmos.gov.v1beta1.Query/Votes", beta.QueryVotesRequest, beta.QueryVotesResponse),
    request: { proposalId, pagination: fromPagination },
    render: { ...render, pageOf: "votes" },
  }),
  defineRoute({
    path: `/cosmos/gov/v1beta1/proposals/{proposal_id}/votes/{voter}`,
    summary: "One voter's vote on a proposal (v1beta1)",
    method: q("/cosmos.gov.v1beta1.Query/Vote", beta.QueryVoteRequest, beta.QueryVoteResponse),
    request: { proposalId, voter },
    render: render,
  }),
];
