/**
 * Issue 10 item 4 — nothing a user can do trips an invariant halt, and (item 3) ended tasks
 * are pruned after their retention window. In process with invariant checking on (the chain
 * helper checks every invariant after every block and throws on a broken one, as
 * `--check-invariants` halts a node).
 */
import { afterEach, describe, expect, it } from "vitest";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { QueryTaskRequest, QueryTasksRequest, QueryTasksResponse } from "../../proto/gen/ogpu/market/v1/query.js";
import { AttestCode } from "../../x/attest/errors.js";
import { commitMsg, digestOf, expectOk, startPosChain, type PosChain } from "../../x/attest/testing.js";
import { nextTaskId } from "../../x/market/keeper.js";
import { cancelTaskMsg, submitTaskMsg } from "../../x/market/testing.js";

let chain: PosChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

const RIGHT = digestOf("output");

async function assignedTask(c: PosChain): Promise<{ id: bigint; workers: PosChain["workers"] }> {
  const id = nextTaskId(c.app.store);
  expectOk(await c.run([c.client.tx([submitTaskMsg(c.client.address, { bid: 1000n, units: 10n, k: 2 })])]));
  const workers = c.task(id).assignments.map((a) => c.workers.find((w) => w.address === a.worker)!);
  expect(workers).toHaveLength(2);
  return { id, workers };
}

function query(c: PosChain, path: string, data: Uint8Array) {
  return c.app.query({ path, data, height: 0n, prove: false });
}

describe("no invariant halt from user transactions", () => {
  it("item 4: a cancel and a commit racing in one block: the commit is refused, no orphan record, the chain goes on", async () => {
    const c = (chain = await startPosChain({ checkInvariants: true }));
    const { id, workers } = await assignedTask(c);
    // Cancel first, then the worker's commit, in the same block (the order a proposer may pick).
    const { txResults } = await c.run([c.client.tx([cancelTaskMsg(c.client.address, id)]), workers[0]!.tx([commitMsg(workers[0]!.address, id, RIGHT)])]);
    expect(txResults[0]!.code).toBe(0);
    expect(txResults[1]).toMatchObject({ code: AttestCode.TaskEnded, codespace: "attest" });
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_CANCELLED);
    expect(c.task(id).assignments.every((a) => !a.committed)).toBe(true);
    expect(c.record(id)).toBeUndefined();
    expect(c.app.brokenInvariants()).toEqual([]);
    // A later commit on the ended task is refused the same way, and blocks keep coming.
    const late = await c.run([workers[1]!.tx([commitMsg(workers[1]!.address, id, RIGHT)])]);
    expect(late.txResults[0]).toMatchObject({ code: AttestCode.TaskEnded, codespace: "attest" });
    await c.run([]);
    expect(c.record(id)).toBeUndefined();
  });

  it("item 4: commit first, then cancel, in one block: the cancel is refused (committed work settles through Proof of Sync)", async () => {
    const c = (chain = await startPosChain({ checkInvariants: true }));
    const { id, workers } = await assignedTask(c);
    const { txResults } = await c.run([workers[0]!.tx([commitMsg(workers[0]!.address, id, RIGHT)]), c.client.tx([cancelTaskMsg(c.client.address, id)])]);
    expect(txResults[0]!.code).toBe(0);
    expect(txResults[1]).toMatchObject({ code: 9, codespace: "market" });
    expect(c.record(id)!.results).toHaveLength(1);
    expect(c.app.brokenInvariants()).toEqual([]);
  });

  it("item 3: ended tasks are pruned after task_retention_blocks, at most max_prunes_per_block a block; the Task query then says where the history is", async () => {
    const c = (chain = await startPosChain({ checkInvariants: true, params: { market: { task_retention_blocks: 3, max_prunes_per_block: 2 } } }));
    const first = nextTaskId(c.app.store);
    const submits = [0, 1, 2].map(() => submitTaskMsg(c.client.address, { bid: 1000n, units: 10n, k: 2, deadlineBlocks: 1000n }));
    expectOk(await c.run([c.client.tx(submits)]));
    const ids = [first, first + 1n, first + 2n];
    expectOk(await c.run([c.client.tx(ids.map((id) => cancelTaskMsg(c.client.address, id)))]));
    const cancelHeight = c.height;
    while (c.height < cancelHeight + 2n) await c.run([]);
    expect(ids.map((id) => c.task(id)?.status)).toEqual(ids.map(() => TaskStatus.TASK_STATUS_CANCELLED));
    await c.run([]); // cancel height + 3: two of the three go (the per-block bound)
    expect(ids.map((id) => c.keepers.market.getTask(c.app.store, id) === undefined)).toEqual([true, true, false]);
    await c.run([]);
    expect(ids.map((id) => c.keepers.market.getTask(c.app.store, id))).toEqual([undefined, undefined, undefined]);

    const listed = QueryTasksResponse.decode(query(c, "/ogpu.market.v1.Query/Tasks", QueryTasksRequest.encode(QueryTasksRequest.fromPartial({ client: c.client.address })).finish()).value);
    expect(listed.tasks).toEqual([]);
    const missing = query(c, "/ogpu.market.v1.Query/Task", QueryTaskRequest.encode({ taskId: first }).finish());
    expect(missing.code).not.toBe(0);
    expect(missing.log).toContain(`task_status.task_id=${first}`);
    const never = query(c, "/ogpu.market.v1.Query/Task", QueryTaskRequest.encode({ taskId: 999n }).finish());
    expect(never.log).toMatch(/task 999 not found$/);
    expect(c.app.brokenInvariants()).toEqual([]);
  });
});
