import { describe, expect, it } from "vitest";
import {
  KEM_CIPHERTEXT_LENGTH,
  KEM_PUBKEY_LENGTH,
  KEM_SECRET_LENGTH,
  generateKemKeyPair,
  kemDecapsulate,
  kemEncapsulate,
  kemKeyPairFromSeed,
  kemPublicKey,
} from "./kem.js";
import { ENC_PUBKEY_LENGTH } from "../x/workers/msgs.js";

const seed = (fill: number) => new Uint8Array(64).fill(fill);

describe("hybrid KEM (X25519 + ML-KEM-768)", () => {
  it("derives the same key pair from the same seed, and different ones from different seeds", () => {
    const a = kemKeyPairFromSeed(seed(1));
    const again = kemKeyPairFromSeed(seed(1));
    const b = kemKeyPairFromSeed(seed(2));
    expect(a.publicKey).toEqual(again.publicKey);
    expect(a.secretKey).toEqual(again.secretKey);
    expect(a.publicKey).not.toEqual(b.publicKey);
    expect(a.publicKey.length).toBe(KEM_PUBKEY_LENGTH);
    expect(KEM_PUBKEY_LENGTH).toBe(ENC_PUBKEY_LENGTH);
    expect(a.secretKey.length).toBe(KEM_SECRET_LENGTH);
    expect(kemPublicKey(a.secretKey)).toEqual(a.publicKey);
  });

  it("round-trips a shared secret, fresh for every encapsulation", async () => {
    const pair = generateKemKeyPair();
    expect(kemKeyPairFromSeed(pair.seed).publicKey).toEqual(pair.publicKey);
    const first = await kemEncapsulate(pair.publicKey);
    const second = await kemEncapsulate(pair.publicKey);
    expect(first.ciphertext.length).toBe(KEM_CIPHERTEXT_LENGTH);
    expect(first.sharedSecret.length).toBe(32);
    expect(await kemDecapsulate(pair.secretKey, first.ciphertext)).toEqual(first.sharedSecret);
    expect(await kemDecapsulate(pair.secretKey, second.ciphertext)).toEqual(second.sharedSecret);
    expect(first.sharedSecret).not.toEqual(second.sharedSecret);
    expect(first.ciphertext.subarray(0, 32)).not.toEqual(second.ciphertext.subarray(0, 32));
  });

  it("gives the wrong key an unrelated secret", async () => {
    const alice = kemKeyPairFromSeed(seed(3));
    const mallory = kemKeyPairFromSeed(seed(4));
    const { ciphertext, sharedSecret } = await kemEncapsulate(alice.publicKey);
    expect(await kemDecapsulate(mallory.secretKey, ciphertext)).not.toEqual(sharedSecret);
  });

  it("changes the secret when either half of the ciphertext is altered", async () => {
    const pair = kemKeyPairFromSeed(seed(5));
    const { ciphertext, sharedSecret } = await kemEncapsulate(pair.publicKey);
    for (const index of [5, 32 + 100]) {
      const tampered = ciphertext.slice();
      tampered[index]! ^= 0x01;
      expect(await kemDecapsulate(pair.secretKey, tampered)).not.toEqual(sharedSecret);
    }
  });

  it("rejects inputs of the wrong length and a small-order X25519 point", async () => {
    const pair = kemKeyPairFromSeed(seed(6));
    expect(() => kemKeyPairFromSeed(new Uint8Array(32))).toThrow(/seed must be 64 bytes/);
    await expect(kemEncapsulate(pair.publicKey.subarray(1))).rejects.toThrow(/public key must be 1216 bytes/);
    const { ciphertext } = await kemEncapsulate(pair.publicKey);
    await expect(kemDecapsulate(pair.secretKey, ciphertext.subarray(1))).rejects.toThrow(/ciphertext must be 1120 bytes/);
    const smallOrder = ciphertext.slice();
    smallOrder.fill(0, 0, 32); // u = 0 is a point of order 1
    await expect(kemDecapsulate(pair.secretKey, smallOrder)).rejects.toThrow(/X25519/);
  });
});
