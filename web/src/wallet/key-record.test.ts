import { describe, expect, it } from "vitest";
import { KeyRecordError, MIN_PBKDF2_ITERATIONS, openMnemonic, parseKeyRecord, sealMnemonic, type EncryptedKeyRecord } from "./key-record";

const MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const ADDRESS = "ogpu1testaddress";

/** One sealing shared by the cases (600k PBKDF2 iterations take a noticeable fraction of a second). */
const sealed = sealMnemonic(MNEMONIC, ADDRESS, "correct horse");

function flipBase64(text: string): string {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  bytes[0] ^= 1;
  return btoa(String.fromCharCode(...bytes));
}

describe("the local wallet's encrypted key record", () => {
  it("opens with the passphrase it was sealed under, and stores no word of the mnemonic in clear", async () => {
    const record = await sealed;
    expect(await openMnemonic(parseKeyRecord(JSON.stringify(record)), "correct horse")).toBe(MNEMONIC);
    expect(record).toMatchObject({ version: 1, address: ADDRESS, kdf: { name: "PBKDF2-SHA256", iterations: MIN_PBKDF2_ITERATIONS }, cipher: { name: "AES-256-GCM" } });
    expect(JSON.stringify(record)).not.toMatch(/abandon|about/);
  });

  it("refuses a wrong passphrase", async () => {
    await expect(openMnemonic(await sealed, "wrong horse")).rejects.toThrow(KeyRecordError);
  });

  it("salts and IVs each sealing afresh: the same mnemonic and passphrase give another ciphertext", async () => {
    const again = await sealMnemonic(MNEMONIC, ADDRESS, "correct horse");
    const first = await sealed;
    expect(again.kdf.salt).not.toBe(first.kdf.salt);
    expect(again.cipher.iv).not.toBe(first.cipher.iv);
    expect(again.ciphertext).not.toBe(first.ciphertext);
  });

  it("detects tampering with the ciphertext, the salt, the IV or the bound address", async () => {
    const record = await sealed;
    const tampered: EncryptedKeyRecord[] = [
      { ...record, ciphertext: flipBase64(record.ciphertext) },
      { ...record, kdf: { ...record.kdf, salt: flipBase64(record.kdf.salt) } },
      { ...record, cipher: { ...record.cipher, iv: flipBase64(record.cipher.iv) } },
      { ...record, address: "ogpu1someoneelse" },
      { ...record, kdf: { ...record.kdf, iterations: record.kdf.iterations + 1 } },
    ];
    for (const r of tampered) await expect(openMnemonic(r, "correct horse")).rejects.toThrow("wrong passphrase, or the stored key was altered");
  });

  it("refuses a record weakened below the iteration floor before deriving anything", async () => {
    const record = await sealed;
    await expect(openMnemonic({ ...record, kdf: { ...record.kdf, iterations: 1000 } }, "correct horse")).rejects.toThrow(/fewer than 600000/);
    await expect(sealMnemonic(MNEMONIC, ADDRESS, "pw", 1000)).rejects.toThrow(KeyRecordError);
    await expect(sealMnemonic(MNEMONIC, ADDRESS, "")).rejects.toThrow("a passphrase is required");
  });

  it("refuses stored text that is not a version 1 record", () => {
    expect(() => parseKeyRecord("not json")).toThrow(KeyRecordError);
    expect(() => parseKeyRecord(JSON.stringify({ version: 2 }))).toThrow(/version 1/);
    expect(() => parseKeyRecord(JSON.stringify({ mnemonic: MNEMONIC }))).toThrow(/version 1/);
  });
});
