import { BroadcastTxError } from "@cosmjs/stargate";
import { describe, expect, it } from "vitest";
import { isWrongSequence } from "./direct-tx.js";

describe("isWrongSequence (the worker's and the CLI's re-sign)", () => {
  it("is true only when CheckTx refused the account sequence (sdk 32), not on any other refusal", () => {
    expect(isWrongSequence(new BroadcastTxError(32, "sdk", "account sequence mismatch, expected 22, got 21"))).toBe(true);
    expect(isWrongSequence(new BroadcastTxError(32, "market", "not a sequence error"))).toBe(false);
    expect(isWrongSequence(new BroadcastTxError(5, "sdk", "insufficient funds"))).toBe(false);
    expect(isWrongSequence(new Error("account sequence mismatch"))).toBe(false);
  });
});
