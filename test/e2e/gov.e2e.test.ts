import { TEST_PORTS } from "../../testnet/ports.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet, type EncodeObject } from "@cosmjs/proto-signing";
import { calculateFee, GasPrice, QueryClient, setupBankExtension, setupGovExtension, SigningStargateClient, type GovExtension, type BankExtension } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { TextProposal, VoteOption as BetaVoteOption } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import { MsgDeposit as BetaMsgDeposit, MsgSubmitProposal as BetaMsgSubmitProposal, MsgVote as BetaMsgVote } from "cosmjs-types/cosmos/gov/v1beta1/tx";
import { ProposalStatus, VoteOption, type Params } from "cosmjs-types/cosmos/gov/v1/gov";
import { QueryParamsRequest, QueryParamsResponse } from "cosmjs-types/cosmos/gov/v1/query";
import { QuerySupplyOfRequest, QuerySupplyOfResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { MsgSubmitProposal, MsgUpdateParams, MsgVote } from "cosmjs-types/cosmos/gov/v1/tx";
import { MsgDelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { govAuthority } from "../../app/authority.js";
import { OGPU_MSG_TYPES } from "../../proto/msg-types.js";
import { runOgpud } from "../../cmd/ogpud/run.js";
import { portsFrom, waitForHeight } from "../../testnet/devnet.js";
import { createTestnet, startTestnetNode, stopTestnetNode, type Testnet, type TestnetNode } from "../../testnet/testnet.js";
import { rpcGet, until } from "./helpers.js";

/**
 * x/gov on a real 4-validator testnet with stock cosmjs: a v1beta1 text proposal and a v1
 * param-change proposal are deposited and voted by the four
 * validators, with a delegator overriding its validator's vote; tallies and statuses are read
 * through cosmjs' QueryClient gov extension and the LCD; the param change (gov's and x/market's
 * MsgUpdateParams in one proposal) shows in the modules' params; a proposal that misses quorum burns
 * its deposit. One vote and the tally also go through `ogpud tx/q gov`.
 */
const BASE_PORT = portsFrom(TEST_PORTS.gov.base).p2p;
const OGPU = 1_000_000n;
const SELF = 10_000n * OGPU;
const DELEGATED = 5_000n * OGPU;
const MIN_DEPOSIT = 2n * OGPU;
const VOTING_SECONDS = 20n;
const GAS_PRICE = GasPrice.fromString("0.001uogpu");
const FEE = calculateFee(600_000, GAS_PRICE);

let testnet: Testnet;
let query: QueryClient & GovExtension & BankExtension;
const clients = new Map<string, SigningStargateClient>();

beforeAll(async () => {
  testnet = await createTestnet({
    dir: mkdtempSync(join(tmpdir(), "ogpu-gov-e2e-")),
    validators: 4,
    basePort: BASE_PORT,
    blockTime: "200ms",
    genesisOverrides: (appState) => {
      appState.gov = { params: { min_deposit: MIN_DEPOSIT.toString(), max_deposit_period_seconds: 60, voting_period_seconds: Number(VOTING_SECONDS) } };
    },
  });
  for (const node of testnet.nodes) startTestnetNode(node);
  await waitForHeight(testnet.nodes[0]!.rpc, 2n, 60_000);
  query = QueryClient.withExtensions(await Comet38Client.connect(testnet.nodes[0]!.rpc), setupGovExtension, setupBankExtension);
}, 120_000);

afterAll(async () => {
  for (const c of clients.values()) c.disconnect();
  if (!testnet) return;
  for (const node of testnet.nodes) await stopTestnetNode(node);
  rmSync(testnet.dir, { recursive: true, force: true });
});

/** A stock cosmjs signing client for a mnemonic (one per account, so sequences stay in order). */
async function client(mnemonic: string): Promise<{ c: SigningStargateClient; address: string }> {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "ogpu" });
  const address = (await wallet.getAccounts())[0]!.address;
  let c = clients.get(address);
  if (!c) clients.set(address, (c = await SigningStargateClient.connectWithSigner(testnet.nodes[0]!.rpc, wallet, { gasPrice: GAS_PRICE, broadcastPollIntervalMs: 200 })));
  return { c, address };
}

async function send(mnemonic: string, build: (address: string) => EncodeObject[]): Promise<{ height: number; proposalId?: bigint }> {
  const { c, address } = await client(mnemonic);
  const res = await c.signAndBroadcast(address, build(address), FEE);
  expect(res.code, res.rawLog).toBe(0);
  const submitted = res.events.find((e) => e.type === "submit_proposal")?.attributes.find((a) => a.key === "proposal_id")?.value;
  return { height: res.height, proposalId: submitted === undefined ? undefined : BigInt(submitted) };
}

