import { beforeAll, describe, expect, it } from "vitest";
import {
  EnvelopeError,
  KEY_ENVELOPE_LENGTH,
  SEALED_PAYLOAD_OVERHEAD,
  envelopeContext,
  generateDataKey,
  openPayload,
  sealPayload,
  unwrapKey,
  wrapKey,
} from "./envelope.js";
import { kemKeyPairFromSeed } from "./kem.js";

const worker = kemKeyPairFromSeed(new Uint8Array(64).fill(7));
const other = kemKeyPairFromSeed(new Uint8Array(64).fill(8));
const plaintext = new TextEncoder().encode("matmul input: 4x4 int32 matrices ...");
const context = envelopeContext("ogpu/task-key", "42", "ogpu1workeraddress");

/** Copy of `bytes` with one bit flipped at `index` (negative counts from the end). */
function flip(bytes: Uint8Array, index: number): Uint8Array {
  const copy = bytes.slice();
  const i = index < 0 ? copy.length + index : index;
  copy[i]! ^= 0x01;
  return copy;
}

async function expectEnvelopeError(fn: () => Promise<unknown>, code: EnvelopeError["code"]): Promise<void> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EnvelopeError);
    expect((err as EnvelopeError).code).toBe(code);
    return;
  }
  throw new Error(`expected EnvelopeError ${code}, nothing was thrown`);
}

describe("payload sealing (AES-256-GCM)", () => {
  const key = generateDataKey();
  let sealed: Uint8Array;
  beforeAll(async () => {
    sealed = await sealPayload(key, plaintext, "task 42");
  });

  it("round-trips, with fresh nonces and a fixed overhead", async () => {
    expect(await openPayload(key, sealed, "task 42")).toEqual(plaintext);
    expect(sealed.length).toBe(plaintext.length + SEALED_PAYLOAD_OVERHEAD);
    expect(await sealPayload(key, plaintext, "task 42")).not.toEqual(sealed);
    expect(await openPayload(key, await sealPayload(key, new Uint8Array(0)))).toEqual(new Uint8Array(0));
  });

  it("rejects a flipped bit in the header, nonce, ciphertext or tag", async () => {
    await expectEnvelopeError(() => openPayload(key, flip(sealed, 0), "task 42"), "malformed");
    await expectEnvelopeError(() => openPayload(key, flip(sealed, 4), "task 42"), "unsupported_version");
    for (const index of [5, 17, 20, -1]) {
      await expectEnvelopeError(() => openPayload(key, flip(sealed, index), "task 42"), "authentication_failed");
    }
  });

  it("rejects the wrong AAD, the wrong key and a truncated blob", async () => {
    await expectEnvelopeError(() => openPayload(key, sealed, "task 43"), "authentication_failed");
    await expectEnvelopeError(() => openPayload(generateDataKey(), sealed, "task 42"), "authentication_failed");
    await expectEnvelopeError(() => openPayload(key, sealed.subarray(0, 20), "task 42"), "malformed");
    await expect(openPayload(key, sealed, "task 43")).rejects.toThrow(/failed authentication/);
  });
});

describe("key wrapping (hybrid KEM → HKDF → AES-256-GCM)", () => {
  const dataKey = generateDataKey();
  let envelope: Uint8Array;
  beforeAll(async () => {
    envelope = await wrapKey(worker.publicKey, dataKey, context);
  });

  it("round-trips for the recipient and context", async () => {
    expect(envelope.length).toBe(KEY_ENVELOPE_LENGTH);
    expect(await unwrapKey(worker.secretKey, envelope, context)).toEqual(dataKey);
    expect(await wrapKey(worker.publicKey, dataKey, context)).not.toEqual(envelope);
  });

  it("refuses another recipient's secret key", async () => {
    await expectEnvelopeError(() => unwrapKey(other.secretKey, envelope, context), "authentication_failed");
  });

  it("refuses another context (task id or worker address)", async () => {
    await expectEnvelopeError(() => unwrapKey(worker.secretKey, envelope, envelopeContext("ogpu/task-key", "43", "ogpu1workeraddress")), "authentication_failed");
    await expectEnvelopeError(() => unwrapKey(worker.secretKey, envelope, envelopeContext("ogpu/task-key", "42", "ogpu1someoneelse")), "authentication_failed");
    // Length prefixes keep differently split parts distinct.
    expect(envelopeContext("ab", "c")).not.toEqual(envelopeContext("a", "bc"));
  });

  it("rejects a flipped bit in the KEM ciphertext, wrapped key or tag", async () => {
    const kemX25519 = 5 + 3;
    const kemMlkem = 5 + 32 + 500;
    const wrapped = 5 + 1120 + 4;
    for (const index of [kemX25519, kemMlkem, wrapped, -1]) {
      await expectEnvelopeError(() => unwrapKey(worker.secretKey, flip(envelope, index), context), "authentication_failed");
    }
    await expectEnvelopeError(() => unwrapKey(worker.secretKey, flip(envelope, 4), context), "unsupported_version");
    await expectEnvelopeError(() => unwrapKey(worker.secretKey, envelope.subarray(0, KEY_ENVELOPE_LENGTH - 1), context), "malformed");
  });

  it("carries a payload end to end: seal, wrap, unwrap, open", async () => {
    const sealed = await sealPayload(dataKey, plaintext, "task 42");
    const recovered = await unwrapKey(worker.secretKey, envelope, context);
    expect(await openPayload(recovered, sealed, "task 42")).toEqual(plaintext);
  });
});
