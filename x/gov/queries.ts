import { Deposit, ProposalStatus, Vote, type Proposal, type TallyResult } from "cosmjs-types/cosmos/gov/v1/gov";
import * as q1 from "cosmjs-types/cosmos/gov/v1/query";
import * as qb from "cosmjs-types/cosmos/gov/v1beta1/query";
import { invalidArgument, notFound } from "../../app/errors.js";
import { parseQueryAddress } from "../../app/address.js";
import { defineQuery, type QueryContext, type QueryMethod } from "../../app/module.js";
import { defineParamsJsonQuery } from "../../app/update-params.js";
import * as ogpuGovQuery from "../../proto/gen/ogpu/gov/v1/query.js";
import { paginateFiltered } from "../../app/pagination.js";
import type { PageRequest, PageResponse } from "../../proto/gen/ogpu/query/v1/pagination.js";
import type { GovKeeper } from "./keeper.js";
import { legacyDeposit, legacyProposal, legacyTally, legacyVote } from "./legacy.js";
import { govParamsToWire } from "./params-wire.js";
import { govParams } from "./params.js";
import { bpsDec } from "./params-wire.js";
import { depositPrefix, getDeposit, getProposal, getVote, proposalIdOfTail, proposalListPrefix, votePrefix } from "./store.js";
import { EMPTY_TALLY, tallyResult } from "./tally.js";

function requireProposal(ctx: QueryContext, id: bigint): Proposal {
  if (id === 0n) throw invalidArgument("proposal id can not be 0");
  const p = getProposal(ctx.store, id);
  if (!p) throw notFound(`proposal ${id} doesn't exist`);
  return p;
}

function proposalsPage(ctx: QueryContext, req: q1.QueryProposalsRequest | qb.QueryProposalsRequest): { proposals: Proposal[]; pagination: PageResponse } {
  const status = req.proposalStatus as number as ProposalStatus;
  if (ProposalStatus[status] === undefined || status === ProposalStatus.UNRECOGNIZED) throw invalidArgument(`invalid proposal status ${req.proposalStatus}`);
  if (req.voter !== "") parseQueryAddress(req.voter);
  if (req.depositor !== "") parseQueryAddress(req.depositor);
  const { items, pagination } = paginateFiltered(ctx.store, proposalListPrefix(status), req.pagination as PageRequest | undefined, (tail) => {
    const id = proposalIdOfTail(tail);
    if (req.voter !== "" && !getVote(ctx.store, id, req.voter)) return undefined;
    if (req.depositor !== "" && !getDeposit(ctx.store, id, req.depositor)) return undefined;
    return getProposal(ctx.store, id);
  });
  return { proposals: items, pagination };
}

/** The tally as it stands: live while voting (bounded by max_votes_per_proposal), final after, empty before. */
function currentTally(keeper: GovKeeper, ctx: QueryContext, p: Proposal): TallyResult {
  if (p.status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) return tallyResult(keeper.liveTally(ctx.store, p.id).counts);
  return p.finalTallyResult ?? EMPTY_TALLY;
}

const votesPage = (ctx: QueryContext, id: bigint, page: PageRequest | undefined) => paginateFiltered(ctx.store, votePrefix(id), page, (_, v) => Vote.decode(v));
const depositsPage = (ctx: QueryContext, id: bigint, page: PageRequest | undefined) => paginateFiltered(ctx.store, depositPrefix(id), page, (_, v) => Deposit.decode(v));

function requireVote(ctx: QueryContext, id: bigint, voter: string) {
  parseQueryAddress(voter);
  const v = getVote(ctx.store, id, voter);
  if (!v) throw notFound(`voter: ${voter} not found for proposal: ${id}`);
  return v;
}
function requireDeposit(ctx: QueryContext, id: bigint, depositor: string) {
  parseQueryAddress(depositor);
  const d = getDeposit(ctx.store, id, depositor);
  if (!d) throw notFound(`depositor: ${depositor} not found for proposal: ${id}`);
  return d;
}

const V1 = "/cosmos.gov.v1.Query/";
const BETA = "/cosmos.gov.v1beta1.Query/";

