import { describe, expect, it } from "vitest";
import { MLDSA65_PUBKEY_LENGTH, MLDSA65_SIGNATURE_LENGTH, mlDsa65KeyPair, signMlDsa65, verifyMlDsa65 } from "./mldsa65.js";

const seed = new Uint8Array(32).fill(7);
const { publicKey, secretKey } = mlDsa65KeyPair(seed);
const msg = new TextEncoder().encode("sign doc bytes");
const sig = signMlDsa65(secretKey, msg);

describe("ML-DSA-65", () => {
  it("derives the same key pair from the same seed", () => {
    expect(mlDsa65KeyPair(seed).publicKey).toEqual(publicKey);
    expect(mlDsa65KeyPair(new Uint8Array(32).fill(8)).publicKey).not.toEqual(publicKey);
    expect(publicKey.length).toBe(MLDSA65_PUBKEY_LENGTH);
    expect(sig.length).toBe(MLDSA65_SIGNATURE_LENGTH);
  });

  it("rejects a seed of the wrong length", () => {
    expect(() => mlDsa65KeyPair(new Uint8Array(31))).toThrow(/32 bytes/);
  });

  it("verifies its own signatures and rejects tampering", () => {
    expect(verifyMlDsa65(publicKey, msg, sig)).toBe(true);
    const bad = sig.slice();
    bad[100] ^= 1;
    expect(verifyMlDsa65(publicKey, msg, bad)).toBe(false);
    expect(verifyMlDsa65(publicKey, new TextEncoder().encode("other"), sig)).toBe(false);
    expect(verifyMlDsa65(mlDsa65KeyPair(new Uint8Array(32)).publicKey, msg, sig)).toBe(false);
  });

  it("never throws on malformed input", () => {
    expect(verifyMlDsa65(publicKey.subarray(1), msg, sig)).toBe(false);
    expect(verifyMlDsa65(publicKey, msg, sig.subarray(1))).toBe(false);
    expect(verifyMlDsa65(new Uint8Array(), new Uint8Array(), new Uint8Array())).toBe(false);
    expect(verifyMlDsa65(new Uint8Array(MLDSA65_PUBKEY_LENGTH), msg, new Uint8Array(MLDSA65_SIGNATURE_LENGTH))).toBe(false);
  });
});
