import { afterEach, describe, expect, it } from "vitest";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { eventsOf, startTestChain, testGenesis, testKey, sendMsg, type TestChain } from "./testkit.js";
import { govAuthority, INVALID_AUTHORITY_CODE } from "./authority.js";
import { SdkCode } from "./errors.js";
import { OGPU_MSG_TYPES } from "../proto/msg-types.js";
import { QueryParamsRequest, QueryParamsResponse } from "../proto/gen/ogpu/auth/v1/query.js";

type Params = Record<string, unknown>;

/** One module's case: a valid change, an invalid one and the module's own message for it. */
interface ModuleCase {
  module: string;
  type: (typeof OGPU_MSG_TYPES)["UpdateAuthParams"];
  valid: Params;
  invalid: Params;
  message: string;
}

const CASES: ModuleCase[] = [
  { module: "auth", type: OGPU_MSG_TYPES.UpdateAuthParams, valid: { max_memo_characters: 512 }, invalid: { tx_sig_limit: 0 }, message: "auth param tx_sig_limit must be positive" },
  { module: "bank", type: OGPU_MSG_TYPES.UpdateBankParams, valid: { max_wallet_bps: 300 }, invalid: { max_wallet_bps: 10_001 }, message: "max_wallet_bps must be in 1..10000" },
  { module: "staking", type: OGPU_MSG_TYPES.UpdateStakingParams, valid: { max_validators: 50 }, invalid: { compute_alpha_bps: 10_001 }, message: "compute_alpha_bps must be in 0..10000" },
  { module: "slashing", type: OGPU_MSG_TYPES.UpdateSlashingParams, valid: { downtime_jail_blocks: 1200 }, invalid: { signed_blocks_window: 0 }, message: "signed_blocks_window must be at least 1" },
  {
    module: "workers",
    type: OGPU_MSG_TYPES.UpdateWorkersParams,
    valid: { heartbeat_timeout_blocks: 200 },
    invalid: { ewma_alpha_bps: 0 },
    message: "ewma_alpha_bps must be in 1..10000",
  },
  { module: "market", type: OGPU_MSG_TYPES.UpdateMarketParams, valid: { market_fee_bps: 300 }, invalid: { max_redundancy: 17 }, message: "max_redundancy must be in 1..16" },
  { module: "attest", type: OGPU_MSG_TYPES.UpdateAttestParams, valid: { committee_size: 5 }, invalid: { committee_size: 101 }, message: "committee_size must be in 1..100" },
  { module: "mint", type: OGPU_MSG_TYPES.UpdateMintParams, valid: { provider_share_bps: 2500 }, invalid: { provider_share_bps: 10_001 }, message: "provider_share_bps must be in 0..10000" },
  { module: "gov", type: OGPU_MSG_TYPES.UpdateGovParams, valid: { voting_period_seconds: 600 }, invalid: { quorum_bps: 0 }, message: "quorum_bps must be in 1..10000" },
];

let chain: TestChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

/** A chain whose key 1 has an account and funds (so it can sign txs). */
async function start(): Promise<TestChain> {
  const genesis = { ...testGenesis({ [testKey(1).address]: 10_000_000n }), auth: { accounts: [{ address: testKey(1).address }] } };
  chain = await startTestChain(genesis, { midBlockCalls: true });
  // Queries read committed state: genesis is committed with block 1 (testGenesis' mint params differ from the defaults).
  await chain.block([]);
  return chain;
}

/** The module's whole param set from its `/ogpu.<module>.v1.Query/Params` (params_json). */
function paramsOf(c: TestChain, module: string): Params {
  const res = c.query(`/ogpu.${module}.v1.Query/Params`, QueryParamsRequest.encode({}).finish());
  expect(res.code, res.log).toBe(0);
  return JSON.parse(QueryParamsResponse.decode(res.value).paramsJson) as Params;
}

function updateMsg(type: ModuleCase["type"], authority: string, params: Params | string): Any {
  const text = typeof params === "string" ? params : JSON.stringify(params);
  return { typeUrl: type.typeUrl, value: type.codec.encode({ authority, params: text }).finish() };
}

