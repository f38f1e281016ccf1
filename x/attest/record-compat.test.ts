/**
 * TaskRecord field 8 (reveals_exposed) is retired (`reserved` in attest.proto): records stored
 * by a build that still wrote it decode unchanged, and a record written now encodes the same
 * bytes as before (the field was never set any more, so app hashes do not move).
 */
import { describe, expect, it } from "vitest";
import { MemStore } from "../../app/store/kvstore.js";
import { wireTag, wireVarint, WireType } from "../../app/proto-guard.js";
import { Phase, TaskRecord } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { getRecord, putRecord } from "./store.js";

describe("TaskRecord with the retired reveals_exposed field", () => {
  const record = TaskRecord.fromPartial({ taskId: 7n, phase: Phase.PHASE_REVEAL, revealByHeight: 40n, drawHeight: 12n, auditPBps: 900, audited: true, disputeReason: "" });

  it("a stored record that still carries field 8 = true decodes to the same record", () => {
    const current = TaskRecord.encode(record).finish();
    const legacy = Uint8Array.from([...current, ...wireTag(8, WireType.varint), ...wireVarint(1)]);
    expect(TaskRecord.decode(legacy)).toEqual(TaskRecord.decode(current));
    // Rewritten, it is the record's current bytes: the retired field is gone, nothing else moves.
    expect(TaskRecord.encode(TaskRecord.decode(legacy)).finish()).toEqual(current);
    const store = new MemStore();
    putRecord(store, record);
    expect(getRecord(store, 7n)).toEqual(record);
  });
});
