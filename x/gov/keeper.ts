import { ProposalStatus, type Proposal, type WeightedVoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { GOV_MODULE_NAME, govAuthority } from "../../app/authority.js";
import { amountOf, BASE_DENOM, coinsFromWire, type Coin } from "../../app/coins.js";
import type { Context } from "../../app/context.js";
import { moduleAddress, parseAccountAddress } from "../../app/address.js";
import type { MsgRouter } from "../../app/msg-router.js";
import { bpsOf } from "../../app/store/values.js";
import type { KVStore } from "../../app/store/kvstore.js";
import type { AuthKeeper } from "../auth/keeper.js";
import type { BankKeeper } from "../bank/keeper.js";
import { govError, GovCode } from "./errors.js";
import { emitActive, emitDeposit, emitInactive, emitSubmitProposal, emitVote, emitVotingStarted, ProposalResult } from "./events.js";
import { executeMessages, checkProposalMessages } from "./execute.js";
import { govParams, type GovParams } from "./params.js";
import * as store from "./store.js";
import { computeTally, decide, tallyResult, type Tally, type TallyStaking } from "./tally.js";

export { getProposal, getDeposit, getVote, deposits, votes } from "./store.js";

/** What x/gov calls: bank for deposits, staking for the tally, the app's router to execute passed proposals. */
export interface GovDeps {
  auth: Pick<AuthKeeper, "ensureModuleAccount">;
  bank: Pick<BankKeeper, "sendToModule" | "sendFromModule" | "burnCoins" | "getBalance">;
  staking: TallyStaking;
  router: MsgRouter;
}

export interface NewProposal {
  messages: Any[];
  initialDeposit: Coin[];
  proposer: string;
  metadata: string;
  title: string;
  summary: string;
}

export interface GovKeeper {
  params(store: KVStore): GovParams;
  submitProposal(ctx: Context, p: NewProposal): bigint;
  deposit(ctx: Context, id: bigint, depositor: string, amount: Coin[]): void;
  vote(ctx: Context, id: bigint, voter: string, options: WeightedVoteOption[]): void;
  /** The tally a voting proposal would get now (queries); bounded by max_votes_per_proposal. */
  liveTally(store: KVStore, id: bigint): Tally;
  /** Settles the proposals whose deposit or voting period ended, at most max_proposals_per_block. */
  endBlock(ctx: Context): void;
}

const ts = (seconds: bigint) => ({ seconds, nanos: 0 });
const uogpu = (coins: readonly { denom: string; amount: string | bigint }[]) => amountOf(coins, BASE_DENOM);
const asCoins = (amount: bigint) => (amount === 0n ? [] : [{ denom: BASE_DENOM, amount: amount.toString() }]);

/** Deposits are uogpu only: the min deposit, refunds and burns are counted in it. */
function depositAmount(coins: readonly Coin[]): bigint {
  for (const c of coins) {
    if (c.denom !== BASE_DENOM) throw govError(GovCode.InvalidDepositDenom, `deposited ${c.amount}${c.denom}, but gov accepts only ${BASE_DENOM}: invalid deposit denom`);
  }
  return uogpu(coins);
}

function requireProposal(s: KVStore, id: bigint): Proposal {
  const p = store.getProposal(s, id);
  if (!p) throw govError(GovCode.UnknownProposal, `proposal ${id} does not exist: unknown proposal`);
  return p;
}

export function createGovKeeper(deps: GovDeps): GovKeeper {
  const { bank, staking, router } = deps;

  function activate(ctx: Context, p: Proposal, params: GovParams): void {
    store.dequeue(ctx.store, store.INACTIVE_QUEUE, p.depositEndTime!.seconds, p.id);
    const end = ctx.block.timeSeconds + BigInt(params.voting_period_seconds);
    p.status = ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD;
    p.votingStartTime = ts(ctx.block.timeSeconds);
    p.votingEndTime = ts(end);
    store.enqueue(ctx.store, store.ACTIVE_QUEUE, end, p.id);
  }

  /** Adds a deposit; returns true when it opened the voting period. */
  function addDeposit(ctx: Context, p: Proposal, depositor: string, amount: bigint): boolean {
    const params = govParams.get(ctx.store);
    const minSingle = bpsOf(BigInt(params.min_deposit), params.min_deposit_bps);
    if (amount < minSingle) throw govError(GovCode.MinDepositTooSmall, `deposit ${amount}${BASE_DENOM} is below the smallest accepted deposit ${minSingle}${BASE_DENOM} (min_deposit_bps ${params.min_deposit_bps}): minimum deposit is too small`);
    const previous = store.getDeposit(ctx.store, p.id, depositor);
    if (!previous && store.depositorCount(ctx.store, p.id) >= BigInt(params.max_depositors_per_proposal)) {
      throw govError(GovCode.ProposalFull, `proposal ${p.id} already has ${params.max_depositors_per_proposal} depositors (max_depositors_per_proposal)`);
    }
    // The gov account itself (a proposal's message signed by gov) can't deposit: its funds are other people's deposits.
    if (depositor === govAuthority()) throw govError(GovCode.InvalidProposer, `the gov module account cannot deposit: it holds other proposals' deposits`);
    bank.sendToModule(ctx, parseAccountAddress(depositor, "depositor"), GOV_MODULE_NAME, [{ denom: BASE_DENOM, amount }]);
    store.addHeldDeposits(ctx.store, amount);
    store.setDeposit(ctx.store, { proposalId: p.id, depositor, amount: asCoins(uogpu(previous?.amount ?? []) + amount) });
    const total = uogpu(p.totalDeposit) + amount;
    p.totalDeposit = asCoins(total);
    emitDeposit(ctx.events, p.id, depositor, [{ denom: BASE_DENOM, amount }]);
    if (p.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD && total >= BigInt(params.min_deposit)) {
      activate(ctx, p, params);
      return true;
    }
    return false;
  }

  function submitProposal(ctx: Context, n: NewProposal): bigint {
    const params = govParams.get(ctx.store);
    if (n.title.length > params.max_title_length) throw govError(GovCode.InvalidProposal, `title is ${n.title.length} characters, the limit is ${params.max_title_length} (max_title_length)`);
    if (n.summary.length > params.max_summary_length) throw govError(GovCode.SummaryTooLong, `summary is ${n.summary.length} characters, the limit is ${params.max_summary_length}: summary too long`);
    if (n.metadata.length > params.max_metadata_length) throw govError(GovCode.MetadataTooLong, `metadata is ${n.metadata.length} characters, the limit is ${params.max_metadata_length}: metadata too long`);
    if (n.messages.length > params.max_messages) throw govError(GovCode.InvalidProposal, `proposal carries ${n.messages.length} messages, the limit is ${params.max_messages} (max_messages)`);
    // Proposals pay now for the messages they will run: each one's own gas, as a tx would.
    const types = checkProposalMessages(router, n.messages, (gas, what) => ctx.gas.consume(gas, what));
    const initial = depositAmount(n.initialDeposit);
    const minInitial = bpsOf(BigInt(params.min_deposit), params.min_initial_deposit_bps);
    if (initial < minInitial) throw govError(GovCode.MinDepositTooSmall, `initial deposit ${initial}${BASE_DENOM} is below ${minInitial}${BASE_DENOM} (min_initial_deposit_bps ${params.min_initial_deposit_bps}): minimum deposit is too small`);

    const id = store.proposalIds.take(ctx.store);
    const depositEnd = ctx.block.timeSeconds + BigInt(params.max_deposit_period_seconds);
    const p: Proposal = {
      id, messages: n.messages, status: ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD, finalTallyResult: undefined,
      submitTime: ts(ctx.block.timeSeconds), depositEndTime: ts(depositEnd), totalDeposit: [], votingStartTime: undefined, votingEndTime: undefined,
      metadata: n.metadata, title: n.title, summary: n.summary, proposer: n.proposer, expedited: false, failedReason: "",
    };
    store.enqueue(ctx.store, store.INACTIVE_QUEUE, depositEnd, id);
    emitSubmitProposal(ctx.events, id, types, n.proposer);
    if (initial > 0n && addDeposit(ctx, p, n.proposer, initial)) emitVotingStarted(ctx.events, "submit_proposal", id);
    store.putProposal(ctx.store, p);
    return id;
  }

  function deposit(ctx: Context, id: bigint, depositor: string, coins: Coin[]): void {
    const p = requireProposal(ctx.store, id);
    if (p.status !== ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD && p.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) {
      throw govError(GovCode.InactiveProposal, `proposal ${id} is no longer open for deposits: inactive proposal`);
    }
    if (addDeposit(ctx, p, depositor, depositAmount(coins))) emitVotingStarted(ctx.events, "proposal_deposit", id);
    store.putProposal(ctx.store, p);
  }

  function vote(ctx: Context, id: bigint, voter: string, options: WeightedVoteOption[]): void {
    const p = requireProposal(ctx.store, id);
    if (p.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) throw govError(GovCode.InactiveProposal, `proposal ${id} is not in its voting period: inactive proposal`);
    // A proposal whose end is due but not yet settled (per-block bound) takes no more votes.
    if (ctx.block.timeSeconds >= p.votingEndTime!.seconds) throw govError(GovCode.VotingPeriodEnded, `proposal ${id}'s voting period ended at ${p.votingEndTime!.seconds}: voting period already ended`);
    const address = parseAccountAddress(voter, "voter");
    // A voter without stake would count nothing; refusing it keeps the voter cap for stakers.
    if (staking.delegationsOf(ctx.store, address)[Symbol.iterator]().next().done) {
      throw govError(GovCode.InvalidVote, `${voter} has no delegation, so its vote would carry no weight: invalid vote`);
    }
    const params = govParams.get(ctx.store);
    if (!store.getVote(ctx.store, id, voter) && store.voterCount(ctx.store, id) >= BigInt(params.max_votes_per_proposal)) {
      throw govError(GovCode.ProposalFull, `proposal ${id} already has ${params.max_votes_per_proposal} voters (max_votes_per_proposal)`);
    }
    store.setVote(ctx.store, { proposalId: id, voter, options, metadata: "" });
    emitVote(ctx.events, id, voter, options);
  }

  function settleDeposits(ctx: Context, p: Proposal, burn: boolean): void {
    const total = uogpu(p.totalDeposit);
    if (burn && total > 0n) bank.burnCoins(ctx, GOV_MODULE_NAME, [{ denom: BASE_DENOM, amount: total }]);
    if (!burn) {
      for (const d of store.deposits(ctx.store, p.id)) {
        bank.sendFromModule(ctx, GOV_MODULE_NAME, parseAccountAddress(d.depositor), coinsFromWire(d.amount));
      }
    }
    store.addHeldDeposits(ctx.store, -total);
    store.deleteDeposits(ctx.store, p.id);
  }

  function endDepositPeriod(ctx: Context, p: Proposal): void {
    settleDeposits(ctx, p, govParams.get(ctx.store).burn_proposal_deposit_prevote);
    store.deleteProposal(ctx.store, p);
    emitInactive(ctx.events, p.id);
  }

  /**
   * A passed proposal's messages run as the gov account, which also holds every open
   * proposal's deposits: whatever they do (a MsgSend from gov, a delegation, a task escrow),
   * the account must still hold what it owes depositors, or the execution fails.
   */
  function keepsDeposits(branch: KVStore): string | undefined {
    const balance = bank.getBalance(branch, moduleAddress(GOV_MODULE_NAME), BASE_DENOM);
    const held = store.heldDeposits(branch);
    return balance >= held ? undefined : `the messages would leave the gov account with ${balance}${BASE_DENOM}, below the ${held}${BASE_DENOM} it holds for open proposals' deposits`;
  }

  function endVotingPeriod(ctx: Context, p: Proposal): void {
    const params = govParams.get(ctx.store);
    const t = computeTally(ctx.store, staking, store.votes(ctx.store, p.id));
    const outcome = decide(t, params);
    settleDeposits(ctx, p, (outcome === "no_quorum" && params.burn_vote_quorum) || (outcome === "vetoed" && params.burn_vote_veto));
    store.deleteVotes(ctx.store, p.id);
    p.finalTallyResult = tallyResult(t.counts);
    let result: string = ProposalResult.Rejected;
    let log: string = outcome;
    if (outcome === "passed") {
      const failure = executeMessages(ctx, router, p.messages, (branch) => keepsDeposits(branch));
      p.status = failure === undefined ? ProposalStatus.PROPOSAL_STATUS_PASSED : ProposalStatus.PROPOSAL_STATUS_FAILED;
      p.failedReason = failure ?? "";
      result = failure === undefined ? ProposalResult.Passed : ProposalResult.Failed;
      log = failure ?? "passed";
    } else {
      p.status = ProposalStatus.PROPOSAL_STATUS_REJECTED;
    }
    store.putProposal(ctx.store, p);
    emitActive(ctx.events, p.id, result, log);
  }

  function endBlock(ctx: Context): void {
    const now = ctx.block.timeSeconds;
    let budget = govParams.get(ctx.store).max_proposals_per_block;
    for (const { endSeconds, id } of store.ended(ctx.store, store.INACTIVE_QUEUE, now, budget)) {
      store.dequeue(ctx.store, store.INACTIVE_QUEUE, endSeconds, id);
      endDepositPeriod(ctx, requireProposal(ctx.store, id));
      budget--;
    }
    if (budget <= 0) return;
    for (const { endSeconds, id } of store.ended(ctx.store, store.ACTIVE_QUEUE, now, budget)) {
      store.dequeue(ctx.store, store.ACTIVE_QUEUE, endSeconds, id);
      endVotingPeriod(ctx, requireProposal(ctx.store, id));
    }
  }

  function liveTally(s: KVStore, id: bigint): Tally {
    return computeTally(s, staking, store.votes(s, id));
  }

  return { params: (s) => govParams.get(s), submitProposal, deposit, vote, liveTally, endBlock };
}
