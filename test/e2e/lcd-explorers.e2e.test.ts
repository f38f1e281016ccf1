/**
 * Every LCD path Ping.pub's explorer (its v0.50 API profile: src/libs/api/index.ts and
 * customization/v0.50.0.ts) and Keplr (packages/stores/src/query/cosmos, background tx service)
 * request for a chain's pages, asked of a real node the way a browser asks: with an Origin
 * header, each answer checked for the SDK's JSON shape (its top-level fields, snake_case field
 * names throughout) and for CORS. docs/rest.md lists the same paths, and those these clients
 * call that the chain does not serve.
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodePubkey, makeAuthInfoBytes, type EncodeObject } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { ogpuRegistry } from "../../sdk/registry.js";
import { coins, connectSigner, DENOM, EXPLICIT_FEE, OGPU, startTestNode, until, type Signer, type TestNode } from "./helpers.js";

const PORT_BASE = TEST_PORTS.lcdExplorers.base;
const ORIGIN = "https://explorer.example";

type Json = Record<string, unknown>;

/** One request a client makes: the path (placeholders filled from the live chain) and the fields its answer must have. */
interface ClientCall {
  readonly by: "Ping.pub" | "Keplr" | "both";
  readonly path: string;
  readonly fields: readonly string[];
}

/** Placeholders: {address} an account that delegates, {valoper} its validator, {height} a block with a tx, {hash} that tx. */
export const CLIENT_CALLS: readonly ClientCall[] = [
  { by: "Ping.pub", path: "/cosmos/auth/v1beta1/params", fields: ["params"] },
  { by: "both", path: "/cosmos/auth/v1beta1/accounts/{address}", fields: ["account"] },
  { by: "Ping.pub", path: "/cosmos/bank/v1beta1/params", fields: ["params"] },
  { by: "Ping.pub", path: "/cosmos/bank/v1beta1/balances/{address}", fields: ["balances", "pagination"] },
  { by: "Keplr", path: "/cosmos/bank/v1beta1/balances/{address}?pagination.limit=1000", fields: ["balances", "pagination"] },
  { by: "Keplr", path: "/cosmos/bank/v1beta1/spendable_balances/{address}", fields: ["balances", "pagination"] },
  { by: "Ping.pub", path: "/cosmos/bank/v1beta1/denoms_metadata", fields: ["metadatas", "pagination"] },
  { by: "Ping.pub", path: "/cosmos/bank/v1beta1/supply", fields: ["supply", "pagination"] },
  { by: "Ping.pub", path: "/cosmos/bank/v1beta1/supply/by_denom?denom=uogpu", fields: ["amount"] },
  { by: "both", path: "/cosmos/distribution/v1beta1/params", fields: ["params"] },
  { by: "Ping.pub", path: "/cosmos/distribution/v1beta1/community_pool", fields: ["pool"] },
  { by: "Ping.pub", path: "/cosmos/distribution/v1beta1/validators/{valoper}/commission", fields: ["commission"] },
  { by: "Ping.pub", path: "/cosmos/distribution/v1beta1/validators/{valoper}/outstanding_rewards", fields: ["rewards"] },
  { by: "both", path: "/cosmos/distribution/v1beta1/delegators/{address}/rewards", fields: ["rewards", "total"] },
  { by: "Ping.pub", path: "/cosmos/mint/v1beta1/inflation", fields: ["inflation"] },
  { by: "Ping.pub", path: "/cosmos/mint/v1beta1/params", fields: ["params"] },
  { by: "Ping.pub", path: "/cosmos/mint/v1beta1/annual_provisions", fields: ["annual_provisions"] },
  { by: "Ping.pub", path: "/cosmos/slashing/v1beta1/params", fields: ["params"] },
  { by: "Ping.pub", path: "/cosmos/slashing/v1beta1/signing_infos", fields: ["info", "pagination"] },
  { by: "Ping.pub", path: "/cosmos/gov/v1/params/voting", fields: ["params", "voting_params"] },
  { by: "Ping.pub", path: "/cosmos/gov/v1/params/tallying", fields: ["params", "tally_params"] },
  { by: "Ping.pub", path: "/cosmos/gov/v1/params/deposit", fields: ["params", "deposit_params"] },
  { by: "Ping.pub", path: "/cosmos/gov/v1/proposals?proposal_status=PROPOSAL_STATUS_VOTING_PERIOD&pagination.limit=20", fields: ["proposals", "pagination"] },
  { by: "Ping.pub", path: "/cosmos/staking/v1beta1/delegations/{address}", fields: ["delegation_responses", "pagination"] },
  { by: "Keplr", path: "/cosmos/staking/v1beta1/delegations/{address}?pagination.limit=1000", fields: ["delegation_responses", "pagination"] },
  { by: "Ping.pub", path: "/cosmos/staking/v1beta1/delegators/{address}/redelegations", fields: ["redelegation_responses", "pagination"] },
  { by: "both", path: "/cosmos/staking/v1beta1/delegators/{address}/unbonding_delegations?pagination.limit=1000", fields: ["unbonding_responses", "pagination"] },
  { by: "Ping.pub", path: "/cosmos/staking/v1beta1/delegators/{address}/validators", fields: ["validators", "pagination"] },
  { by: "both", path: "/cosmos/staking/v1beta1/params", fields: ["params"] },
  { by: "both", path: "/cosmos/staking/v1beta1/pool", fields: ["pool"] },
  { by: "Ping.pub", path: "/cosmos/staking/v1beta1/validators?pagination.limit=200&status=BOND_STATUS_BONDED", fields: ["validators", "pagination"] },
  { by: "Keplr", path: "/cosmos/staking/v1beta1/validators?pagination.limit=1000&status=BOND_STATUS_UNBONDED", fields: ["validators", "pagination"] },
  { by: "Keplr", path: "/cosmos/staking/v1beta1/validators?pagination.limit=1000&status=BOND_STATUS_UNBONDING", fields: ["validators", "pagination"] },
  { by: "Ping.pub", path: "/cosmos/staking/v1beta1/validators/{valoper}", fields: ["validator"] },
  { by: "Ping.pub", path: "/cosmos/staking/v1beta1/validators/{valoper}/delegations", fields: ["delegation_responses", "pagination"] },
  { by: "Ping.pub", path: "/cosmos/staking/v1beta1/validators/{valoper}/delegations/{address}", fields: ["delegation_response"] },
  { by: "Ping.pub", path: "/cosmos/base/tendermint/v1beta1/node_info", fields: ["default_node_info", "application_version"] },
  { by: "Ping.pub", path: "/cosmos/base/tendermint/v1beta1/blocks/latest", fields: ["block_id", "block", "sdk_block"] },
  { by: "Ping.pub", path: "/cosmos/base/tendermint/v1beta1/blocks/{height}", fields: ["block_id", "block", "sdk_block"] },
  { by: "Ping.pub", path: "/cosmos/base/tendermint/v1beta1/validatorsets/latest", fields: ["block_height", "validators", "pagination"] },
  { by: "Ping.pub", path: "/cosmos/base/tendermint/v1beta1/validatorsets/{height}", fields: ["block_height", "validators", "pagination"] },
  { by: "Ping.pub", path: "/cosmos/tx/v1beta1/txs?query=message.sender='{address}'&order_by=ORDER_BY_DESC&pagination.limit=20&pagination.offset=0", fields: ["txs", "tx_responses", "pagination", "total"] },
  { by: "Ping.pub", path: "/cosmos/tx/v1beta1/txs?events=message.sender='{address}'&pagination.limit=20&pagination.offset=0", fields: ["txs", "tx_responses", "pagination", "total"] },
  { by: "Ping.pub", path: "/cosmos/tx/v1beta1/txs/block/{height}", fields: ["txs", "block_id", "block", "pagination"] },
  { by: "Ping.pub", path: "/cosmos/tx/v1beta1/txs/{hash}", fields: ["tx", "tx_response"] },
];

