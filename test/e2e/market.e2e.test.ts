/**
 * The market on a real node (ogpud + cometbft), driven by stock cosmjs with sdk/registry.ts:
 * three workers with different GPUs/prices/regions, tasks with different requirements and
 * priorities, an unplaceable task with its reason, heartbeat liveness, commit-timeout
 * failover, max retries → EXPIRED, cancel refunds, and the client's balance restored exactly
 * (minus fees) once every task has ended. The node checks every invariant (escrow = Σ open
 * escrows, bonds = Σ bonds) after each block and would halt on a violation.
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryClient, type DeliverTxResponse } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { startTestNode, type Devnet, type TestNode } from "../../testnet/devnet.js";
import { MSG } from "../../sdk/registry.js";
import { TaskStatus, VerificationClass, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { MsgCancelTaskResponse, MsgSubmitTask, MsgSubmitTaskResponse } from "../../proto/gen/ogpu/market/v1/tx.js";
import { QueryTaskRequest, QueryTaskResponse } from "../../proto/gen/ogpu/market/v1/query.js";
import { QueryWorkersRequest, QueryWorkersResponse } from "../../proto/gen/ogpu/workers/v1/query.js";
import { MsgRegisterWorker } from "../../proto/gen/ogpu/workers/v1/tx.js";
import { WorkerStatus } from "../../proto/gen/ogpu/workers/v1/workers.js";
import { connectSigner, moduleAccountAddress, restBalance, TASK_TX_FEE as FEE, TASK_TX_FEE_AMOUNT as FEE_AMOUNT, until, type Signer } from "./helpers.js";
import { textCid } from "../../crypto/cid.js";

const PORT_BASE = TEST_PORTS.market.base;
const PARAMS = { workers: { heartbeat_timeout_blocks: 10 }, market: { commit_timeout_blocks: 10, max_retries: 1 } };
const OFFERS = [
  { name: "w1", model: "RTX4090", vram: 24_576n, region: "eu", price: 100n },
  { name: "w2", model: "A100", vram: 81_920n, region: "us", price: 300n },
  { name: "w3", model: "H100", vram: 81_920n, region: "eu", price: 500n },
];

let devnet: Devnet;
let testNode: TestNode | undefined;
let query: QueryClient;
let client: Signer;
const workers: Signer[] = [];
let clientFees = 0n;
let beating = new Set<string>();
let heartbeatLoop: Promise<void> | undefined;
let stopped = false;

async function send(actor: Signer, msgs: { typeUrl: string; value: unknown }[]): Promise<DeliverTxResponse> {
  const res = await actor.client.signAndBroadcast(actor.address, msgs, FEE);
  if (actor === client) clientFees += FEE_AMOUNT;
  return res;
}

async function task(id: bigint): Promise<Task> {
  const res = await query.queryAbci("/ogpu.market.v1.Query/Task", QueryTaskRequest.encode({ taskId: id }).finish());
  return QueryTaskResponse.decode(res.value).task!;
}

async function workerStatus(address: string): Promise<WorkerStatus> {
  const res = await query.queryAbci("/ogpu.workers.v1.Query/Workers", QueryWorkersRequest.encode({ status: 0, gpuModel: "", pagination: undefined }).finish());
  return QueryWorkersResponse.decode(res.value).workers.find((w) => w.worker!.operator === address)!.status;
}

/** Polls until `check` holds (or fails after `ms`). */
function submitMsg(spec: { bid: bigint; minVram?: bigint; models?: string[]; priority?: number }) {
  return {
    typeUrl: MSG.SubmitTask,
    value: MsgSubmitTask.fromPartial({
      client: client.address,
      kind: "inference",
      programHash: textCid("inference"),
      inputCid: textCid("e2e input"),
      inputBytes: 1024n, // the bytes nodes store for it (a test CID: declared, not uploaded)
      units: 10n,
      requirements: { minVramMb: spec.minVram ?? 0n, gpuModels: spec.models ?? [], tier: 0, preferredRegion: "" },
      redundancy: 1,
      maxPricePerUnit: spec.bid.toString(),
      priority: spec.priority ?? 0,
      deadlineBlocks: 0n,
      verification: VerificationClass.VERIFICATION_CLASS_BITWISE,
    }),
  };
}

/** Submits tasks in one tx (so one block) and returns their ids from the responses. */
async function submit(specs: Parameters<typeof submitMsg>[0][]): Promise<bigint[]> {
  const res = await send(client, specs.map(submitMsg));
  expect(res.code, res.rawLog).toBe(0);
  return res.msgResponses.map((r) => MsgSubmitTaskResponse.decode(r.value).taskId);
}

beforeAll(async () => {
  testNode = await startTestNode({
    portBase: PORT_BASE,
    homePrefix: "ogpu-e2e-market-",
    accounts: [{ name: "client", coins: "100000000000uogpu" }, ...OFFERS.map((o) => ({ name: o.name, coins: "5000000000uogpu" }))],
    params: PARAMS,
  });
  devnet = testNode.devnet;
  query = QueryClient.withExtensions(await connectComet(devnet.rpcUrl));
  client = await connectSigner(devnet, devnet.accounts[0]!);
  for (const account of devnet.accounts.slice(1)) workers.push(await connectSigner(devnet, account));
}, 120_000);

