import { diffieHellman, generateKeyPairSync, createPublicKey } from "node:crypto";
import { x25519 } from "@noble/curves/ed25519.js";
import { ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import { describe, expect, it } from "vitest";
import { isLowOrderX25519, kemPublicKeyDefect, passesMlKemModulusCheck } from "./kem-pubkey.js";
import { generateKemKeyPair, KEM_PUBKEY_LENGTH, X25519_KEY_LENGTH } from "./kem.js";

const P = (1n << 255n) - 19n;
const le32 = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const LOW_ORDER = [0n, 1n, P - 1n, 325606250916557431795983626356110631294008115727848805560023387167927233504n, 39382357235489614581723060781553021112529911719440698176882885853963445705823n];
const SPKI_PREFIX = Buffer.from("302a300506032b656e032100", "hex");

/** OpenSSL's X25519 with a fresh private key: all-zero (or refused) means low order. */
function opensslGivesZero(pub: Uint8Array): boolean {
  const { privateKey } = generateKeyPairSync("x25519");
  try {
    const secret = diffieHellman({ privateKey, publicKey: createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pub]), format: "der", type: "spki" }) });
    return secret.every((b) => b === 0);
  } catch {
    return true;
  }
}

const nobleRefuses = (pub: Uint8Array) => {
  try {
    x25519.getSharedSecret(x25519.utils.randomSecretKey(), pub);
    return false;
  } catch {
    return true;
  }
};

describe("hybrid KEM public key checks", () => {
  it("X25519: every low-order encoding (bit 255 set, non-canonical u + p) is caught, as OpenSSL and noble see it", () => {
    const encodings = LOW_ORDER.flatMap((u) => {
      const plain = le32(u);
      const high = le32(u);
      high[31]! |= 0x80;
      return u + P < 1n << 255n ? [plain, high, le32(u + P)] : [plain, high];
    });
    expect(encodings).toHaveLength(12);
    for (const key of encodings) {
      expect(isLowOrderX25519(key)).toBe(true);
      expect(opensslGivesZero(key)).toBe(true);
      expect(nobleRefuses(key)).toBe(true);
    }
    for (let i = 0; i < 50; i++) {
      const key = generateKemKeyPair().publicKey.subarray(0, X25519_KEY_LENGTH);
      expect(isLowOrderX25519(key)).toBe(false);
      expect(opensslGivesZero(key)).toBe(false);
    }
  });

  it("ML-KEM-768: the modulus check agrees with noble's encapsulate on keys with one coefficient set anywhere in 0..4095", () => {
    const base = generateKemKeyPair().publicKey.subarray(X25519_KEY_LENGTH);
    expect(passesMlKemModulusCheck(base)).toBe(true);
    for (let trial = 0; trial < 200; trial++) {
      const ek = new Uint8Array(base);
      const index = (trial * 389) % 768; // coefficient index within the 3 polynomials
      const value = (trial * 2741) % 4096;
      const at = Math.floor(index / 2) * 3;
      if (index % 2 === 0) {
        ek[at] = value & 0xff;
        ek[at + 1] = (ek[at + 1]! & 0xf0) | (value >> 8);
      } else {
        ek[at + 1] = (ek[at + 1]! & 0x0f) | ((value & 0x0f) << 4);
        ek[at + 2] = value >> 4;
      }
      let nobleAccepts = true;
      try {
        ml_kem768.encapsulate(ek);
      } catch {
        nobleAccepts = false;
      }
      expect(passesMlKemModulusCheck(ek), `coefficient ${index} = ${value}`).toBe(nobleAccepts);
      expect(nobleAccepts).toBe(value < 3329);
    }
  });

  it("kemPublicKeyDefect names the length, the low-order point and the modulus failure, and accepts real keys", () => {
    expect(kemPublicKeyDefect(new Uint8Array(KEM_PUBKEY_LENGTH - 1))).toMatch(`must be ${KEM_PUBKEY_LENGTH} bytes`);
    const lowOrder = generateKemKeyPair().publicKey;
    lowOrder.fill(0, 0, X25519_KEY_LENGTH);
    expect(kemPublicKeyDefect(lowOrder)).toMatch(/low-order/);
    const badModulus = generateKemKeyPair().publicKey;
    badModulus.fill(0xff, X25519_KEY_LENGTH, X25519_KEY_LENGTH + 3);
    expect(kemPublicKeyDefect(badModulus)).toMatch(/modulus/);
    for (let i = 0; i < 20; i++) expect(kemPublicKeyDefect(generateKemKeyPair().publicKey)).toBeUndefined();
  });
});
