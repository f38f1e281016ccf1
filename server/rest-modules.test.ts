/**
 * The LCD routes of staking, distribution, slashing, upgrade, workers and market against a REAL
 * in-process chain: the REST server's QueryFn is the app's own `query`, so every JSON body is
 * checked against module state built by real txs (a gentx validator, a delegation, an
 * undelegation, a worker, a task).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { finalizeRequest, startTestChain, testKey, type TestChain } from "../app/testkit.js";
import { TaskStatus } from "../proto/gen/ogpu/market/v1/market.js";
import { WorkerStatus } from "../proto/gen/ogpu/workers/v1/workers.js";
import { commissionOf } from "../x/distribution/keeper.js";
import { gpu, registerWorkerMsg, submitTaskMsg, testEncPubkey } from "../x/market/testing.js";
import { stakingParams } from "../x/staking/params.js";
import { delegateMsg, gentx, OGPU, stakingGenesis, testValidator, undelegateMsg } from "../x/staking/testing.js";
import { createNodeMetrics } from "./metrics.js";
import { createRestServer, LCD_ROUTES } from "./rest.js";
import { consAddressOf, parseValoper, valconsString } from "../app/validator-address.js";
import { decToString, DEC_ONE } from "../app/dec.js";
import { textCid } from "../crypto/cid.js";

const validator = testValidator(41);
const SELF_STAKE = 1_000n * OGPU;
const DELEGATED = 300n * OGPU;
const UNDELEGATED = 100n * OGPU;
const delegatorKey = testKey(42);
const workerKey = testKey(43);
const clientKey = testKey(44);
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

let chain: TestChain;
let rest: FastifyInstance;
let taskId: bigint;
let registeredAt: bigint;
let undelegatedAt: bigint;

const consAddress = valconsString(consAddressOf(validator.consensusKey));
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

beforeAll(async () => {
  const genesis = stakingGenesis(
    { [validator.key.address]: 10_000n * OGPU, [delegatorKey.address]: 10_000n * OGPU, [workerKey.address]: 5_000n * OGPU, [clientKey.address]: 10_000n * OGPU },
    [gentx(validator, SELF_STAKE, { commissionPct: 10 })],
  );
  chain = await startTestChain(genesis);
  await chain.block([]); // genesis state is committed with the first block
  const delegator = chain.signer(delegatorKey);
  const worker = chain.signer(workerKey);
  const client = chain.signer(clientKey);
  const setup = await chain.block([
    delegator.tx([delegateMsg(delegatorKey, validator.valoper, DELEGATED)]),
    worker.tx([registerWorkerMsg(worker.address, { gpus: [gpu("RTX4090", 24_576)], region: "eu", price: 100n, maxConcurrent: 2 })]),
  ]);
  expect(setup.map((r) => r.log)).toEqual(["", ""]);
  registeredAt = chain.height;
  const next = await chain.block([delegator.tx([undelegateMsg(delegatorKey, validator.valoper, UNDELEGATED)]), client.tx([submitTaskMsg(client.address, { bid: 1_000n })])]);
  expect(next.map((r) => r.log)).toEqual(["", ""]);
  undelegatedAt = chain.height;
  taskId = 1n;
  // One block with the validator's vote in the last commit, so slashing keeps a signing info.
  chain.height += 1n;
  const voted = finalizeRequest(chain.height, []);
  voted.decidedLastCommit = { round: 0, votes: [{ validator: { address: consAddressOf(validator.consensusKey), power: 1300n }, blockIdFlag: BlockIDFlag.BLOCK_ID_FLAG_COMMIT }] };
  chain.app.finalizeBlock(voted);
  await chain.app.commit();

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

async function get(url: string): Promise<{ status: number; height: string | undefined; body: Record<string, unknown> }> {
  const res = await rest.inject({ method: "GET", url });
  const height = res.headers["x-cosmos-block-height"];
  return { status: res.statusCode, height: typeof height === "string" ? height : undefined, body: res.json() as Record<string, unknown> };
}

async function ok(url: string): Promise<Record<string, unknown>> {
  const res = await get(url);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.height).toBe(chain.height.toString());
  return res.body;
}

const human = (n: bigint) => decToString(n * DEC_ONE);

describe("staking routes", () => {
  const bonded = SELF_STAKE + DELEGATED - UNDELEGATED;

  it("renders a gentx validator with named status, Any consensus key, human decimals and RFC 3339 times", async () => {
    const body = await ok(`/cosmos/staking/v1beta1/validators/${validator.valoper}`);
    const v = body.validator as Record<string, unknown>;
    expect(v).toMatchObject({
      operator_address: validator.valoper,
      consensus_pubkey: { "@type": "/cosmos.crypto.ed25519.PubKey", key: b64(validator.consensusKey) },
      jailed: false,
      status: "BOND_STATUS_BONDED",
      tokens: bonded.toString(),
      delegator_shares: human(bonded),
      unbonding_height: "0",
      commission: { commission_rates: { rate: "0.100000000000000000", max_rate: "0.500000000000000000", max_change_rate: "0.010000000000000000" } },
      min_self_delegation: "1",
    });
    expect(v.unbonding_time).toMatch(RFC3339);
    expect((v.commission as Record<string, unknown>).update_time).toMatch(RFC3339);
    expect(v.unbonding_ids).toEqual([]);
  });

  it("lists validators with a pagination object and filters by status", async () => {
    const all = await ok("/cosmos/staking/v1beta1/validators");
    expect((all.validators as unknown[]).length).toBe(1);
    // total only on request: counting walks the whole set, which a default page must not do.
    expect(all.pagination).toEqual({ next_key: null, total: "0" });
    const counted = await ok("/cosmos/staking/v1beta1/validators?pagination.count_total=true");
    expect(counted.pagination).toEqual({ next_key: null, total: "1" });
    const unbonded = await ok("/cosmos/staking/v1beta1/validators?status=BOND_STATUS_UNBONDED");
    expect(unbonded.validators).toEqual([]);
  });

  it("renders delegations by validator, by pair and by delegator", async () => {
    const remaining = DELEGATED - UNDELEGATED;
    const expected = {
      delegation: { delegator_address: delegatorKey.address, validator_address: validator.valoper, shares: human(remaining) },
      balance: { denom: "uogpu", amount: remaining.toString() },
    };
    const pair = await ok(`/cosmos/staking/v1beta1/validators/${validator.valoper}/delegations/${delegatorKey.address}`);
    expect(pair).toEqual({ delegation_response: expected });
    const byDelegator = await ok(`/cosmos/staking/v1beta1/delegations/${delegatorKey.address}`);
    expect(byDelegator).toEqual({ delegation_responses: [expected], pagination: { next_key: null, total: "0" } });
    const byValidator = await ok(`/cosmos/staking/v1beta1/validators/${validator.valoper}/delegations`);
    expect((byValidator.delegation_responses as unknown[]).length).toBe(2); // self + delegator
  });

  it("item 3: per-account list routes page with pagination.* (limit, key, count_total, offset)", async () => {
    const path = `/cosmos/staking/v1beta1/validators/${validator.valoper}/delegations`;
    const delegators = (body: Record<string, unknown>) =>
      (body.delegation_responses as { delegation: { delegator_address: string } }[]).map((d) => d.delegation.delegator_address);
    const first = await ok(`${path}?pagination.limit=1&pagination.count_total=true`);
    expect(delegators(first)).toHaveLength(1);
    const page1 = first.pagination as { next_key: string | null; total: string };
    expect(page1.total).toBe("2"); // self + delegator
    expect(page1.next_key).not.toBeNull();
    const second = await ok(`${path}?pagination.limit=1&pagination.key=${encodeURIComponent(page1.next_key!)}`);
    expect(second.pagination).toEqual({ next_key: null, total: "0" });
    expect([...delegators(first), ...delegators(second)].sort()).toEqual([validator.key.address, delegatorKey.address].sort());
    expect(delegators(await ok(`${path}?pagination.offset=1`))).toEqual(delegators(second));

    const balances = await ok(`/cosmos/bank/v1beta1/balances/${delegatorKey.address}?pagination.limit=1&pagination.count_total=true`);
    expect(balances.pagination).toEqual({ next_key: null, total: "1" });
    const supply = await ok("/cosmos/bank/v1beta1/supply?pagination.limit=1&pagination.count_total=true");
    expect((supply.supply as unknown[]).length).toBe(1);
    const unbondings = await ok(`/cosmos/staking/v1beta1/delegators/${delegatorKey.address}/unbonding_delegations?pagination.count_total=true`);
    expect(unbondings.pagination).toEqual({ next_key: null, total: "1" });
    const infos = await ok("/cosmos/slashing/v1beta1/signing_infos?pagination.limit=1&pagination.count_total=true");
    expect(infos.pagination).toEqual({ next_key: null, total: "1" });
    expect((await get(`${path}?pagination.reverse=true`)).status).toBe(400);
  });

  it("renders unbonding entries with string heights and balances", async () => {
    const one = await ok(`/cosmos/staking/v1beta1/validators/${validator.valoper}/delegations/${delegatorKey.address}/unbonding_delegation`);
    const unbond = one.unbond as { entries: Record<string, unknown>[] };
    expect(unbond).toMatchObject({ delegator_address: delegatorKey.address, validator_address: validator.valoper });
    expect(unbond.entries).toHaveLength(1);
    expect(unbond.entries[0]).toMatchObject({ creation_height: undelegatedAt.toString(), initial_balance: UNDELEGATED.toString(), balance: UNDELEGATED.toString() });
    expect(unbond.entries[0]!.completion_time).toMatch(RFC3339);
    const all = await ok(`/cosmos/staking/v1beta1/delegators/${delegatorKey.address}/unbonding_delegations`);
    expect(all.unbonding_responses).toEqual([one.unbond]);
  });

  it("renders pool and params (Duration as seconds, Dec in human form)", async () => {
    expect(await ok("/cosmos/staking/v1beta1/pool")).toEqual({ pool: { bonded_tokens: bonded.toString(), not_bonded_tokens: UNDELEGATED.toString() } });
    const params = (await ok("/cosmos/staking/v1beta1/params")).params as Record<string, unknown>;
    const p = stakingParams.get(chain.app.store);
    expect(params).toMatchObject({ unbonding_time: `${p.unbonding_blocks}s`, max_validators: p.max_validators, bond_denom: "uogpu" });
    expect(params.min_commission_rate).toMatch(/^\d+\.\d{18}$/);
  });

  it("answers a missing delegation and a malformed address with gateway errors", async () => {
    const missing = await get(`/cosmos/staking/v1beta1/validators/${validator.valoper}/delegations/${clientKey.address}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 5, details: [] });
    const bad = await get("/cosmos/staking/v1beta1/validators/ogpuvaloper1nope");
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 3 });
  });
});

describe("distribution and slashing routes", () => {
  it("renders rewards and commission as DecCoins in human form, matching the keeper", async () => {
    const operator = parseValoper(validator.valoper);
    const reward = chain.keepers.distribution.pendingReward(chain.app.store, delegatorKey.addressBytes, operator);
    const rewards = await ok(`/cosmos/distribution/v1beta1/delegators/${delegatorKey.address}/rewards/${validator.valoper}`);
    expect(rewards).toEqual({ rewards: reward === 0n ? [] : [{ denom: "uogpu", amount: human(reward) }] });
    const commission = commissionOf(chain.app.store, operator);
    expect(commission).toBeGreaterThan(0n); // fees of the setup txs were distributed
    expect(await ok(`/cosmos/distribution/v1beta1/validators/${validator.valoper}/commission`)).toEqual({
      commission: { commission: [{ denom: "uogpu", amount: human(commission) }] },
    });
  });

  it("renders signing infos and params", async () => {
    const one = await ok(`/cosmos/slashing/v1beta1/signing_infos/${consAddress}`);
    expect(one.val_signing_info).toMatchObject({ address: consAddress, tombstoned: false, missed_blocks_counter: "0", index_offset: "1" });
    expect((one.val_signing_info as Record<string, unknown>).jailed_until).toMatch(RFC3339);
    const all = await ok("/cosmos/slashing/v1beta1/signing_infos");
    expect(all).toEqual({ info: [one.val_signing_info], pagination: { next_key: null, total: "0" } });
    const params = (await ok("/cosmos/slashing/v1beta1/params")).params as Record<string, unknown>;
    expect(params.signed_blocks_window).toMatch(/^\d+$/);
    expect(params.min_signed_per_window).toMatch(/^\d+\.\d{18}$/);
    expect(params.downtime_jail_duration).toMatch(/^\d+s$/);
  });
});

describe("upgrade routes", () => {
  it("current plan (null), applied plan (0 for never), module versions (all, one, unknown), authority", async () => {
    expect(await ok("/cosmos/upgrade/v1beta1/current_plan")).toEqual({ plan: null });
    expect(await ok("/cosmos/upgrade/v1beta1/applied_plan/v0.2")).toEqual({ height: "0" });
    const all = (await ok("/cosmos/upgrade/v1beta1/module_versions")).module_versions as { name: string; version: string }[];
    expect(all.map((v) => v.name)).toEqual([...chain.app.modules.map((m) => m.name)].sort());
    expect(await ok("/cosmos/upgrade/v1beta1/module_versions?module_name=market")).toEqual({ module_versions: [{ name: "market", version: "2" }] });
    const unknown = await rest.inject({ method: "GET", url: "/cosmos/upgrade/v1beta1/module_versions?module_name=nope" });
    expect(unknown.statusCode).toBe(404);
    expect((await ok("/cosmos/upgrade/v1beta1/authority")).address).toMatch(/^ogpu1/);
  });
});

describe("workers and market routes", () => {
  it("renders a worker view with enum names, string uint64s and base64 bytes", async () => {
    const body = await ok(`/ogpu/workers/v1/workers/${workerKey.address}`);
    expect(body).toMatchObject({
      worker: {
        worker: {
          operator: workerKey.address,
          gpus: [{ vendor: "nvidia", model: "RTX4090", vram_mb: "24576", pci_id: "0000:01:00.0", count: 1 }],
          region: "eu",
          price_per_unit: "100",
          max_concurrent: 2,
          enc_pubkey: b64(testEncPubkey(workerKey.address.length)),
          registered_height: registeredAt.toString(),
          exit_height: "0",
        },
        status: "WORKER_STATUS_ONLINE",
      },
    });
    expect((body.worker as { worker: { reliability: Record<string, unknown> } }).worker.reliability).toMatchObject({ cv: "0", jailed_until: "0" });
  });

  it("filters workers by status (name or number) and GPU model", async () => {
    const count = async (qs: string) => ((await ok(`/ogpu/workers/v1/workers${qs}`)).workers as unknown[]).length;
    expect(await count("")).toBe(1);
    expect(await count("?status=WORKER_STATUS_ONLINE")).toBe(1);
    expect(await count(`?status=${WorkerStatus.WORKER_STATUS_OFFLINE}`)).toBe(0);
    expect(await count("?gpu_model=RTX4090")).toBe(1);
    expect(await count("?gpu_model=H100")).toBe(0);
    const bad = await get("/ogpu/workers/v1/workers?status=SLEEPING");
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 3 });
  });

  it("renders a task and lists tasks with filters", async () => {
    const task = chain.keepers.market.getTask(chain.app.store, taskId)!;
    const body = await ok(`/ogpu/market/v1/tasks/${taskId}`);
    expect(body.task).toMatchObject({
      id: taskId.toString(),
      client: clientKey.address,
      units: "10",
      status: TaskStatus[task.status],
      verification: "VERIFICATION_CLASS_BITWISE",
      requirements: { min_vram_mb: "0", gpu_models: [], tier: 0, preferred_region: "" },
      assignments: task.assignments.map((a) => ({ worker: a.worker, assigned_height: a.assignedHeight.toString(), price_per_unit: a.pricePerUnit })),
    });
    expect((await ok(`/ogpu/market/v1/tasks?client=${clientKey.address}`)).tasks).toEqual([body.task]);
    expect((await ok(`/ogpu/market/v1/tasks?status=${TaskStatus[task.status]}&limit=5`)).tasks).toEqual([body.task]);
    expect((await ok(`/ogpu/market/v1/tasks?after_id=${taskId}`)).tasks).toEqual([]);
    expect((await get("/ogpu/market/v1/tasks/999")).status).toBe(404);
    expect((await get("/ogpu/market/v1/tasks/x1")).status).toBe(400);
  });

  it("renders the program index with its built-ins and pages it", async () => {
    const body = await ok("/ogpu/market/v1/programs");
    const height = String(undelegatedAt); // the task was submitted in that block
    expect(body.programs).toEqual([{ program_hash: textCid("inference"), kind: "inference", runtime: "", gpus: 0, first_seen_height: height, last_seen_height: height, task_count: "1" }]);
    expect(body.pagination).toEqual({ next_key: null, total: "0" });
    expect((body.builtins as { kind: string }[]).map((b) => b.kind)).toEqual(["matmul", "hash", "render"]);
    expect((await ok("/ogpu/market/v1/programs?pagination.limit=1&pagination.count_total=true")).pagination).toEqual({ next_key: null, total: "1" });
  });

  it("renders market params and base prices", async () => {
    const params = await ok("/ogpu/market/v1/params");
    expect(JSON.parse(params.params_json as string)).toBeTypeOf("object");
    const prices = (await ok("/ogpu/market/v1/base_price")).prices as Record<string, unknown>[];
    expect(prices.length).toBeGreaterThan(0);
    for (const p of prices) expect(p).toEqual({ tier: expect.any(Number), base_price_per_unit: expect.stringMatching(/^\d+$/), utilization_bps: expect.any(Number) });
  });
});

describe("/openapi.json", () => {
  it("lists every route of the table with its parameters, and every listed LCD path answers", async () => {
    const doc = (await get("/openapi.json")).body as { paths: Record<string, { get: { summary: string; parameters: { name: string; in: string }[] } }> };
    for (const route of LCD_ROUTES) {
      const op = doc.paths[route.path]?.get;
      expect(op?.summary, route.path).toBe(route.summary);
      const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(op!.parameters.filter((p) => p.in === "path").map((p) => p.name)).toEqual(pathParams);
    }
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/healthz", "/metrics", "/openapi.json", "/ogpu/market/v1/tasks/{id}"]));
    // No documented LCD path falls through to the router's NotFound.
    for (const route of LCD_ROUTES) {
      const res = await get(route.path.replace(/\{\w+\}/g, "x"));
      expect(res.body, route.path).not.toEqual({ code: 5, message: "Not Found", details: [] });
    }
  });
});
