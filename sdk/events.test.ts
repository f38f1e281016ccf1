import { describe, expect, it } from "vitest";
import { chainOrder, resultFrom, transitionsIn, type AbciEvent, type KeyedUpdate } from "./events.js";

const status = (id: string, from: string, to: string, reason: string): AbciEvent => ({
  type: "task_status",
  attributes: [
    { key: "task_id", value: id },
    { key: "from", value: from },
    { key: "to", value: to },
    { key: "reason", value: reason },
  ],
});

describe("task transitions from ABCI events", () => {
  it("keeps only the task's own status events, keyed by source, with the related events attached", () => {
    const events: AbciEvent[] = [
      status("7", "pending", "assigned", "scheduled"),
      { type: "task_assigned", attributes: [{ key: "task_id", value: "7" }, { key: "worker", value: "ogpu1w" }] },
      status("70", "pending", "assigned", "scheduled"),
    ];
    const found = transitionsIn(events, 7n, 12, "block", "12", 1);
    expect(found.map((k) => k.key)).toEqual(["block:12:0"]);
    expect(found[0]!.update).toMatchObject({ state: "assigned", from: "pending", reason: "scheduled", height: 12 });
    expect(found[0]!.update.events.map((e) => e.type)).toEqual(["task_status", "task_assigned"]);
  });

  it("orders one height by the from → to chain whatever the arrival order, and stops at a gap", () => {
    // A block's events arrive before its txs' over the websocket: the scheduling (block) came first here.
    const block = transitionsIn([status("1", "pending", "assigned", "scheduled")], 1n, 5, "block", "5", 1);
    const tx = transitionsIn([status("1", "unspecified", "pending", "submitted")], 1n, 5, "tx", "AB", 0);
    const later = transitionsIn([status("1", "committed", "revealed", "all_revealed")], 1n, 9, "tx", "CD", 0);
    const { ordered, rest } = chainOrder("unspecified", [...block, ...later, ...tx] as KeyedUpdate[]);
    expect(ordered.map((k) => k.update.state)).toEqual(["pending", "assigned"]);
    // "assigned → committed" was never seen: the reveal waits (the watcher then catches up).
    expect(rest.map((k) => k.update.state)).toEqual(["revealed"]);
  });

  it("reads the agreed digest from the settlement event and the output CID from the matching reveal", () => {
    const [final] = transitionsIn(
      [
        { type: "attest_finalized", attributes: [{ key: "task_id", value: "3" }, { key: "result_digest", value: "aa" }, { key: "paid_workers", value: "ogpu1b" }] },
        status("3", "revealed", "finalized", "finalized"),
      ],
      3n, 20, "block", "20", 1,
    );
    const reveal = (worker: string, digest: string, cid: string) => ({ type: "attest_reveal", attributes: { task_id: "3", worker, result_digest: digest, output_cid: cid } });
    const result = resultFrom(final!.update, [reveal("ogpu1a", "bb", "cid-wrong"), reveal("ogpu1b", "aa", "cid-right")]);
    expect(result).toEqual({ taskId: 3n, state: "finalized", height: 20, digest: "aa", outputCid: "cid-right", paidWorkers: ["ogpu1b"] });
  });

  it("on a tolerance task (no single settled digest) takes a paid worker's reveal", () => {
    const [final] = transitionsIn(
      [
        { type: "attest_finalized", attributes: [{ key: "task_id", value: "4" }, { key: "result_digest", value: "" }, { key: "paid_workers", value: "ogpu1b,ogpu1c" }] },
        status("4", "auditing", "finalized", "finalized"),
      ],
      4n, 30, "block", "30", 1,
    );
    const reveal = (worker: string, digest: string, cid: string) => ({ type: "attest_reveal", attributes: { task_id: "4", worker, result_digest: digest, output_cid: cid } });
    const result = resultFrom(final!.update, [reveal("ogpu1a", "aa", "cid-perturbed"), reveal("ogpu1b", "bb", "cid-b"), reveal("ogpu1c", "cc", "cid-c")]);
    expect(result).toEqual({ taskId: 4n, state: "finalized", height: 30, digest: "bb", outputCid: "cid-b", paidWorkers: ["ogpu1b", "ogpu1c"] });
  });
});
