/**
 * Program tasks on chain (docs/programs.md): the scheduler assigns a task whose requirements
 * name a runtime and GPU devices only to workers advertising that runtime and having that many
 * matching GPUs; submissions and worker offers are validated.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MsgUpdateWorker } from "../../proto/gen/ogpu/workers/v1/tx.js";
import { MSG } from "../../sdk/registry.js";
import { textCid } from "../../crypto/cid.js";
import { marketFixture, type MarketFixture } from "./fixture.js";
import { getWorker } from "../workers/keeper.js";
import { gpu, registerWorkerMsg, submitTaskMsg, type TaskSpec, type WorkerOffer } from "./testing.js";

let fx: MarketFixture | undefined;
afterEach(async () => {
  await fx?.chain.close();
  fx = undefined;
});

// The cheapest worker has neither the runtime nor more than one GPU: a scheduler ignoring the
// requirements would pick it first every time.
const OFFERS: WorkerOffer[] = [
  { gpus: [gpu("RTX4090", 24_576)], region: "eu", price: 100n, maxConcurrent: 50 },
  { gpus: [gpu("A100", 81_920, 2)], region: "eu", price: 300n, maxConcurrent: 50, runtimes: ["process"] },
  { gpus: [gpu("H100", 81_920, 4)], region: "eu", price: 500n, maxConcurrent: 50, runtimes: ["process", "oci"] },
];
const CID = textCid("a program bundle");

async function submitAll(f: MarketFixture, specs: TaskSpec[]): Promise<{ ids: bigint[]; logs: string[] }> {
  const first = f.nextTaskId();
  const results = await f.chain.block(specs.map((s) => f.client.tx([submitTaskMsg(f.client.address, s)])));
  return { ids: specs.map((_, i) => first + BigInt(i)), logs: results.map((r) => r.log) };
}

const updateRuntimes = (operator: string, runtimes: string[]) => ({ typeUrl: MSG.UpdateWorker, value: MsgUpdateWorker.encode(MsgUpdateWorker.fromPartial({ operator, runtimes })).finish() });

describe("program tasks are assigned only to workers with the runtime and the GPUs", () => {
  it("over 30 tasks, a worker without the runtime or enough GPUs is never assigned", async () => {
    fx = await marketFixture({}, OFFERS);
    const [cheap, a100, h100] = fx.workers.map((w) => w.address);
    const specs: TaskSpec[] = [];
    for (let i = 0; i < 10; i++) {
      specs.push({ bid: 1000n, program: { runtime: "process", hash: CID } }); // A100 or H100
      specs.push({ bid: 1000n, program: { runtime: "process", gpus: 3, hash: CID } }); // only the H100 has 3+
      specs.push({ bid: 1000n, program: { runtime: "oci", gpus: 1, hash: CID } }); // only the H100 offers oci
    }
    const { ids, logs } = await submitAll(fx, specs);
    expect(logs.every((l) => l === "")).toBe(true);
    // A block hands each worker a bounded number of new slots: a few blocks place them all.
    for (let i = 0; i < 10 && ids.some((id) => fx!.task(id).assignments.length === 0); i++) await fx.chain.block([]);
    const assigned = ids.map((id) => fx!.task(id).assignments.map((a) => a.worker));
    expect(assigned.every((ws) => ws.length === 1)).toBe(true);
    expect(assigned.flat()).not.toContain(cheap);
    ids.forEach((id, i) => {
      if (i % 3 === 0) expect(fx!.task(id).assignments[0]!.worker).toBe(a100); // cheapest with the runtime
      else expect(fx!.task(id).assignments[0]!.worker).toBe(h100);
    });
    // Built-in kinds need no runtime: the cheapest worker still gets them.
    const builtin = await submitAll(fx, [{ bid: 1000n }]);
    expect(fx.task(builtin.ids[0]!).assignments[0]!.worker).toBe(cheap);
    expect(fx.chain.app.brokenInvariants()).toEqual([]);
  });

  it("a program task waits (requirements_unmet) until a worker advertises its runtime", async () => {
    fx = await marketFixture({}, OFFERS);
    const [cheap, , h100] = fx.workers;
    // Submitted while the H100 offers oci, which it withdraws in the same block, before scheduling.
    const id = fx.nextTaskId();
    const [submitted, withdrawn] = await fx.chain.block([
      fx.client.tx([submitTaskMsg(fx.client.address, { bid: 1000n, program: { runtime: "oci", gpus: 1, hash: CID } })]),
      h100!.tx([updateRuntimes(h100!.address, ["process"])]),
    ]);
    expect([submitted!.log, withdrawn!.log]).toEqual(["", ""]);
    expect(fx.task(id).assignments).toEqual([]);
    expect(fx.task(id).pendingReason).toBe("requirements_unmet");
    await fx.chain.block([cheap!.tx([updateRuntimes(cheap!.address, ["process", "oci"])])]);
    await fx.chain.block([]);
    expect(fx.task(id).assignments.map((a) => a.worker)).toEqual([cheap!.address]);
  });
});

describe("validation", () => {
  const cases: [string, TaskSpec, RegExp][] = [
    ["program without runtime", { bid: 1000n, program: { runtime: "", hash: CID } }, /needs requirements.runtime/],
    ["unknown runtime", { bid: 1000n, program: { runtime: "docker", hash: CID } }, /"docker" is not a runtime/],
    ["program hash not a CID", { bid: 1000n, program: { runtime: "process", hash: "builtin:matmul" } }, /program_hash = the bundle's blob CID/],
    ["too many GPUs", { bid: 1000n, program: { runtime: "process", gpus: 17, hash: CID } }, /requirements.gpus 17 must be in 0..16/],
    ["no worker with the runtime and GPUs", { bid: 1000n, program: { runtime: "oci", gpus: 5, hash: CID } }, /redundancy 1 exceeds the 0 registered worker\(s\) whose GPUs and runtimes \(oci\)/],
  ];
  it.each(cases)("refuses a submission: %s", async (_name, spec, log) => {
    fx = await marketFixture({}, OFFERS);
    const { logs } = await submitAll(fx, [spec]);
    expect(logs[0]).toMatch(log);
  });

  it("refuses a runtime on a built-in kind, and unknown or repeated runtimes in a worker's offer; ['none'] clears them", async () => {
    fx = await marketFixture({}, OFFERS);
    const msg = submitTaskMsg(fx.client.address, { bid: 1000n });
    const { MsgSubmitTask } = await import("../../proto/gen/ogpu/market/v1/tx.js");
    const decoded = MsgSubmitTask.decode(msg.value);
    decoded.requirements!.runtime = "process";
    const [builtin] = await fx.chain.block([fx.client.tx([{ typeUrl: msg.typeUrl, value: MsgSubmitTask.encode(decoded).finish() }])]);
    expect(builtin!.log).toMatch(/requirements.runtime applies to kind "program" only/);
    const [, a100] = fx.workers;
    const [unknown, twice] = await fx.chain.block([a100!.tx([updateRuntimes(a100!.address, ["cuda"])]), fx.other.tx([registerWorkerMsg(fx.other.address, { ...OFFERS[0]!, runtimes: ["process", "process"] })])]);
    expect(unknown!.log).toMatch(/runtimes \[0\] "cuda" is not a runtime/);
    expect(twice!.log).toMatch(/"process" is listed twice/);
    expect(getWorker(fx.chain.app.store, a100!.address)!.runtimes).toEqual(["process"]);
    await fx.chain.block([a100!.tx([updateRuntimes(a100!.address, ["none"])])]);
    expect(getWorker(fx.chain.app.store, a100!.address)!.runtimes).toEqual([]);
  });
});
