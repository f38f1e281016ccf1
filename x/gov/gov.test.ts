import { afterEach, describe, expect, it } from "vitest";
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { QueryProposalRequest, QueryProposalResponse, QueryTallyResultRequest, QueryTallyResultResponse } from "cosmjs-types/cosmos/gov/v1beta1/query";
import { VoteOption as BetaVoteOption } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import { moduleAddress } from "../../app/address.js";
import { GOV_MODULE_NAME, govAuthority } from "../../app/authority.js";
import { eventsOf, expectOk, emptyBlocks, startTestChain, testKey, type TestChain, type TestKey } from "../../app/testkit.js";
import { getBalance, getSupply } from "../bank/keeper.js";
import { delegateMsg, gentx, OGPU, STAKING_CHAIN, testValidator } from "../staking/testing.js";
import { getDeposit, getProposal } from "./keeper.js";
import { govParams } from "./params.js";
import { govParamsToWire } from "./params-wire.js";
import { decide } from "./tally.js";
import { consAddressOf } from "../../app/validator-address.js";
import { getDelegation, getValidator } from "../staking/keeper.js";
import { depositMsg, govGenesis, legacyTextProposalMsg, legacyVoteMsg, sendMsgAny, submitProposalMsg, updateGovParamsMsg, voteMsg, weightedVoteMsg } from "./testing.js";

const v1 = testValidator(31);
const v2 = testValidator(32);
const carol = testKey(33);
const dave = testKey(34);
const FUNDS = 10_000n * OGPU;

let chain: TestChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

/** v1 has 100 OGPU self-bonded plus carol's 100, v2 300: 500 OGPU bonded. */
async function govChain(params: Record<string, unknown> = {}): Promise<TestChain> {
  const balances = { [v1.key.address]: FUNDS, [v2.key.address]: FUNDS, [carol.address]: FUNDS, [dave.address]: FUNDS };
  const c = await startTestChain(govGenesis(balances, [gentx(v1, 100n * OGPU), gentx(v2, 300n * OGPU)], params), STAKING_CHAIN);
  await c.run();
  expectOk(await c.run([c.tx(carol, [delegateMsg(carol, v1.valoper, 100n * OGPU)])]));
  return c;
}

const bal = (c: TestChain, address: Uint8Array) => getBalance(c.app.store, address, "uogpu");
const govBalance = (c: TestChain) => bal(c, moduleAddress(GOV_MODULE_NAME));
const status = (c: TestChain, id: bigint) => getProposal(c.app.store, id)?.status;

