import { describe, expect, it } from "vitest";
import { clientEncryptionKey, clientEncryptionKeyFromSignature, encryptionKeySigningText } from "./client-key.js";

const MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

describe("the client's encryption key", () => {
  it("from a mnemonic: the same words (however spaced) give the same key", async () => {
    const a = await clientEncryptionKey(MNEMONIC);
    const b = await clientEncryptionKey(`\n ${MNEMONIC.replace(/ /g, "\t ")}  `);
    expect(b.publicKey).toEqual(a.publicKey);
  });

  it("from a wallet signature: the text names the chain and the account, the key follows the signature bytes", () => {
    const text = encryptionKeySigningText("ogpu-1", "ogpu1abc");
    expect(text.split("\n")).toEqual(["ogpu/client/v1/encryption-key", "chain: ogpu-1", "account: ogpu1abc", expect.stringContaining("Sign it only on an oGPU dashboard")]);
    expect(encryptionKeySigningText("ogpu-2", "ogpu1abc")).not.toBe(text);
    const signature = new Uint8Array(64).fill(7);
    expect(clientEncryptionKeyFromSignature(signature).publicKey).toEqual(clientEncryptionKeyFromSignature(signature.slice()).publicKey);
    const other = signature.slice();
    other[63] ^= 1;
    expect(clientEncryptionKeyFromSignature(other).publicKey).not.toEqual(clientEncryptionKeyFromSignature(signature).publicKey);
  });
});
