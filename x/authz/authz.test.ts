import { afterEach, describe, expect, it } from "vitest";
import { QueryGranteeGrantsRequest, QueryGranteeGrantsResponse, QueryGranterGrantsRequest, QueryGranterGrantsResponse, QueryGrantsRequest, QueryGrantsResponse } from "cosmjs-types/cosmos/authz/v1beta1/query";
import { deliverContext, emptyBlocks, eventsOf, sendMsg, TX_FEE } from "../../app/testkit.js";
import { MemStore } from "../../app/store/kvstore.js";
import { MSG } from "../../sdk/registry.js";
import { MARKET_ESCROW, marketFixture, type MarketFixture } from "../market/fixture.js";
import { submitTaskMsg } from "../market/testing.js";
import { AuthzCode } from "./errors.js";
import { exportAuthzGenesis, initAuthzGenesis } from "./genesis.js";
import { authorizationFromAny, getGrant } from "./store.js";
import { execMsg, grantMsg, revokeMsg, submitTaskAuthorization } from "./testing.js";

let fx: MarketFixture | undefined;
afterEach(async () => {
  await fx?.chain.close();
  fx = undefined;
});

/** bid 1000 × 10 units × k 1: each submission escrows 10 000 uogpu. */
const TASK = { bid: 1000n };
const ESCROW = 10_000n;

/** The grantee's (f.other's) remaining SubmitTask grant from f.client, or undefined. */
function remaining(f: MarketFixture) {
  const res = f.chain.query("/cosmos.authz.v1beta1.Query/Grants", QueryGrantsRequest.encode({ granter: f.client.address, grantee: f.other.address, msgTypeUrl: "" }).finish());
  expect(res.code).toBe(0);
  const grant = QueryGrantsResponse.decode(res.value).grants[0];
  return grant && authorizationFromAny(grant.authorization);
}

async function granted(limit: bigint, maxTasks = 0n, expiration?: bigint): Promise<MarketFixture> {
  const f = await marketFixture();
  const [r] = await f.chain.block([f.client.tx([grantMsg(f.client.address, f.other.address, submitTaskAuthorization(limit, maxTasks), expiration)])]);
  expect(r!.log).toBe("");
  return f;
}

/** Everything a refused exec must leave untouched. */
const snapshot = (f: MarketFixture) => ({ client: f.balance(f.client.address), escrow: f.moduleBalance(MARKET_ESCROW), next: f.nextTaskId(), grant: remaining(f) });