/** cosmos.gov.v1 and v1beta1 Query services over the same state (v1beta1 in its legacy shapes). */
export function govQueries(keeper: GovKeeper): QueryMethod[] {
  return [
    defineParamsJsonQuery(ogpuGovQuery.protobufPackage, govParams, { request: ogpuGovQuery.QueryParamsRequest, response: ogpuGovQuery.QueryParamsResponse }),
    defineQuery(V1 + "Proposal", { request: q1.QueryProposalRequest, response: q1.QueryProposalResponse }, (ctx, req) => ({ proposal: requireProposal(ctx, req.proposalId) })),
    defineQuery(BETA + "Proposal", { request: qb.QueryProposalRequest, response: qb.QueryProposalResponse }, (ctx, req) => ({ proposal: legacyProposal(requireProposal(ctx, req.proposalId)) })),
    defineQuery(V1 + "Proposals", { request: q1.QueryProposalsRequest, response: q1.QueryProposalsResponse }, (ctx, req) => proposalsPage(ctx, req)),
    defineQuery(BETA + "Proposals", { request: qb.QueryProposalsRequest, response: qb.QueryProposalsResponse }, (ctx, req) => {
      const { proposals, pagination } = proposalsPage(ctx, req);
      return { proposals: proposals.map(legacyProposal), pagination };
    }),
    defineQuery(V1 + "Vote", { request: q1.QueryVoteRequest, response: q1.QueryVoteResponse }, (ctx, req) => ({ vote: requireVote(ctx, req.proposalId, req.voter) })),
    defineQuery(BETA + "Vote", { request: qb.QueryVoteRequest, response: qb.QueryVoteResponse }, (ctx, req) => ({ vote: legacyVote(requireVote(ctx, req.proposalId, req.voter)) })),
    defineQuery(V1 + "Votes", { request: q1.QueryVotesRequest, response: q1.QueryVotesResponse }, (ctx, req) => {
      requireProposal(ctx, req.proposalId);
      const { items, pagination } = votesPage(ctx, req.proposalId, req.pagination as PageRequest | undefined);
      return { votes: items, pagination };
    }),
    defineQuery(BETA + "Votes", { request: qb.QueryVotesRequest, response: qb.QueryVotesResponse }, (ctx, req) => {
      requireProposal(ctx, req.proposalId);
      const { items, pagination } = votesPage(ctx, req.proposalId, req.pagination as PageRequest | undefined);
      return { votes: items.map(legacyVote), pagination };
    }),
    defineQuery(V1 + "Deposit", { request: q1.QueryDepositRequest, response: q1.QueryDepositResponse }, (ctx, req) => ({ deposit: requireDeposit(ctx, req.proposalId, req.depositor) })),
    defineQuery(BETA + "Deposit", { request: qb.QueryDepositRequest, response: qb.QueryDepositResponse }, (ctx, req) => ({ deposit: legacyDeposit(requireDeposit(ctx, req.proposalId, req.depositor)) })),
    defineQuery(V1 + "Deposits", { request: q1.QueryDepositsRequest, response: q1.QueryDepositsResponse }, (ctx, req) => {
      requireProposal(ctx, req.proposalId);
      const { items, pagination } = depositsPage(ctx, req.proposalId, req.pagination as PageRequest | undefined);
      return { deposits: items, pagination };
    }),
    defineQuery(BETA + "Deposits", { request: qb.QueryDepositsRequest, response: qb.QueryDepositsResponse }, (ctx, req) => {
      requireProposal(ctx, req.proposalId);
      const { items, pagination } = depositsPage(ctx, req.proposalId, req.pagination as PageRequest | undefined);
      return { deposits: items.map(legacyDeposit), pagination };
    }),
    defineQuery(V1 + "TallyResult", { request: q1.QueryTallyResultRequest, response: q1.QueryTallyResultResponse }, (ctx, req) => ({ tally: currentTally(keeper, ctx, requireProposal(ctx, req.proposalId)) })),
    defineQuery(BETA + "TallyResult", { request: qb.QueryTallyResultRequest, response: qb.QueryTallyResultResponse }, (ctx, req) => ({ tally: legacyTally(currentTally(keeper, ctx, requireProposal(ctx, req.proposalId))) })),
    defineQuery(V1 + "Params", { request: q1.QueryParamsRequest, response: q1.QueryParamsResponse }, (ctx) => {
      const w = govParamsToWire(govParams.get(ctx.store));
      // The deprecated per-part fields are still filled: older clients read them.
      return {
        params: w,
        depositParams: { minDeposit: w.minDeposit, maxDepositPeriod: w.maxDepositPeriod },
        votingParams: { votingPeriod: w.votingPeriod },
        tallyParams: { quorum: w.quorum, threshold: w.threshold, vetoThreshold: w.vetoThreshold },
      };
    }),
    defineQuery(BETA + "Params", { request: qb.QueryParamsRequest, response: qb.QueryParamsResponse }, (ctx, req) => {
      if (!["deposit", "voting", "tallying"].includes(req.paramsType)) throw invalidArgument(`${req.paramsType} is not a valid parameter type`);
      const p = govParams.get(ctx.store);
      const w = govParamsToWire(p);
      // v1beta1 TallyParams are LegacyDec bytes: the atomics' decimal text.
      const atomics = (bps: number) => new TextEncoder().encode(bpsDec(bps).replace(".", "").replace(/^0+(?=\d)/, ""));
      return {
        depositParams: { minDeposit: w.minDeposit, maxDepositPeriod: w.maxDepositPeriod! },
        votingParams: { votingPeriod: w.votingPeriod! },
        tallyParams: { quorum: atomics(p.quorum_bps), threshold: atomics(p.threshold_bps), vetoThreshold: atomics(p.veto_threshold_bps) },
      };
    }),
  ];
}
