/**
 * Provider rewards on a real node (ogpud + cometbft, emission on, a 200-block provider epoch):
 * two real `ogpu-worker` processes (different prices) heartbeat and run one encrypted k = 2
 * task, audited by the validator's real auditor, to FINALIZED; at the epoch's end each
 * worker's operator is paid exactly P_i = min(C_i, ⌊B × w_i / Σw⌋), w_i = C_i × T_i × λ_i,
 * which this test computes itself from what it reads back on chain: C_i from the task's
 * assignments and the market fee, T_i from the uptime windows (x/mint's provider-rewards
 * query) and heartbeat_timeout_blocks, λ_i from the worker's tier and the BasePrice query, B
 * from the mint params over the epoch's blocks — and its balance moves by exactly P_i.
 * Ports: TEST_PORTS.providerRewards (testnet/ports.ts): the node, worker metrics +10..,
 * auditor metrics +20.
 */
import { TEST_PORTS, portAt } from "../../testnet/ports.js";
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryClient } from "@cosmjs/stargate";
import { connectComet, type CometClient } from "@cosmjs/tendermint-rpc";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { QueryProviderRewardsRequest, QueryProviderRewardsResponse, QueryScheduleRequest, QueryScheduleResponse } from "../../proto/gen/ogpu/mint/v1/query.js";
import { QueryBasePriceRequest, QueryBasePriceResponse } from "../../proto/gen/ogpu/market/v1/query.js";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { OgpuClient } from "../../sdk/client.js";
import { listAuditorKeys, listWorkers } from "../../sdk/queries.js";
import { marketParams } from "../../x/market/params.js";
import { offsetPort, startTestNode, type Devnet, type TestNode } from "../../testnet/devnet.js";
import { packageRoot } from "../../cmd/paths.js";
import { initWorkerKeys } from "../../worker/keys.js";
import { DENOM, OGPU, rpcGet, TASK_TX_FEE as FEE, until as pollUntil } from "./helpers.js";

const PORT_BASE = TEST_PORTS.providerRewards.base;
const METRICS_PORT = offsetPort(portAt(TEST_PORTS.providerRewards, 10));
const AUDITOR_METRICS_PORT = offsetPort(portAt(TEST_PORTS.providerRewards, 20));
const BPS = 10_000n;
/** Emission: 100 uogpu a block, 30 % (30 uogpu) of it budgeted for providers; no halving in reach. */
const BLOCK_REWARD = 100n;
const PROVIDER_SHARE_BPS = 3000n;
const EPOCH_BLOCKS = 200n;
/** The task must run inside one epoch: it is submitted only with this many blocks of the epoch left. */
const EPOCH_BLOCKS_LEFT = 140n;
const HEARTBEAT_WINDOW = 20n;
const LAMBDA = { min: 5000n, max: 20_000n };
const UNITS = 1000n;
/** Different prices, so different fees C_i and shares of the budget. */
const PRICES = [100n, 150n];
const PARAMS = {
  workers: { heartbeat_timeout_blocks: Number(HEARTBEAT_WINDOW) },
  market: { commit_timeout_blocks: 25, max_retries: 3 },
  attest: { audit_timeout_blocks: 60, reveal_timeout_blocks: 40 },
  mint: {
    initial_block_reward: BLOCK_REWARD.toString(),
    halving_interval_blocks: 1_000_000,
    provider_share_bps: Number(PROVIDER_SHARE_BPS),
    reward_epoch_blocks: Number(EPOCH_BLOCKS),
    lambda_min_bps: Number(LAMBDA.min),
    lambda_max_bps: Number(LAMBDA.max),
  },
};

interface Proc {
  proc: ChildProcess;
  exited: Promise<unknown>;
}

let testNode: TestNode | undefined;
let devnet: Devnet;
let comet: CometClient;
let q: QueryClient;
let client: OgpuClient;
let validator: OgpuClient;
const workers: (Proc & { home: string; address: string })[] = [];
let auditor: Proc | undefined;

const workerScript = () => join(packageRoot(), "dist", "worker", "main.js");