/** Object keys anywhere in a JSON value that are not proto field names (camelCase would be a renderer slip). */
function nonSnakeKeys(value: unknown, path = "$"): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => nonSnakeKeys(v, `${path}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => [...(/^(@type|[a-z0-9_]+)$/.test(k) ? [] : [`${path}.${k}`]), ...nonSnakeKeys(v, `${path}.${k}`)]);
}

describe("the LCD paths Ping.pub and Keplr call, on a real node", () => {
  let t: TestNode;
  let alice: Signer;
  const fill: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestNode({ portBase: PORT_BASE, accounts: [{ name: "alice", coins: `${100_000n * OGPU}${DENOM}` }], validator: { stake: `${1_000n * OGPU}${DENOM}` } });
    alice = await connectSigner(t.devnet, t.devnet.accounts[0]!);
    const validators = (await (await fetch(`${t.devnet.restUrl}/cosmos/staking/v1beta1/validators`)).json()) as { validators: { operator_address: string }[] };
    const valoper = validators.validators[0]!.operator_address;
    // alice delegates, so her delegation, reward and validator pages have content.
    const delegate = await alice.client.delegateTokens(alice.address, valoper, { denom: DENOM, amount: String(10n * OGPU) }, "auto");
    expect(delegate.code, delegate.rawLog).toBe(0);
    fill.address = alice.address;
    fill.valoper = valoper;
    fill.hash = delegate.transactionHash;
    fill.height = String(delegate.height);
  });

  afterAll(async () => {
    alice?.client.disconnect();
    await t?.cleanup();
  });

  const url = (path: string) => `${t.devnet.restUrl}${path.replace(/\{(\w+)\}/g, (_, name: string) => fill[name]!)}`;

  it.each(CLIENT_CALLS.map((c) => [c.by, c.path, c] as const))("%s GET %s: SDK JSON shape, CORS", async (_by, _path, call) => {
    const res = await fetch(url(call.path), { headers: { origin: ORIGIN } });
    const body = (await res.json()) as Json;
    expect(res.status, JSON.stringify(body).slice(0, 500)).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(Object.keys(body)).toEqual(expect.arrayContaining([...call.fields]));
    expect(nonSnakeKeys(body)).toEqual([]);
  });

  it("the content explorers read from those answers is there", async () => {
    const get = async (path: string) => (await (await fetch(url(path))).json()) as Json & Record<string, never>;
    const nodeInfo = await get("/cosmos/base/tendermint/v1beta1/node_info");
    expect(nodeInfo.default_node_info).toMatchObject({ network: t.devnet.chainId });
    // Ping.pub picks its API profile from this version (v0.50: gov v1, supply/by_denom).
    expect(nodeInfo.application_version).toMatchObject({ app_name: "ogpud", cosmos_sdk_version: "v0.50.0" });

    const block = await get(`/cosmos/base/tendermint/v1beta1/blocks/${fill.height}`);
    expect(block.block).toMatchObject({ header: { height: fill.height, chain_id: t.devnet.chainId } });
    expect((block.sdk_block as { header: { proposer_address: string } }).header.proposer_address).toMatch(/^ogpuvalcons1/);
    const txs = (block.block as { data: { txs: string[] } }).data.txs;
    expect(txs.length).toBeGreaterThan(0);
    const withTxs = await get(`/cosmos/tx/v1beta1/txs/block/${fill.height}`);
    expect((withTxs.txs as { body: { messages: Json[] } }[]).flatMap((tx) => tx.body.messages.map((m) => m["@type"]))).toContain("/cosmos.staking.v1beta1.MsgDelegate");

    const set = await get("/cosmos/base/tendermint/v1beta1/validatorsets/latest");
    const members = set.validators as { address: string; pub_key: Json; voting_power: string }[];
    expect(members[0]!.address).toMatch(/^ogpuvalcons1/);
    expect(members[0]!.pub_key["@type"]).toBe("/cosmos.crypto.ed25519.PubKey");
    // The validator set's consensus addresses are the ones blocks name as proposer.
    expect(members.map((m) => m.address)).toContain((block.sdk_block as { header: { proposer_address: string } }).header.proposer_address);

    const metadata = await get("/cosmos/bank/v1beta1/denoms_metadata");
    expect(metadata.metadatas).toEqual([
      expect.objectContaining({ base: "uogpu", display: "ogpu", symbol: "OGPU", denom_units: [{ denom: "uogpu", exponent: 0, aliases: ["microogpu"] }, { denom: "ogpu", exponent: 6, aliases: [] }] }),
    ]);
    const outstanding = await get(`/cosmos/distribution/v1beta1/validators/${fill.valoper}/outstanding_rewards`);
    expect(outstanding.rewards).toMatchObject({ rewards: expect.any(Array) });
    const delegated = await get(`/cosmos/staking/v1beta1/delegators/${fill.address}/validators`);
    expect((delegated.validators as { operator_address: string }[]).map((v) => v.operator_address)).toEqual([fill.valoper]);
    const byHash = await get(`/cosmos/tx/v1beta1/txs/${fill.hash}`);
    expect((byHash.tx_response as { txhash: string }).txhash).toBe(fill.hash);
  });

  it("Keplr's simulate (unsigned: 64 zero bytes as the signature) and broadcast, and the POST's CORS preflight", async () => {
    const preflight = await fetch(url("/cosmos/tx/v1beta1/txs"), {
      method: "OPTIONS",
      headers: { origin: ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("content-type");

    const account = (await (await fetch(url("/cosmos/auth/v1beta1/accounts/{address}"))).json()) as { account: { sequence: string } };
    const [{ pubkey }] = await alice.wallet.getAccounts();
    const send: EncodeObject = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.fromPartial({ fromAddress: alice.address, toAddress: alice.address, amount: coins(1n) }) };
    const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: [ogpuRegistry().encodeAsAny(send)], memo: "" })).finish();
    const authInfoBytes = makeAuthInfoBytes([{ pubkey: encodePubkey(encodeSecp256k1Pubkey(pubkey)), sequence: Number(account.account.sequence) }], EXPLICIT_FEE.amount, Number(EXPLICIT_FEE.gas), undefined, undefined, SignMode.SIGN_MODE_DIRECT);
    const unsigned = TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [new Uint8Array(64)] }).finish();
    const sim = await fetch(url("/cosmos/tx/v1beta1/simulate"), {
      method: "POST",
      headers: { origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ tx_bytes: Buffer.from(unsigned).toString("base64") }),
    });
    const simBody = (await sim.json()) as { gas_info: { gas_used: string } };
    expect(sim.status, JSON.stringify(simBody)).toBe(200);
    expect(sim.headers.get("access-control-allow-origin")).toBe("*");
    expect(Number.parseInt(simBody.gas_info.gas_used)).toBeGreaterThan(0);

    // What Keplr's background tx service posts for a signed tx ("sync"), and reads back.
    const signed = TxRaw.encode(await alice.client.sign(alice.address, [send], EXPLICIT_FEE, "")).finish();
    const res = await fetch(url("/cosmos/tx/v1beta1/txs"), {
      method: "POST",
      headers: { origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ tx_bytes: Buffer.from(signed).toString("base64"), mode: "BROADCAST_MODE_SYNC" }),
    });
    const txResponse = ((await res.json()) as { tx_response: { code: number; txhash: string; raw_log: string } }).tx_response;
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(txResponse.code, txResponse.raw_log).toBe(0);
    expect(Buffer.from(txResponse.txhash, "hex")).toHaveLength(32);
    await until("the broadcast tx committed", () => fetch(url(`/cosmos/tx/v1beta1/txs/${txResponse.txhash}`)).then((r) => r.status), (s) => s === 200);
  });
});