/** Submits a proposal fully deposited by `proposer`; returns its id (voting has started). */
async function openProposal(c: TestChain, messages = [] as Parameters<typeof submitProposalMsg>[2]): Promise<bigint> {
  const r = expectOk(await c.run([c.tx(dave, [submitProposalMsg(dave, 1000n, messages)])]));
  const id = BigInt(eventsOf(r.txResults[0]!.events, "submit_proposal")[0]!.proposal_id!);
  expect(status(c, id)).toBe(ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
  return id;
}

describe("x/gov lifecycle", () => {
  it("a text proposal goes deposit → voting → passed, deposits counted per depositor and refunded", async () => {
    chain = await govChain();
    const c = chain;
    const before = bal(c, dave.addressBytes);
    const r = expectOk(await c.run([c.tx(dave, [submitProposalMsg(dave, 300n)])]));
    expect(eventsOf(r.txResults[0]!.events, "submit_proposal")[0]).toMatchObject({ proposal_id: "1", proposal_messages: ",," });
    expect(status(c, 1n)).toBe(ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD);
    // Two deposits by one depositor add up in one record; the total counts each once.
    expectOk(await c.run([c.tx(carol, [depositMsg(carol, 1n, 200n)]), c.tx(dave, [depositMsg(dave, 1n, 100n)])]));
    expect(getDeposit(c.app.store, 1n, dave.address)!.amount).toEqual([{ denom: "uogpu", amount: "400" }]);
    expect(getProposal(c.app.store, 1n)!.totalDeposit).toEqual([{ denom: "uogpu", amount: "600" }]);
    expect(govBalance(c)).toBe(600n);
    const open = expectOk(await c.run([c.tx(carol, [depositMsg(carol, 1n, 400n)])]));
    expect(eventsOf(open.txResults[0]!.events, "proposal_deposit").some((e) => e.voting_period_start === "1")).toBe(true);
    expect(status(c, 1n)).toBe(ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    expectOk(await c.run([c.tx(v1.key, [voteMsg(v1.key, 1n, VoteOption.VOTE_OPTION_YES)]), c.tx(v2.key, [voteMsg(v2.key, 1n, VoteOption.VOTE_OPTION_YES)])]));
    await emptyBlocks(c, 5);
    const p = getProposal(c.app.store, 1n)!;
    expect(p.status).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
    expect(p.finalTallyResult).toEqual({ yesCount: "500000000", abstainCount: "0", noCount: "0", noWithVetoCount: "0" });
    expect(govBalance(c)).toBe(0n);
    expect(bal(c, dave.addressBytes)).toBe(before);
  });

  it("tally: a delegator's own vote overrides its validator's for its shares, exactly", async () => {
    chain = await govChain();
    const c = chain;
    const id = await openProposal(c);
    // v1 (200 bonded: 100 own + carol's 100) votes yes, carol no, v2 (300) no.
    expectOk(await c.run([c.tx(v1.key, [voteMsg(v1.key, id, VoteOption.VOTE_OPTION_YES)]), c.tx(carol, [voteMsg(carol, id, VoteOption.VOTE_OPTION_NO)]), c.tx(v2.key, [voteMsg(v2.key, id, VoteOption.VOTE_OPTION_NO)])]));
    const t = c.keepers.gov.liveTally(c.app.store, id);
    expect(t.totalBonded).toBe(500n * OGPU);
    expect(t.counts.yes).toBe(100n * OGPU * 10n ** 18n);
    expect(t.counts.no).toBe(400n * OGPU * 10n ** 18n);
    expect(decide(t, govParams.get(c.app.store))).toBe("rejected");
    // The same tally through cosmjs' v1beta1 gRPC path.
    const q = c.query("/cosmos.gov.v1beta1.Query/TallyResult", QueryTallyResultRequest.encode({ proposalId: id }).finish());
    expect(QueryTallyResultResponse.decode(q.value).tally).toEqual({ yes: "100000000", abstain: "0", no: "400000000", noWithVeto: "0" });
    await emptyBlocks(c, 5);
    expect(status(c, id)).toBe(ProposalStatus.PROPOSAL_STATUS_REJECTED);
    expect(govBalance(c)).toBe(0n); // rejected (no veto): refunded
  });

  it("tally: override math stays exact when a slash made tokens and shares differ", async () => {
    chain = await govChain();
    const c = chain;
    // Slash v1 by 33.33 %, then dave delegates 7 uogpu: v1's tokens per share is no longer a round number.
    await c.run([], { during: (ctx) => void c.keepers.staking.slash(ctx, consAddressOf(v1.consensusKey), ctx.block.height, 3333n) });
    expectOk(await c.run([c.tx(dave, [delegateMsg(dave, v1.valoper, 7n)])]));
    const id = await openProposal(c);
    expectOk(await c.run([c.tx(v1.key, [voteMsg(v1.key, id, VoteOption.VOTE_OPTION_YES)]), c.tx(carol, [voteMsg(carol, id, VoteOption.VOTE_OPTION_NO)])]));
    const s = c.app.store;
    const val = getValidator(s, v1.key.addressBytes)!;
    const [tokens, shares] = [BigInt(val.tokens), BigInt(val.delegatorShares)];
    const carolShares = BigInt(getDelegation(s, carol.addressBytes, v1.key.addressBytes)!.shares);
    const E = 10n ** 18n;
    // carol: her shares' worth; v1: every share not carol's (its own and dave's, who did not vote).
    const t = c.keepers.gov.liveTally(s, id);
    expect(t.counts.no).toBe((carolShares * tokens * E) / shares);
    expect(t.counts.yes).toBe(((shares - carolShares) * tokens * E) / shares);
    expect(tokens * E - (t.counts.yes + t.counts.no)).toBeLessThanOrEqual(1n); // one floor each, never more than the tokens
    expect(t.totalBonded).toBe(tokens + 300n * OGPU);
  });

  it("weighted votes split a voter's power; weights not summing to exactly 1 are refused", async () => {
    chain = await govChain();
    const c = chain;
    const id = await openProposal(c);
    const bad = await c.run([c.tx(v2.key, [weightedVoteMsg(v2.key, id, [{ option: VoteOption.VOTE_OPTION_YES, weight: "0.5" }, { option: VoteOption.VOTE_OPTION_NO, weight: "0.4" }])])]);
    expect(bad.txResults[0]).toMatchObject({ code: 7, codespace: "gov" });
    const dup = await c.run([c.tx(v2.key, [weightedVoteMsg(v2.key, id, [{ option: VoteOption.VOTE_OPTION_YES, weight: "0.5" }, { option: VoteOption.VOTE_OPTION_YES, weight: "0.5" }])])]);
    expect(dup.txResults[0]).toMatchObject({ code: 7, codespace: "gov" });
    expectOk(await c.run([c.tx(v2.key, [weightedVoteMsg(v2.key, id, [{ option: VoteOption.VOTE_OPTION_YES, weight: "0.25" }, { option: VoteOption.VOTE_OPTION_ABSTAIN, weight: "0.75" }])])]));
    const t = c.keepers.gov.liveTally(c.app.store, id);
    expect(t.counts.yes).toBe(75n * OGPU * 10n ** 18n);
    expect(t.counts.abstain).toBe(225n * OGPU * 10n ** 18n);
  });

  it("a vote after the voting period is refused; a stakeless voter is refused", async () => {
    chain = await govChain();
    const c = chain;
    const id = await openProposal(c);
    const none = await c.run([c.tx(dave, [voteMsg(dave, id, VoteOption.VOTE_OPTION_YES)])]);
    expect(none.txResults[0]).toMatchObject({ code: 7, codespace: "gov" });
    await emptyBlocks(c, 5);
    const late = await c.run([c.tx(v1.key, [voteMsg(v1.key, id, VoteOption.VOTE_OPTION_YES)])]);
    expect(late.txResults[0]).toMatchObject({ code: 3, codespace: "gov" });
  });

  it("EndBlock settles at most max_proposals_per_block; a due proposal left for the next block takes no more votes", async () => {
    chain = await govChain({ max_proposals_per_block: 1 });
    const c = chain;
    expectOk(await c.run([c.tx(dave, [submitProposalMsg(dave, 1000n)]), c.tx(carol, [submitProposalMsg(carol, 1000n)])]));
    expectOk(await c.run([c.tx(v2.key, [voteMsg(v2.key, 1n, VoteOption.VOTE_OPTION_YES), voteMsg(v2.key, 2n, VoteOption.VOTE_OPTION_YES)])]));
    while (status(c, 1n) === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) await c.run();
    // Both ended at the same time; only the oldest was settled in that block.
    expect(status(c, 1n)).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
    expect(status(c, 2n)).toBe(ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    const late = await c.run([c.tx(v1.key, [voteMsg(v1.key, 2n, VoteOption.VOTE_OPTION_NO)])]);
    expect(late.txResults[0]).toMatchObject({ code: 20, codespace: "gov" });
    expect(status(c, 2n)).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
  });

  it("failed quorum burns the deposit: supply falls by exactly the deposit", async () => {
    chain = await govChain();
    const c = chain;
    const supply = getSupply(c.app.store, "uogpu");
    const id = await openProposal(c);
    // carol alone: 100 of 500 bonded = 20 % < 33.4 %.
    expectOk(await c.run([c.tx(carol, [voteMsg(carol, id, VoteOption.VOTE_OPTION_YES)])]));
    await emptyBlocks(c, 5);
    expect(status(c, id)).toBe(ProposalStatus.PROPOSAL_STATUS_REJECTED);
    expect(getSupply(c.app.store, "uogpu")).toBe(supply - 1000n);
    expect(govBalance(c)).toBe(0n);
  });

  it("a deposit period that ends short refunds (burn_proposal_deposit_prevote false) and drops the proposal", async () => {
    chain = await govChain();
    const c = chain;
    const before = bal(c, dave.addressBytes);
    expectOk(await c.run([c.tx(dave, [submitProposalMsg(dave, 10n)])]));
    await emptyBlocks(c, 6);
    expect(getProposal(c.app.store, 1n)).toBeUndefined();
    expect(bal(c, dave.addressBytes)).toBe(before);
  });
});

describe("x/gov execution", () => {
  it("a passed param change runs through the router and takes effect in the same EndBlock", async () => {
    chain = await govChain();
    const c = chain;
    const wire = govParamsToWire(govParams.get(c.app.store));
    const id = await openProposal(c, [updateGovParamsMsg({ ...wire, quorum: "0.400000000000000000", votingPeriod: { seconds: 7n, nanos: 0 } })]);
    expectOk(await c.run([c.tx(v2.key, [voteMsg(v2.key, id, VoteOption.VOTE_OPTION_YES)])]));
    await emptyBlocks(c, 5);
    expect(status(c, id)).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
    expect(govParams.get(c.app.store)).toMatchObject({ quorum_bps: 4000, voting_period_seconds: 7 });
  });

  it("a passed proposal whose message fails is FAILED and changes nothing; the chain goes on", async () => {
    chain = await govChain();
    const c = chain;
    const wire = govParamsToWire(govParams.get(c.app.store));
    const before = govParams.get(c.app.store);
    // Valid at submit (decodes, gov signs), fails in the handler: quorum is finer than a basis point.
    const id = await openProposal(c, [updateGovParamsMsg({ ...wire, votingPeriod: { seconds: 9n, nanos: 0 } }), updateGovParamsMsg({ ...wire, quorum: "0.33333" })]);
    expectOk(await c.run([c.tx(v2.key, [voteMsg(v2.key, id, VoteOption.VOTE_OPTION_YES)])]));
    await emptyBlocks(c, 5);
    const p = getProposal(c.app.store, id)!;
    expect(p.status).toBe(ProposalStatus.PROPOSAL_STATUS_FAILED);
    expect(p.failedReason).toMatch(/message 1 .*quorum/);
    expect(govParams.get(c.app.store)).toEqual(before); // message 0's change rolled back too
    await emptyBlocks(c, 1);
  });

  it("a passed proposal can't spend other proposals' deposits the gov account holds (MsgSend or MsgDeposit as gov)", async () => {
    chain = await govChain({ max_deposit_period_seconds: 60 });
    const c = chain;
    // Proposal 1 waits in its deposit period with carol's 500 held by the gov account.
    expectOk(await c.run([c.tx(carol, [submitProposalMsg(carol, 500n)])]));
    const gov = govAuthority();
    const id = await openProposal(c, [sendMsgAny(gov, dave.address, 500n)]);
    const nested = await openProposal(c, [depositMsg({ address: gov } as TestKey, 1n, 500n)]);
    expectOk(await c.run([c.tx(v2.key, [voteMsg(v2.key, id, VoteOption.VOTE_OPTION_YES), voteMsg(v2.key, nested, VoteOption.VOTE_OPTION_YES)])]));
    const daveBefore = bal(c, dave.addressBytes);
    await emptyBlocks(c, 5);
    const p = getProposal(c.app.store, id)!;
    expect(p.status).toBe(ProposalStatus.PROPOSAL_STATUS_FAILED);
    expect(p.failedReason).toMatch(/below the 1500uogpu it holds for open proposals' deposits/) // carol's 500 + the nested proposal's 1000;
    expect(getProposal(c.app.store, nested)!.failedReason).toMatch(/gov module account cannot deposit/);
    expect(bal(c, dave.addressBytes)).toBe(daveBefore + 2000n); // only dave's own refunded deposits
    expect(govBalance(c)).toBe(500n);
    expect(getDeposit(c.app.store, 1n, carol.address)!.amount).toEqual([{ denom: "uogpu", amount: "500" }]);
  });

  it("a message whose signer isn't the gov account, or that no module routes, is refused at submit", async () => {
    chain = await govChain();
    const c = chain;
    const steal = await c.run([c.tx(dave, [submitProposalMsg(dave, 1000n, [sendMsgAny(carol.address, dave.address, 1n)])])]);
    expect(steal.txResults[0]).toMatchObject({ code: 12, codespace: "gov" });
    const wire = govParamsToWire(govParams.get(c.app.store));
    const wrongAuthority = await c.run([c.tx(dave, [submitProposalMsg(dave, 1000n, [updateGovParamsMsg(wire, dave.address)])])]);
    expect(wrongAuthority.txResults[0]).toMatchObject({ code: 12, codespace: "gov" });
    const unknown = await c.run([c.tx(dave, [submitProposalMsg(dave, 1000n, [{ typeUrl: "/nope.v1.MsgNothing", value: new Uint8Array() }])])]);
    expect(unknown.txResults[0]).toMatchObject({ code: 10, codespace: "gov" });
    expect(govBalance(c)).toBe(0n);
  });

  it("huge proposals are bounded: too many messages, too long a title, summary or metadata", async () => {
    chain = await govChain();
    const c = chain;
    const wire = govParamsToWire(govParams.get(c.app.store));
    const many = await c.run([c.tx(dave, [submitProposalMsg(dave, 1000n, Array.from({ length: 17 }, () => updateGovParamsMsg(wire)))])]);
    expect(many.txResults[0]).toMatchObject({ code: 21, codespace: "gov" });
    const title = await c.run([c.tx(dave, [submitProposalMsg(dave, 1000n, [], { title: "t".repeat(141) })])]);
    expect(title.txResults[0]).toMatchObject({ code: 21, codespace: "gov" });
    const summary = await c.run([c.tx(dave, [submitProposalMsg(dave, 1000n, [], { summary: "s".repeat(10_001) })])]);
    expect(summary.txResults[0]!.code).not.toBe(0);
    const metadata = await c.run([c.tx(dave, [submitProposalMsg(dave, 1000n, [], { metadata: "m".repeat(300) })])]);
    expect(metadata.txResults[0]!.code).not.toBe(0);
    expect(getProposal(c.app.store, 1n)).toBeUndefined();
  });

  it("v1beta1: cosmjs' TextProposal and MsgVote work; other content is refused", async () => {
    chain = await govChain();
    const c = chain;
    expectOk(await c.run([c.tx(dave, [legacyTextProposalMsg(dave, 1000n, "Hello", "A text proposal")])]));
    expectOk(await c.run([c.tx(v2.key, [legacyVoteMsg(v2.key, 1n, BetaVoteOption.VOTE_OPTION_YES)])]));
    const q = QueryProposalResponse.decode(c.query("/cosmos.gov.v1beta1.Query/Proposal", QueryProposalRequest.encode({ proposalId: 1n }).finish()).value);
    expect(q.proposal.content?.typeUrl).toBe("/cosmos.gov.v1beta1.TextProposal");
    expect(q.proposal.status).toBe(2);
    await emptyBlocks(c, 5);
    expect(status(c, 1n)).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
  });
});
