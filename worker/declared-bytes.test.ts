import { describe, expect, it } from "vitest";
import { singleChunkCid } from "../crypto/cid.js";
import { builtinProgramId } from "../sdk/programs.js";
import { executors } from "./executors/index.js";
import { executeTask, type InputReader } from "./task-input.js";

/** A task whose data is bigger than its input_bytes declaration is the client's fault (docs/storage.md "Who pays"). */
const input = new TextEncoder().encode(JSON.stringify({ rounds: 3, data: "x".repeat(2000) }));
const cid = singleChunkCid(input);
const reader: InputReader = { address: "ogpu1worker", role: "worker", kemSecret: new Uint8Array(), fetch: async () => input };
const ctx = { signal: new AbortController().signal, slot: 0 };
const task = (inputBytes: bigint) => ({ id: 9n, kind: "hash", programHash: builtinProgramId("hash"), inputCid: cid, inputBytes });

describe("worker: input_bytes declaration", () => {
  it("runs a task whose data fits its declaration, and one from before declarations (0)", async () => {
    expect((await executeTask(task(BigInt(input.length)), executors, reader, ctx)).ok).toBe(true);
    expect((await executeTask(task(0n), executors, reader, ctx)).ok).toBe(true);
  });

  it("refuses a task whose data passes its declaration as input_over_declared (declined, never run)", async () => {
    const err = await executeTask(task(1024n), executors, reader, ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: "input_over_declared" });
    expect((err as Error).message).toContain(`input_bytes declaration (1024)`);
  });
});