describe("x/authz: SubmitTaskAuthorization", () => {
  it("a grantee submits tasks as the granter; each escrow comes off the spend limit, and a submission beyond it is refused with no state change", async () => {
    fx = await granted(25_000n);
    const f = fx;
    const clientBefore = f.balance(f.client.address);
    const first = f.nextTaskId();
    const [ok] = await f.chain.block([f.other.tx([execMsg(f.other.address, [submitTaskMsg(f.client.address, TASK), submitTaskMsg(f.client.address, TASK)])])]);
    expect(ok!.log).toBe("");
    expect(eventsOf(ok!.events, "authz_exec").map((e) => e.spent)).toEqual([String(ESCROW), String(ESCROW)]);
    expect(f.task(first).client).toBe(f.client.address);
    expect(f.balance(f.client.address)).toBe(clientBefore - 2n * ESCROW); // the grantee paid the fee
    expect(remaining(f)).toEqual(submitTaskAuthorization(5_000n));

    const before = snapshot(f);
    const [refused] = await f.chain.block([f.other.tx([execMsg(f.other.address, [submitTaskMsg(f.client.address, TASK)])])]);
    expect(refused!.codespace).toBe("authz");
    expect(refused!.code).toBe(AuthzCode.SpendLimitExceeded);
    expect(refused!.log).toContain("escrow 10000uogpu exceeds the grant's remaining spend limit 5000uogpu");
    expect(snapshot(f)).toEqual(before);
    expect(f.chain.app.brokenInvariants()).toEqual([]);
  });

  it("a multi-msg exec whose later submission breaks the limit leaves none of its tasks behind", async () => {
    fx = await granted(15_000n);
    const f = fx;
    const before = snapshot(f);
    const [r] = await f.chain.block([f.other.tx([execMsg(f.other.address, [submitTaskMsg(f.client.address, TASK), submitTaskMsg(f.client.address, TASK)])])]);
    expect(r!.code).toBe(AuthzCode.SpendLimitExceeded);
    expect(r!.log).toContain("exec msg 1");
    expect(snapshot(f)).toEqual(before);
  });

  it("the grant is deleted when its spend limit or its task count runs out", async () => {
    fx = await granted(100_000n, 2n);
    const f = fx;
    await f.chain.block([f.other.tx([execMsg(f.other.address, [submitTaskMsg(f.client.address, TASK)])])]);
    expect(remaining(f)).toEqual(submitTaskAuthorization(90_000n, 1n));
    await f.chain.block([f.other.tx([execMsg(f.other.address, [submitTaskMsg(f.client.address, TASK)])])]);
    expect(remaining(f)).toBeUndefined();
    const [r] = await f.chain.block([f.other.tx([execMsg(f.other.address, [submitTaskMsg(f.client.address, TASK)])])]);
    expect(r!.code).toBe(AuthzCode.NotFound);
    expect(r!.log).toContain("authorization not found");
  });

  it("another grantee cannot use the grant", async () => {
    fx = await granted(100_000n);
    const f = fx;
    const intruder = f.workers[0]!;
    const before = snapshot(f);
    const [r] = await f.chain.block([intruder.tx([execMsg(intruder.address, [submitTaskMsg(f.client.address, TASK)])])]);
    expect(r!.codespace).toBe("authz");
    expect(r!.code).toBe(AuthzCode.NotFound);
    expect(r!.log).toContain(`grantee ${intruder.address}`);
    expect(snapshot(f)).toEqual(before);
    // Nor can the grantee claim it through a MsgExec signed by someone else (the tx's signer is MsgExec.grantee).
    const [forged] = await f.chain.block([intruder.tx([execMsg(f.other.address, [submitTaskMsg(f.client.address, TASK)])])]);
    expect(forged!.code).not.toBe(0);
    expect(snapshot(f)).toEqual(before);
  });

  it("an inner msg whose signer is not a granter of the grantee is refused, and the grant covers only task submission", async () => {
    fx = await granted(100_000n);
    const f = fx;
    const before = snapshot(f);
    const stranger = f.workers[1]!.address;
    const [notGranter] = await f.chain.block([f.other.tx([execMsg(f.other.address, [submitTaskMsg(stranger, TASK)])])]);
    expect(notGranter!.code).toBe(AuthzCode.NotFound);
    expect(notGranter!.log).toContain(`granter ${stranger}`);
    const [send] = await f.chain.block([f.other.tx([execMsg(f.other.address, [sendMsg(f.client.address, f.other.address, "1")])])]);
    expect(send!.code).toBe(AuthzCode.NotFound);
    expect(send!.log).toContain("/cosmos.bank.v1beta1.MsgSend");
    const [nested] = await f.chain.block([f.other.tx([execMsg(f.other.address, [execMsg(f.other.address, [submitTaskMsg(f.client.address, TASK)])])])]);
    expect(nested!.code).toBe(AuthzCode.NestedExec);
    expect(snapshot(f)).toEqual(before);
  });

  it("a revoked grant is refused", async () => {
    fx = await granted(100_000n);
    const f = fx;
    const [rv] = await f.chain.block([f.client.tx([revokeMsg(f.client.address, f.other.address, MSG.SubmitTask)])]);
    expect(rv!.log).toBe("");
    expect(eventsOf(rv!.events, "authz_revoke")).toHaveLength(1);
    const before = snapshot(f);
    const [r] = await f.chain.block([f.other.tx([execMsg(f.other.address, [submitTaskMsg(f.client.address, TASK)])])]);
    expect(r!.code).toBe(AuthzCode.NotFound);
    expect(snapshot(f)).toEqual(before);
    const [again] = await f.chain.block([f.client.tx([revokeMsg(f.client.address, f.other.address, MSG.SubmitTask)])]);
    expect(again!.code).toBe(AuthzCode.NotFound);
  });

  it("an expired grant is pruned in the BeginBlock of the first block at its expiration, so an exec in that block is refused", async () => {
    fx = await marketFixture();
    const f = fx;
    // Test block time is 1_700_000_000 + height: the grant expires at the time of the block after next.
    const expiration = 1_700_000_000n + f.chain.height + 3n;
    const [g] = await f.chain.block([f.client.tx([grantMsg(f.client.address, f.other.address, submitTaskAuthorization(100_000n), expiration)])]);
    expect(g!.log).toBe("");
    await emptyBlocks(f.chain, 1);
    expect(remaining(f)).toEqual(submitTaskAuthorization(100_000n));
    const before = { client: f.balance(f.client.address), next: f.nextTaskId() };
    const [r] = await f.chain.block([f.other.tx([execMsg(f.other.address, [submitTaskMsg(f.client.address, TASK)])])]);
    expect(1_700_000_000n + f.chain.height).toBe(expiration);
    expect([r!.codespace, r!.code]).toEqual(["authz", AuthzCode.NotFound]);
    expect({ client: f.balance(f.client.address), next: f.nextTaskId() }).toEqual(before);
    expect(getGrant(f.chain.app.store, f.client.key.addressBytes, f.other.key.addressBytes, MSG.SubmitTask)).toBeUndefined();
    const [past] = await f.chain.block([f.client.tx([grantMsg(f.client.address, f.other.address, submitTaskAuthorization(1n), 1_700_000_000n)])]);
    expect(past!.code).toBe(AuthzCode.InvalidExpiration);
  });

  it("refuses malformed grants statelessly: self-grant, zero spend limit, unknown msg type", async () => {
    fx = await marketFixture();
    const f = fx;
    const cases = [
      { msg: grantMsg(f.client.address, f.client.address, submitTaskAuthorization(1n)), code: AuthzCode.GranteeIsGranter },
      { msg: grantMsg(f.client.address, f.other.address, submitTaskAuthorization(0n)), code: AuthzCode.UnknownAuthorizationType },
      { msg: grantMsg(f.client.address, f.other.address, { kind: "generic", msgTypeUrl: "/no.such.Msg" }), code: AuthzCode.UnroutableMsg },
    ];
    for (const c of cases) {
      const [r] = await f.chain.block([f.client.tx([c.msg])]);
      expect([r!.codespace, r!.code]).toEqual(["authz", c.code]);
    }
  });
});

