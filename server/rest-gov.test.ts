/**
 * x/gov's LCD routes (v1 and v1beta1) against a real in-process chain: a param-change proposal
 * with a deposit and votes, rendered in the gateway's JSON shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { govAuthority } from "../app/authority.js";
import { expectOk, startTestChain, testKey, type TestChain } from "../app/testkit.js";
import { govParams } from "../x/gov/params.js";
import { marketParams } from "../x/market/params.js";
import { OGPU_MSG_TYPES } from "../proto/msg-types.js";
import { govParamsToWire } from "../x/gov/params-wire.js";
import { govGenesis, submitProposalMsg, updateGovParamsMsg, voteMsg, weightedVoteMsg } from "../x/gov/testing.js";
import { delegateMsg, gentx, OGPU, STAKING_CHAIN, testValidator } from "../x/staking/testing.js";
import { createNodeMetrics } from "./metrics.js";
import { createRestServer } from "./rest.js";

const validator = testValidator(51);
const delegator = testKey(52);
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

let chain: TestChain;
let rest: FastifyInstance;

beforeAll(async () => {
  chain = await startTestChain(govGenesis({ [validator.key.address]: 10_000n * OGPU, [delegator.address]: 10_000n * OGPU }, [gentx(validator, 300n * OGPU)]), STAKING_CHAIN);
  await chain.run();
  expectOk(await chain.run([chain.tx(delegator, [delegateMsg(delegator, validator.valoper, 100n * OGPU)])]));
  const wire = govParamsToWire(govParams.get(chain.app.store));
  const market = OGPU_MSG_TYPES.UpdateMarketParams;
  const marketUpdate = { typeUrl: market.typeUrl, value: market.codec.encode({ authority: govAuthority(), params: JSON.stringify({ ...marketParams.get(chain.app.store), market_fee_bps: 400 }) }).finish() };
  expectOk(await chain.run([chain.tx(delegator, [submitProposalMsg(delegator, 1000n, [updateGovParamsMsg({ ...wire, quorum: "0.400000000000000000" }), marketUpdate], { title: "Raise quorum" })])]));
  expectOk(await chain.run([
    chain.tx(validator.key, [voteMsg(validator.key, 1n, VoteOption.VOTE_OPTION_YES)]),
    chain.tx(delegator, [weightedVoteMsg(delegator, 1n, [{ option: VoteOption.VOTE_OPTION_NO, weight: "0.5" }, { option: VoteOption.VOTE_OPTION_ABSTAIN, weight: "0.5" }])]),
  ]));
  rest = await createRestServer({
    query: (req) => chain.app.query(req),
    metrics: createNodeMetrics(),
    health: () => ({ height: chain.height, appHash: new Uint8Array(32), chainId: "ogpu-test-1" }),
  });
});

afterAll(async () => {
  await rest?.close();
  await chain?.close();
});

async function ok(url: string): Promise<Record<string, unknown>> {
  const res = await rest.inject({ method: "GET", url });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Record<string, unknown>;
}

describe("gov LCD routes", () => {
  it("v1 proposal: messages as Any JSON, status by name, RFC 3339 times, live tally", async () => {
    const p = (await ok("/cosmos/gov/v1/proposals/1")).proposal as Record<string, unknown>;
    expect(p).toMatchObject({ id: "1", status: "PROPOSAL_STATUS_VOTING_PERIOD", title: "Raise quorum", proposer: delegator.address, total_deposit: [{ denom: "uogpu", amount: "1000" }] });
    expect((p.messages as Record<string, unknown>[])[0]).toMatchObject({ "@type": "/cosmos.gov.v1.MsgUpdateParams", authority: govAuthority() });
    expect((p.messages as Record<string, unknown>[])[1]).toMatchObject({ "@type": "/ogpu.market.v1.MsgUpdateParams", authority: govAuthority() });
    expect(p.voting_end_time).toMatch(RFC3339);
    expect(p.deposit_end_time).toMatch(RFC3339);
    // validator: 300 own; delegator's 100 split half no, half abstain (overriding the validator's yes).
    expect((await ok("/cosmos/gov/v1/proposals/1/tally")).tally).toEqual({ yes_count: "300000000", abstain_count: "50000000", no_count: "50000000", no_with_veto_count: "0" });
    expect((await ok("/cosmos/gov/v1beta1/proposals/1/tally")).tally).toEqual({ yes: "300000000", abstain: "50000000", no: "50000000", no_with_veto: "0" });
  });

  it("v1beta1 proposal shows TextProposal content; lists filter by status and voter", async () => {
    const p = (await ok("/cosmos/gov/v1beta1/proposals/1")).proposal as Record<string, unknown>;
    expect(p).toMatchObject({ proposal_id: "1", status: "PROPOSAL_STATUS_VOTING_PERIOD", content: { "@type": "/cosmos.gov.v1beta1.TextProposal", title: "Raise quorum" } });
    expect(((await ok("/cosmos/gov/v1/proposals?proposal_status=PROPOSAL_STATUS_VOTING_PERIOD")).proposals as unknown[]).length).toBe(1);
    expect(((await ok("/cosmos/gov/v1/proposals?proposal_status=PROPOSAL_STATUS_PASSED")).proposals as unknown[]).length).toBe(0);
    expect(((await ok(`/cosmos/gov/v1beta1/proposals?voter=${delegator.address}`)).proposals as unknown[]).length).toBe(1);
  });

  it("votes, deposits and params in both versions", async () => {
    const votes = (await ok("/cosmos/gov/v1beta1/proposals/1/votes")).votes as Record<string, unknown>[];
    expect(votes.find((v) => v.voter === delegator.address)).toMatchObject({ option: "VOTE_OPTION_UNSPECIFIED", options: [{ option: "VOTE_OPTION_NO", weight: "0.500000000000000000" }, { option: "VOTE_OPTION_ABSTAIN", weight: "0.500000000000000000" }] });
    expect((await ok(`/cosmos/gov/v1/proposals/1/votes/${validator.key.address}`)).vote).toMatchObject({ options: [{ option: "VOTE_OPTION_YES", weight: "1.000000000000000000" }] });
    expect((await ok(`/cosmos/gov/v1/proposals/1/deposits/${delegator.address}`)).deposit).toEqual({ proposal_id: "1", depositor: delegator.address, amount: [{ denom: "uogpu", amount: "1000" }] });
    expect((await ok("/cosmos/gov/v1/params/tallying")).params).toMatchObject({ quorum: "0.334000000000000000", threshold: "0.500000000000000000", voting_period: "5s", min_deposit: [{ denom: "uogpu", amount: "1000" }] });
    expect((await ok("/cosmos/gov/v1beta1/params/tallying")).tally_params).toEqual({ quorum: "0.334000000000000000", threshold: "0.500000000000000000", veto_threshold: "0.334000000000000000" });
    const missing = await rest.inject({ method: "GET", url: "/cosmos/gov/v1/proposals/9" });
    expect(missing.statusCode).toBe(404);
  });
});