const coins = (amount: bigint) => [{ denom: "uogpu", amount: amount.toString() }];
const valoper = (node: TestnetNode) => toBech32("ogpuvaloper", fromBech32(node.account).data);
const vote = (id: bigint, option: VoteOption) => (voter: string): EncodeObject[] => [{ typeUrl: "/cosmos.gov.v1.MsgVote", value: MsgVote.fromPartial({ proposalId: id, voter, option }) }];

async function lcd<T>(path: string): Promise<T> {
  const res = await fetch(`${testnet.nodes[1]!.rest}${path}`);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

async function govParamsV1(): Promise<Params> {
  const res = await query.queryAbci("/cosmos.gov.v1.Query/Params", QueryParamsRequest.encode({ paramsType: "" }).finish());
  return QueryParamsResponse.decode(res.value).params!;
}

const finalStatus = (id: bigint) =>
  until(`proposal ${id} to leave its voting period`, async () => (await query.gov.proposal(Number(id))).proposal, (p) => p.status > ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, 60_000);

/** uogpu supply and the height it was read at. */
async function supply(): Promise<{ amount: bigint; height: bigint }> {
  const res = await query.queryAbci("/cosmos.bank.v1beta1.Query/SupplyOf", QuerySupplyOfRequest.encode({ denom: "uogpu" }).finish());
  return { amount: BigInt(QuerySupplyOfResponse.decode(res.value).amount.amount), height: BigInt(res.height ?? 0) };
}

type BlockEvents = { finalize_block_events: { type: string; attributes: { key: string; value: string }[] }[] };
/** Σ uogpu of one block-level event's amount attribute at a height (burns, mints). */
async function blockEventSum(height: bigint, type: string): Promise<bigint> {
  const results = await rpcGet<BlockEvents>(testnet.nodes[0]!.rpc, `block_results?height=${height}`);
  return (results.finalize_block_events ?? []).filter((e) => e.type === type).reduce((s, e) => s + BigInt((e.attributes.find((a) => a.key === "amount")?.value ?? "0uogpu").replace(/uogpu$/, "") || "0"), 0n);
}

/** The block whose EndBlock settled proposal `id` (block_search over the indexed active_proposal event). */
async function settledAt(id: bigint): Promise<bigint> {
  const found = await rpcGet<{ blocks: { block: { header: { height: string } } }[] }>(testnet.nodes[0]!.rpc, `block_search?query=${encodeURIComponent(`"active_proposal.proposal_id=${id}"`)}`);
  expect(found.blocks.length).toBe(1);
  return BigInt(found.blocks[0]!.block.header.height);
}

describe("x/gov on a 4-validator testnet (stock cosmjs)", () => {
  it("text + param-change proposals pass with a delegator overriding its validator; a failed quorum burns the deposit", async () => {
    const [n0, n1, n2, n3] = testnet.nodes as [TestnetNode, TestnetNode, TestnetNode, TestnetNode];
    const faucet = testnet.faucet.mnemonic;
    // The delegator (faucet) delegates to node0's validator: v0 = 10,000 own + 5,000 delegated.
    await send(faucet, (d) => [{ typeUrl: "/cosmos.staking.v1beta1.MsgDelegate", value: MsgDelegate.fromPartial({ delegatorAddress: d, validatorAddress: valoper(n0), amount: { denom: "uogpu", amount: DELEGATED.toString() } }) }]);

    // 1: v1beta1 text proposal (cosmjs defaultRegistryTypes), half the deposit; node1 adds the rest.
    const content = { typeUrl: "/cosmos.gov.v1beta1.TextProposal", value: TextProposal.encode({ title: "Adopt the oGPU charter", description: "Text only." }).finish() };
    const text = await send(n0.mnemonic, (p) => [{ typeUrl: "/cosmos.gov.v1beta1.MsgSubmitProposal", value: BetaMsgSubmitProposal.fromPartial({ content, initialDeposit: coins(MIN_DEPOSIT / 2n), proposer: p }) }]);
    const textId = text.proposalId!;
    expect((await query.gov.proposal(Number(textId))).proposal.status).toBe(ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD);
    await send(n1.mnemonic, (d) => [{ typeUrl: "/cosmos.gov.v1beta1.MsgDeposit", value: BetaMsgDeposit.fromPartial({ proposalId: textId, depositor: d, amount: coins(MIN_DEPOSIT / 2n) }) }]);

    // 2: v1 param change: the SDK-typed cosmos.gov.v1.MsgUpdateParams (quorum 0.334 → 0.4, voting period 20 s → 12 s).
    const before = await govParamsV1();
    const changed: Params = { ...before, quorum: "0.400000000000000000", votingPeriod: { seconds: 12n, nanos: 0 } };
    const update = { typeUrl: "/cosmos.gov.v1.MsgUpdateParams", value: MsgUpdateParams.encode({ authority: govAuthority(), params: changed }).finish() };
    // … and, in the same proposal, another module's: x/market's MsgUpdateParams (the whole set as JSON), fee 5 % → 4 %.
    const market = JSON.parse((await lcd<{ params_json: string }>("/ogpu/market/v1/params")).params_json) as Record<string, unknown>;
    expect(market.market_fee_bps).toBe(500);
    const marketType = OGPU_MSG_TYPES.UpdateMarketParams;
    const marketUpdate = { typeUrl: marketType.typeUrl, value: marketType.codec.encode({ authority: govAuthority(), params: JSON.stringify({ ...market, market_fee_bps: 400 }) }).finish() };
    const change = await send(n2.mnemonic, (p) => [{ typeUrl: "/cosmos.gov.v1.MsgSubmitProposal", value: MsgSubmitProposal.fromPartial({ messages: [update, marketUpdate], initialDeposit: coins(MIN_DEPOSIT), proposer: p, title: "Raise quorum, lower the market fee", summary: "quorum 40 %, 12 s voting, market fee 4 %" }) }]);
    const changeId = change.proposalId!;

    // 3: a proposal only node3 will vote on: 10,000 of 45,000 bonded = 22 % < 33.4 % quorum.
    const lonely = await send(n3.mnemonic, (p) => [{ typeUrl: "/cosmos.gov.v1.MsgSubmitProposal", value: MsgSubmitProposal.fromPartial({ messages: [], initialDeposit: coins(MIN_DEPOSIT), proposer: p, title: "Nobody cares", summary: "fails quorum" }) }]);
    const lonelyId = lonely.proposalId!;
    for (const id of [textId, changeId, lonelyId]) expect((await query.gov.proposal(Number(id))).proposal.status).toBe(ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);

    // Votes: v0 yes (but its delegator votes no), v1 yes, v2 no (v1beta1 MsgVote), v3 abstain through `ogpud tx gov vote`.
    await Promise.all([
      send(n0.mnemonic, (v) => [...vote(textId, VoteOption.VOTE_OPTION_YES)(v), ...vote(changeId, VoteOption.VOTE_OPTION_YES)(v)]),
      send(faucet, (v) => [...vote(textId, VoteOption.VOTE_OPTION_NO)(v), ...vote(changeId, VoteOption.VOTE_OPTION_NO)(v)]),
      send(n1.mnemonic, (v) => [...vote(textId, VoteOption.VOTE_OPTION_YES)(v), ...vote(changeId, VoteOption.VOTE_OPTION_YES)(v)]),
      send(n2.mnemonic, (v) => [{ typeUrl: "/cosmos.gov.v1beta1.MsgVote", value: BetaMsgVote.fromPartial({ proposalId: textId, voter: v, option: BetaVoteOption.VOTE_OPTION_NO }) }, ...vote(changeId, VoteOption.VOTE_OPTION_NO)(v)]),
      send(n3.mnemonic, (v) => vote(lonelyId, VoteOption.VOTE_OPTION_YES)(v)),
    ]);
    const cli = ["--home", n3.home, "--keyring-backend", "test", "--node", n3.rpc, "--from", "validator", "--fees", "1000uogpu", "--gas", "400000", "--yes", "-o", "json"];
    for (const id of [textId, changeId]) {
      const run = await runOgpud(["tx", "gov", "vote", id.toString(), "abstain", ...cli]);
      expect(run.code, run.stderr).toBe(0);
    }
    // Live tally while voting (cosmjs v1beta1 extension): v0 counts 10,000 yes, its delegator 5,000 no.
    const live = await query.gov.tally(Number(textId));
    expect(live.tally).toEqual({ yes: (2n * SELF).toString(), no: (SELF + DELEGATED).toString(), abstain: SELF.toString(), noWithVeto: "0" });

    const supplyBefore = await supply();
    for (const id of [textId, changeId, lonelyId]) await finalStatus(id);

    // Yes 20,000 of 35,000 non-abstain > 50 %: both pass.
    const textFinal = (await query.gov.proposal(Number(textId))).proposal;
    expect(textFinal.status).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
    expect(textFinal.finalTallyResult).toEqual({ yes: (2n * SELF).toString(), no: (SELF + DELEGATED).toString(), abstain: SELF.toString(), noWithVeto: "0" });
    const lcdText = await lcd<{ proposal: { status: string; final_tally_result: Record<string, string> } }>(`/cosmos/gov/v1/proposals/${textId}`);
    expect(lcdText.proposal.status).toBe("PROPOSAL_STATUS_PASSED");
    expect(lcdText.proposal.final_tally_result).toEqual({ yes_count: (2n * SELF).toString(), abstain_count: SELF.toString(), no_count: (SELF + DELEGATED).toString(), no_with_veto_count: "0" });
    const cliTally = await runOgpud(["q", "gov", "tally", changeId.toString(), "--node", n2.rpc, "-o", "json"]);
    expect(cliTally.code, cliTally.stderr).toBe(0);
    expect(JSON.parse(cliTally.stdout).tally).toMatchObject({ yes_count: (2n * SELF).toString() });

    // The param change ran in the EndBlock that closed its vote: every block after sees it.
    expect((await lcd<{ proposal: { status: string } }>(`/cosmos/gov/v1beta1/proposals/${changeId}`)).proposal.status).toBe("PROPOSAL_STATUS_PASSED");
    const passedAt = await settledAt(changeId);
    await waitForHeight(n1.rpc, passedAt + 1n, 30_000);
    const after = await lcd<{ params: { quorum: string; voting_period: string } }>("/cosmos/gov/v1/params/tallying");
    expect(after.params).toMatchObject({ quorum: "0.400000000000000000", voting_period: "12s" });
    expect((await govParamsV1()).quorum).toBe("0.400000000000000000");
    expect(JSON.parse((await lcd<{ params_json: string }>("/ogpu/market/v1/params")).params_json)).toMatchObject({ market_fee_bps: 400 });

    // Failed quorum: rejected, and the deposit burned — supply falls by exactly MIN_DEPOSIT (plus anything minted in that block).
    const lonelyFinal = (await query.gov.proposal(Number(lonelyId))).proposal;
    expect(lonelyFinal.status).toBe(ProposalStatus.PROPOSAL_STATUS_REJECTED);
    const burnedAt = await settledAt(lonelyId);
    expect(await blockEventSum(burnedAt, "burn")).toBe(MIN_DEPOSIT);
    // Supply between the two reads moved by that burn alone, net of whatever blocks minted (coinbase events).
    const supplyAfter = await supply();
    let minted = 0n;
    for (let h = supplyBefore.height + 1n; h <= supplyAfter.height; h++) minted += await blockEventSum(h, "coinbase");
    expect(supplyBefore.amount + minted - supplyAfter.amount).toBe(MIN_DEPOSIT);
    // The passed proposals' deposits went back: the gov account holds nothing.
    expect((await query.bank.balance(toBech32("ogpu", fromBech32(govAuthority()).data), "uogpu")).amount).toBe("0");
    // `ogpud tx gov submit-proposal` takes gaiad's JSON: here the LCD's own params JSON (snake_case, "12s") as a MsgUpdateParams.
    const lcdParams = (await lcd<{ params: Record<string, unknown> }>("/cosmos/gov/v1/params/voting")).params;
    const file = join(testnet.dir, "proposal.json");
    writeFileSync(file, JSON.stringify({ messages: [{ "@type": "/cosmos.gov.v1.MsgUpdateParams", authority: govAuthority(), params: { ...lcdParams, voting_period: "15s" } }], deposit: "100000uogpu", title: "From the CLI", summary: "voting 15 s" }));
    const submitted = await runOgpud(["tx", "gov", "submit-proposal", file, ...cli]);
    expect(submitted.code, submitted.stderr).toBe(0);
    const cliId = JSON.parse(submitted.stdout).proposal_id as string;
    const shown = await runOgpud(["q", "gov", "proposal", cliId, "--node", n0.rpc, "-o", "json"]);
    expect(JSON.parse(shown.stdout).proposal).toMatchObject({ status: "PROPOSAL_STATUS_DEPOSIT_PERIOD", messages: [{ "@type": "/cosmos.gov.v1.MsgUpdateParams", params: { voting_period: "15s", quorum: "0.400000000000000000" } }] });
  }, 180_000);
});