describe("MsgUpdateParams (app/update-params.ts) in every module", () => {
  for (const c of CASES) {
    it(`${c.module}: non-gov authority refused (gov code 12), invalid params refused with the module's message, valid params applied`, async () => {
      const ch = await start();
      const before = paramsOf(ch, c.module);
      expect(c.type.typeUrl).toBe(`/ogpu.${c.module}.v1.MsgUpdateParams`);

      const notGov = await ch.execMsg(updateMsg(c.type, testKey(1).address, { ...before, ...c.valid }));
      expect(notGov.error).toMatchObject({ codespace: "gov", code: INVALID_AUTHORITY_CODE });
      expect(notGov.error!.message).toContain(`expected ${govAuthority()}`);
      expect(paramsOf(ch, c.module)).toEqual(before);

      const invalid = await ch.execMsg(updateMsg(c.type, govAuthority(), { ...before, ...c.invalid }));
      expect(invalid.error).toMatchObject({ codespace: "sdk", code: SdkCode.InvalidRequest });
      expect(invalid.error!.message).toBe(`invalid ${c.module} params: ${c.message}`);
      expect(paramsOf(ch, c.module)).toEqual(before);

      const ok = await ch.execMsg(updateMsg(c.type, govAuthority(), { ...before, ...c.valid }));
      expect(ok.error).toBeUndefined();
      expect(eventsOf(ok.events, "update_params")).toEqual([{ module: c.module, authority: govAuthority() }]);
      expect(paramsOf(ch, c.module)).toEqual({ ...before, ...c.valid });
    });
  }

  it("the whole set is replaced: a missing field, an unknown key, or text that is not a JSON object is refused", async () => {
    const ch = await start();
    const before = paramsOf(ch, "market");
    const { market_fee_bps: _dropped, ...partial } = before;
    const cases: [Params | string, string][] = [
      [partial, "invalid market params: missing market_fee_bps (an update gives the whole param set)"],
      [{ ...before, surprise: 1 }, "invalid market params: unknown param surprise"],
      [{ ...before, market_fee_bps: "300" }, "invalid market params: param market_fee_bps must be of type number"],
      [{ ...before, market_fee_bps: 1.5 }, "invalid market params: param market_fee_bps must be an integer"],
      ["[1, 2]", "invalid market params: params must be an object"],
    ];
    for (const [params, message] of cases) {
      const res = await ch.execMsg(updateMsg(OGPU_MSG_TYPES.UpdateMarketParams, govAuthority(), params));
      expect(res.error?.message).toBe(message);
    }
    const notJson = await ch.execMsg(updateMsg(OGPU_MSG_TYPES.UpdateMarketParams, govAuthority(), "{market_fee_bps"));
    expect(notJson.error?.message).toMatch(/^invalid market params: not JSON/);
    expect(paramsOf(ch, "market")).toEqual(before);
  });

  it("staking refuses a bond_denom change: stake is held in that denom", async () => {
    const ch = await start();
    const before = paramsOf(ch, "staking");
    const res = await ch.execMsg(updateMsg(OGPU_MSG_TYPES.UpdateStakingParams, govAuthority(), { ...before, bond_denom: "ustake" }));
    expect(res.error?.message).toBe("invalid staking params: bond_denom cannot change (stake is held in uogpu)");
    expect(paramsOf(ch, "staking")).toEqual(before);
  });

  it("takes effect for the next block's txs: bank send_enabled false stops the next MsgSend", async () => {
    const ch = await start();
    const [a, b] = [testKey(1), testKey(2)];
    await ch.block(); // genesis state is committed with the first block
    const [sent] = await ch.block([ch.tx(a, [sendMsg(a.address, b.address, "5")])]);
    expect(sent!.code, sent!.log).toBe(0);
    const before = paramsOf(ch, "bank");
    expect((await ch.execMsg(updateMsg(OGPU_MSG_TYPES.UpdateBankParams, govAuthority(), { ...before, send_enabled: false }))).error).toBeUndefined();
    const [refused] = await ch.block([ch.tx(a, [sendMsg(a.address, b.address, "5")])]);
    expect({ codespace: refused!.codespace, log: refused!.log }).toEqual({ codespace: "bank", log: "failed to execute message; message index: 0: transfers are currently disabled" });
  });
});
