/**
 * Output blobs of encrypted tasks (crypto/task-crypto.ts): a tolerance task's output is wrapped
 * to the client and to each auditor key the task names, so the audit committee can compare
 * plaintext outputs; nobody else opens it, and the client's path is unchanged.
 */
import { describe, expect, it } from "vitest";
import { generateKemKeyPair } from "./kem.js";
import { auditorKeyFingerprint } from "./kem-pubkey.js";
import { EnvelopeError } from "./envelope.js";
import { auditorKeysOfTask, NoKeyForAuditorError, openTaskOutput, openTaskOutputAsAuditor, sealTaskOutput } from "./task-crypto.js";

const client = generateKemKeyPair();
const [a1, a2, outsider] = [generateKemKeyPair(), generateKemKeyPair(), generateKemKeyPair()];
const output = new TextEncoder().encode("\x93NUMPY float32 sums");

describe("output blobs wrapped to auditors", async () => {
  it("the client and every named auditor open the same plaintext; an auditor not named cannot", async () => {
    const blob = await sealTaskOutput(output, client.publicKey, 9n, "output", [a1.publicKey, a2.publicKey]);
    expect(await openTaskOutput(blob, client.secretKey, 9n)).toEqual(output);
    expect(await openTaskOutputAsAuditor(blob, a1.secretKey, 9n)).toEqual(output);
    expect(await openTaskOutputAsAuditor(blob, a2.secretKey, 9n)).toEqual(output);
    await expect(openTaskOutputAsAuditor(blob, outsider.secretKey, 9n)).rejects.toThrow(NoKeyForAuditorError);
    // The client's secret is no auditor key, and an envelope is bound to its task.
    await expect(openTaskOutputAsAuditor(blob, client.secretKey, 9n)).rejects.toThrow(NoKeyForAuditorError);
    await expect(openTaskOutputAsAuditor(blob, a1.secretKey, 10n)).rejects.toThrow(EnvelopeError);
  });

  it("without auditor keys the blob is the client-only layout, which no auditor opens", async () => {
    const blob = await sealTaskOutput(output, client.publicKey, 9n);
    expect(String.fromCharCode(...blob.subarray(0, 4))).toBe("OGPK");
    expect(await openTaskOutput(blob, client.secretKey, 9n)).toEqual(output);
    await expect(openTaskOutputAsAuditor(blob, a1.secretKey, 9n)).rejects.toThrow(NoKeyForAuditorError);
  });

  it("a tampered auditor envelope or payload fails authentication; a truncated section is refused", async () => {
    const blob = await sealTaskOutput(output, client.publicKey, 9n, "output", [a1.publicKey]);
    const envelopeByte = 5 + 2 + 32 + 100;
    const tampered = blob.slice();
    tampered[envelopeByte] = tampered[envelopeByte]! ^ 1;
    await expect(openTaskOutputAsAuditor(tampered, a1.secretKey, 9n)).rejects.toThrow(EnvelopeError);
    const payload = blob.slice();
    payload[payload.length - 1] = payload[payload.length - 1]! ^ 1;
    await expect(openTaskOutputAsAuditor(payload, a1.secretKey, 9n)).rejects.toThrow(EnvelopeError);
    await expect(openTaskOutput(payload, client.secretKey, 9n)).rejects.toThrow(EnvelopeError);
    await expect(openTaskOutputAsAuditor(blob.subarray(0, 100), a1.secretKey, 9n)).rejects.toThrow(/truncated/);
  });

  it("auditorKeysOfTask: the published keys the task names, in the task's order; unpublished fingerprints are skipped", async () => {
    const published = [{ encPubkey: a1.publicKey }, { encPubkey: a2.publicKey }];
    const named = [auditorKeyFingerprint(a2.publicKey), auditorKeyFingerprint(outsider.publicKey), auditorKeyFingerprint(a1.publicKey)];
    expect(auditorKeysOfTask(published, named)).toEqual([a2.publicKey, a1.publicKey]);
  });
});