/** `ogpu-worker <args>` against the devnet, its output appended to `logFile`. */
function spawnWorkerBinary(args: string[], logFile: string): Proc {
  const log = createWriteStream(logFile, { flags: "a" });
  const proc = spawn(process.execPath, [workerScript(), ...args, "--keyring-backend", "test", "--node", devnet.rpcUrl, "--rest", devnet.restUrl], { stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout!.pipe(log, { end: false });
  proc.stderr!.pipe(log, { end: false });
  return { proc, exited: new Promise((resolve) => proc.once("exit", resolve)) };
}

async function stop(p: Proc): Promise<void> {
  if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill("SIGTERM");
  await p.exited;
}

const logTails = async () => {
  const files = [...workers.map((w) => join(w.home, "worker.log")), join(devnet.home, "auditor.log"), join(devnet.home, "ogpud.log")];
  return (await Promise.all(files.map((f) => readFile(f, "utf8").catch(() => "")))).map((l) => l.slice(-1500)).join("\n---\n");
};
const until = <T>(what: string, read: () => Promise<T>, check: (v: T) => boolean, ms = 90_000) => pollUntil(what, read, check, ms, logTails);

/** An ABCI query answered at the latest height, with that height (reads below are ordered by it). */
async function queryAt<Req, Res>(path: string, req: Req, codec: { encode(r: Req): { finish(): Uint8Array } }, decode: (b: Uint8Array) => Res): Promise<{ height: bigint; value: Res }> {
  const res = await q.queryAbci(path, codec.encode(req).finish());
  return { height: BigInt(res.height ?? 0), value: decode(res.value) };
}
const schedule = () => queryAt("/ogpu.mint.v1.Query/Schedule", {}, QueryScheduleRequest, (b) => QueryScheduleResponse.decode(b));
const standing = (worker: string) => queryAt("/ogpu.mint.v1.Query/ProviderRewards", { worker }, QueryProviderRewardsRequest, (b) => QueryProviderRewardsResponse.decode(b));
const balance = (address: string) =>
  queryAt("/cosmos.bank.v1beta1.Query/Balance", { address, denom: DENOM }, QueryBalanceRequest, (b) => BigInt(QueryBalanceResponse.decode(b).balance?.amount ?? "0"));
const tierPrices = async () => (await queryAt("/ogpu.market.v1.Query/BasePrice", {}, QueryBasePriceRequest, (b) => QueryBasePriceResponse.decode(b))).value.prices;

type BlockEvents = { finalize_block_events?: { type: string; attributes: { key: string; value: string }[] }[] };

beforeAll(async () => {
  testNode = await startTestNode({
    portBase: PORT_BASE,
    homePrefix: "ogpu-e2e-provider-rewards-",
    accounts: [
      { name: "val", coins: `${100_000n * OGPU}${DENOM}` },
      { name: "client", coins: `${100_000n * OGPU}${DENOM}` },
    ],
    validator: { stake: `${10_000n * OGPU}${DENOM}` },
    params: PARAMS,
  });
  devnet = testNode.devnet;
  comet = await connectComet(devnet.rpcUrl);
  q = new QueryClient(comet);
  const opts = { fee: FEE, broadcastPollIntervalMs: 200, restUrl: devnet.restUrl };
  validator = await OgpuClient.fromMnemonic(devnet.rpcUrl, devnet.accounts[0]!.mnemonic, opts);
  client = await OgpuClient.fromMnemonic(devnet.rpcUrl, devnet.accounts[1]!.mnemonic, opts);
  for (const [i, price] of PRICES.entries()) {
    const home = join(devnet.home, `worker${i}`);
    const { address } = await initWorkerKeys(home, "test");
    await validator.broadcast([{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: validator.address, toAddress: address, amount: [{ denom: DENOM, amount: String(1200n * OGPU) }] } }]);
    const args = ["start", "--home", home, "--max-concurrent", "2", "--heartbeat-blocks", "5", "--price-per-unit", price.toString(), "--metrics-port", String(METRICS_PORT + i), "--grace-ms", "2000"];
    workers.push({ home, address, ...spawnWorkerBinary(args, join(home, "worker.log")) });
  }
  await until("both workers online", () => listWorkers(comet, { status: "online" }), (ws) => ws.length === 2);
  auditor = spawnWorkerBinary(["audit", "--home", devnet.home, "--key", "val", "--metrics-port", String(AUDITOR_METRICS_PORT)], join(devnet.home, "auditor.log"));
  await until("the auditor's key on chain", () => listAuditorKeys(comet), (ks) => ks.some((k) => k.validator === validator.address));
}, 180_000);

afterAll(async () => {
  for (const p of [...workers, ...(auditor ? [auditor] : [])]) await stop(p);
  client?.disconnect();
  validator?.disconnect();
  comet?.disconnect();
  await testNode?.cleanup();
}, 60_000);

describe("provider rewards on a real node", () => {
  it("workers with verified compute and uptime are paid the formula's P_i at the epoch's end, to the uogpu", async () => {
    // 1. Wait for an epoch with room for the task; no task ran before, so every tier's base
    //    price is still what x/mint snapshot at the epoch's first block (λ's denominator).
    const open = await until("an epoch with room for the task", schedule, (s) => s.height - s.value.epochStart < EPOCH_BLOCKS - EPOCH_BLOCKS_LEFT, 180_000);
    const start = open.value.epochStart;
    const startPrices = await tierPrices();

    // 2. One encrypted k = 2 task on both workers, audited, FINALIZED.
    const input = new TextEncoder().encode(JSON.stringify({ n: 32, seed: 11 }));
    const { taskId } = await client.submitTask({ kind: "matmul", input, units: UNITS, maxPricePerUnit: 200n, redundancy: 2 });
    await client.waitForResult(taskId, { timeoutMs: 120_000 });
    const task = (await client.getTask(taskId))!;
    expect(task.status).toBe(TaskStatus.TASK_STATUS_FINALIZED);

    // 3. Stop the workers (no more txs of theirs: their balances now move only by the reward)
    //    and read each one's fee credit, uptime and balance in the still open epoch.
    for (const w of workers) await stop(w);
    const quiet = (await schedule()).height + 3n;
    await until("3 blocks after the workers stopped", schedule, (s) => s.height >= quiet);
    const before = await Promise.all(workers.map(async (w) => ({ standing: await standing(w.address), balance: await balance(w.address) })));
    for (const b of before) {
      expect(b.standing.value.epochStart, "the task must finish inside the epoch it started in").toBe(start);
      expect(b.balance.height).toBeGreaterThanOrEqual(quiet);
    }

    // 4. The epoch closes at H (the first block after it); the payout is in H's events.
    const closed = await until("the epoch to close", schedule, (s) => s.value.epochStart > start, 180_000);
    const H = closed.value.epochStart;
    const events = (await rpcGet<BlockEvents>(devnet.rpcUrl, `block_results?height=${H}`)).finalize_block_events ?? [];
    const attrs = (e: { attributes: { key: string; value: string }[] }) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value]));
    const rewardEvents = events.filter((e) => e.type === "provider_reward").map(attrs);
    const epochEvent = attrs(events.find((e) => e.type === "provider_epoch")!);
    const endPrices = await tierPrices();

    // 5. The formula, from the on-chain inputs (written out here, independently of x/mint/rewards.ts).
    const feeBps = BigInt(marketParams.parse(undefined).market_fee_bps);
    const epochLength = H - start;
    const budget = epochLength * ((BLOCK_REWARD * PROVIDER_SHARE_BPS) / BPS);
    const windows = (epochLength + HEARTBEAT_WINDOW - 1n) / HEARTBEAT_WINDOW;
    const views = await listWorkers(comet, {});
    const inputs = workers.map((w, i) => {
      const assignment = task.assignments.find((a) => a.worker === w.address)!;
      const fee = (BigInt(assignment.pricePerUnit) * task.units * feeBps) / BPS;
      const uptimeWindows = before[i]!.standing.value.uptimeWindows;
      const uptime = (uptimeWindows * BPS) / windows > BPS ? BPS : (uptimeWindows * BPS) / windows;
      const tier = views.find((v) => v.worker!.operator === w.address)!.tier;
      const priceAt = (prices: typeof startPrices) => BigInt(prices.find((p) => p.tier === tier)!.basePricePerUnit);
      const ratio = (priceAt(endPrices) * BPS) / priceAt(startPrices);
      const lambda = ratio < LAMBDA.min ? LAMBDA.min : ratio > LAMBDA.max ? LAMBDA.max : ratio;
      return { fee, uptime, lambda, uptimeWindows, weight: fee * uptime * lambda };
    });
    const totalWeight = inputs.reduce((s, x) => s + x.weight, 0n);
    const rewards = inputs.map((x) => {
      const share = (budget * x.weight) / totalWeight;
      return share < x.fee ? share : x.fee;
    });
    console.info(`provider epoch [${start}, ${H - 1n}]: B ${budget}, Σw ${totalWeight}; ` + inputs.map((x, i) => `worker ${i}: C ${x.fee} T ${x.uptime} (${x.uptimeWindows}/${windows} windows) λ ${x.lambda} → P ${rewards[i]}`).join("; "));
    // The inputs are real: fees as the task's assignments priced them, uptime in windows seen.
    expect(inputs.map((x) => x.fee)).toEqual(PRICES.map((p) => (p * UNITS * feeBps) / BPS));
    for (const x of inputs) expect(x.uptimeWindows).toBeGreaterThan(0n);
    // With these figures the budget, not the fee cap, binds: P_i is the share ⌊B × w_i / Σw⌋.
    expect(rewards.every((r, i) => r < inputs[i]!.fee && r > 0n)).toBe(true);

    // 6. What the chain paid: the events, the standing, and each operator's balance.
    expect(epochEvent).toMatchObject({ start_height: start.toString(), end_height: (H - 1n).toString(), budget: budget.toString(), paid: (rewards[0]! + rewards[1]!).toString() });
    for (const [i, w] of workers.entries()) {
      const x = inputs[i]!;
      expect(rewardEvents.find((e) => e.worker === w.address)).toEqual({
        worker: w.address,
        amount: rewards[i]!.toString(),
        fee_credit: x.fee.toString(),
        uptime_bps: x.uptime.toString(),
        lambda_bps: x.lambda.toString(),
      });
      expect(before[i]!.standing.value.feeCredit).toBe(x.fee.toString());
      const after = await balance(w.address);
      expect(after.height).toBeGreaterThanOrEqual(H);
      expect(after.value - before[i]!.balance.value).toBe(rewards[i]!);
      expect((await standing(w.address)).value.totalPaid).toBe(rewards[i]!.toString());
    }
  }, 420_000);
});