afterAll(async () => {
  stopped = true;
  await heartbeatLoop;
  await testNode?.cleanup();
});

describe("market on a real node", () => {
  it("registers three workers, schedules by the rules, fails over, expires and refunds exactly", async () => {
    const startBalance = await restBalance(devnet, client.address);
    await Promise.all(
      workers.map(async (w, i) => {
        const o = OFFERS[i]!;
        const res = await send(w, [
          {
            typeUrl: MSG.RegisterWorker,
            value: MsgRegisterWorker.fromPartial({
              operator: w.address,
              gpus: [{ vendor: "nvidia", model: o.model, vramMb: o.vram, pciId: "0000:01:00.0", count: 1 }],
              region: o.region,
              pricePerUnit: o.price.toString(),
              maxConcurrent: 4,
              encPubkey: new Uint8Array(1216).fill(i + 1),
              // 10 % above min_worker_bond: each commit timeout slashes 1 %, and a bond below the minimum gets no tasks.
              bond: "1100000000",
            }),
          },
        ]);
        expect(res.code, res.rawLog).toBe(0);
      }),
    );
    const [w1, w2, w3] = workers.map((w) => w.address);
    beating = new Set([w1!, w2!, w3!]);
    heartbeatLoop = (async () => {
      while (!stopped) {
        for (const w of workers) if (beating.has(w.address) && !stopped) await send(w, [{ typeUrl: MSG.Heartbeat, value: { operator: w.address } }]);
        await new Promise((r) => setTimeout(r, 600));
      }
    })();

    // One block: the rules predict w2 (cheapest ≥ 40 GB), w1 (cheapest overall), w3 (only H100); 50 is below every price.
    const [big, urgent, h100, cheap] = await submit([{ bid: 1000n, minVram: 40_000n }, { bid: 1000n, priority: 3 }, { bid: 1000n, models: ["H100"] }, { bid: 50n }]);
    const first = await Promise.all([big!, urgent!, h100!, cheap!].map(task));
    expect(first.map((t) => t.assignments.map((a) => a.worker))).toEqual([[w2], [w1], [w3], []]);
    expect(first[3]).toMatchObject({ status: TaskStatus.TASK_STATUS_PENDING, pendingReason: "requirements_unmet" });

    // Cancel refunds the whole escrow (10 units × 50), reported in the response.
    const cancel = await send(client, [{ typeUrl: MSG.CancelTask, value: { client: client.address, taskId: cheap! } }]);
    expect(cancel.code, cancel.rawLog).toBe(0);
    expect(MsgCancelTaskResponse.decode(cancel.msgResponses[0]!.value).refunded).toBe("500");
    expect((await task(cheap!)).status).toBe(TaskStatus.TASK_STATUS_CANCELLED);

    // No commit within 10 blocks: w1 loses the urgent task, which goes to the next cheapest (w2).
    const moved = await until("failover of the urgent task", () => task(urgent!), (t) => t.retries === 1 && t.assignments.length === 1);
    expect(moved.assignments[0]!.worker).toBe(w2);
    expect(moved.excludedWorkers).toEqual([w1]);
    // Second timeout: max_retries (1) used up → EXPIRED.
    const expired = await until("expiry of the urgent task", () => task(urgent!), (t) => t.status === TaskStatus.TASK_STATUS_EXPIRED);
    expect(expired).toMatchObject({ statusReason: "max_retries", escrow: "0" });

    // w1 stops heartbeating → offline → a new task goes to a live worker although w1 is cheaper.
    beating.delete(w1!);
    await until("w1 offline", () => workerStatus(w1!), (s) => s === WorkerStatus.WORKER_STATUS_OFFLINE);
    const [late] = await submit([{ bid: 1000n }]);
    const lateTask = await task(late!);
    expect(lateTask.assignments.map((a) => a.worker)).toEqual([w2]);

    // End every task (cancel what is still open); afterwards the escrow is empty and the
    // client has exactly its start balance minus the fees it paid.
    for (const id of [big!, h100!, late!]) {
      const t = await task(id);
      if (t.status === TaskStatus.TASK_STATUS_PENDING || t.status === TaskStatus.TASK_STATUS_ASSIGNED) {
        await send(client, [{ typeUrl: MSG.CancelTask, value: { client: client.address, taskId: id } }]);
      }
    }
    for (const id of [big!, urgent!, h100!, cheap!, late!]) {
      await until(`task ${id} ended`, () => task(id), (t) => [TaskStatus.TASK_STATUS_EXPIRED, TaskStatus.TASK_STATUS_CANCELLED].includes(t.status));
    }
    expect(await restBalance(devnet, moduleAccountAddress("market_escrow"))).toBe(0n);
    expect(await restBalance(devnet, client.address)).toBe(startBalance - clientFees);
  });
});
