import { BroadcastTxError } from "@cosmjs/stargate";
import { describe, expect, it } from "vitest";
import { isSequenceMismatch } from "./chain.js";

describe("ChainClient retries", () => {
  it("re-signs only when CheckTx refused the account sequence (sdk 32), not on any other refusal", () => {
    expect(isSequenceMismatch(new BroadcastTxError(32, "sdk", "account sequence mismatch, expected 22, got 21"))).toBe(true);
    expect(isSequenceMismatch(new BroadcastTxError(32, "market", "not a sequence error"))).toBe(false);
    expect(isSequenceMismatch(new BroadcastTxError(5, "sdk", "insufficient funds"))).toBe(false);
    expect(isSequenceMismatch(new Error("account sequence mismatch"))).toBe(false);
  });
});