describe("x/authz: GenericAuthorization, queries, genesis", () => {
  it("a generic grant runs its msg type as the granter; queries list it by granter and grantee; genesis round-trips", async () => {
    fx = await marketFixture();
    const f = fx;
    const [g] = await f.chain.block([
      f.client.tx([grantMsg(f.client.address, f.other.address, { kind: "generic", msgTypeUrl: "/cosmos.bank.v1beta1.MsgSend" }), grantMsg(f.client.address, f.other.address, submitTaskAuthorization(7n, 3n), 1_800_000_000n)]),
    ]);
    expect(g!.log).toBe("");
    expect(eventsOf(g!.events, "authz_grant")).toHaveLength(2);
    const otherBefore = f.balance(f.other.address);
    const [s] = await f.chain.block([f.other.tx([execMsg(f.other.address, [sendMsg(f.client.address, f.other.address, "500")])])]);
    expect(s!.log).toBe("");
    expect(f.balance(f.other.address)).toBe(otherBefore + 500n - TX_FEE);

    const byGranter = QueryGranterGrantsResponse.decode(f.chain.query("/cosmos.authz.v1beta1.Query/GranterGrants", QueryGranterGrantsRequest.encode({ granter: f.client.address }).finish()).value);
    const byGrantee = QueryGranteeGrantsResponse.decode(f.chain.query("/cosmos.authz.v1beta1.Query/GranteeGrants", QueryGranteeGrantsRequest.encode({ grantee: f.other.address }).finish()).value);
    expect(byGranter.grants.map((x) => x.authorization!.typeUrl).sort()).toEqual(["/cosmos.authz.v1beta1.GenericAuthorization", "/ogpu.authz.v1.SubmitTaskAuthorization"]);
    expect(byGrantee.grants).toEqual(byGranter.grants);
    const one = f.chain.query("/cosmos.authz.v1beta1.Query/Grants", QueryGrantsRequest.encode({ granter: f.client.address, grantee: f.other.address, msgTypeUrl: MSG.SubmitTask }).finish());
    expect(QueryGrantsResponse.decode(one.value).grants[0]!.expiration).toEqual({ seconds: 1_800_000_000n, nanos: 0 });

    const exported = exportAuthzGenesis(f.chain.app.store);
    expect(exported).toMatchObject({ authorization: [{ expiration: null }, { expiration: "2027-01-15T08:00:00Z", authorization: { spend_limit: "7", max_tasks: "3" } }] });
    const store = new MemStore();
    initAuthzGenesis(deliverContext(store, 1n), JSON.parse(JSON.stringify(exported)));
    expect(exportAuthzGenesis(store)).toEqual(exported);
  });
});
