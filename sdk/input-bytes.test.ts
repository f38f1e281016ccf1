import { describe, expect, it } from "vitest";
import { textCid } from "../crypto/cid.js";
import { declaredInputBytes } from "./task-io.js";
import { PROGRAM_KIND } from "./programs.js";

/** MsgSubmitTask.input_bytes as every submitter computes it (docs/storage.md "Who pays"). */
describe("declaredInputBytes", () => {
  const inputCid = textCid("input");
  const bundle = textCid("bundle");

  it("counts what was uploaded, plus a program bundle the caller holds; a declaration given is used as is", async () => {
    expect(await declaredInputBytes(undefined, { kind: "hash" }, { inputCid, storedBytes: 3000n })).toBe(3000n);
    expect(await declaredInputBytes(undefined, { kind: PROGRAM_KIND, programHash: bundle, programBytes: 500 }, { inputCid, storedBytes: 3000n })).toBe(3500n);
    expect(await declaredInputBytes(undefined, { kind: "hash", inputBytes: 77 }, { inputCid })).toBe(77n);
  });

  it("declares at least 1 byte (an empty input still names a blob)", async () => {
    expect(await declaredInputBytes(undefined, { kind: "hash" }, { inputCid, storedBytes: 0n })).toBe(1n);
  });

  it("refuses to guess a size it cannot measure", async () => {
    await expect(declaredInputBytes(undefined, { kind: "hash" }, { inputCid })).rejects.toThrow("give restUrl or inputBytes");
    await expect(declaredInputBytes(undefined, { kind: PROGRAM_KIND, programHash: bundle }, { inputCid, storedBytes: 10n })).rejects.toThrow(`program bundle ${bundle}`);
  });
});
