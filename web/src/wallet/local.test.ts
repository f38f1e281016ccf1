import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringToPath } from "@cosmjs/crypto";
import { fromBase64 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { describe, expect, it } from "vitest";
import { Keyring } from "../../../crypto/keyring";
import { pubKeyFromRaw, verifySignature } from "../../../crypto/pubkey";
import { clientEncryptionKey } from "../../../sdk/client-key";
import { ACCOUNT_PREFIX, blobUploadHeaders, BLOB_HEADERS, blobUploadSignBytes, HD_PATH } from "../../../sdk/browser";
import { forgetStored, importMnemonic, KEY_RECORD_STORAGE_KEY, localWallet, storedKeyRecord, unlockStored } from "./local";

const MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

/** localStorage's interface over a Map (the tests run in Node). */
function memoryStorage(): Storage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => void items.set(k, String(v)),
  };
}

describe("the local-key wallet", () => {
  it("derives the account of cosmjs DirectSecp256k1HdWallet and of the Node keyring for the same mnemonic", async () => {
    const wallet = await localWallet(MNEMONIC);
    const hd = await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: ACCOUNT_PREFIX, hdPaths: [stringToPath(HD_PATH)] });
    const [hdAccount] = await hd.getAccounts();
    expect(wallet.address).toBe(hdAccount!.address);
    const home = await mkdtemp(join(tmpdir(), "ogpu-wallet-"));
    try {
      const keyring = Keyring.open(home, "test");
      const { info } = await keyring.add("k", { mnemonic: MNEMONIC });
      expect(wallet.address).toBe(info.address);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it("has the encryption key the Node SDK and CLI derive (sdk/client-key.ts)", async () => {
    const wallet = await localWallet(`  ${MNEMONIC.replace(/ /g, "   ")} `);
    const expected = await clientEncryptionKey(MNEMONIC);
    const actual = await wallet.encryptionKey();
    expect(actual.publicKey).toEqual(expected.publicKey);
    expect(actual.secretKey).toEqual(expected.secretKey);
  });

  it("signs upload headers the node's verifier accepts for its account", async () => {
    const wallet = await localWallet(MNEMONIC);
    const headers = await blobUploadHeaders(new TextEncoder().encode("hello"), wallet.blobSigner, 100n);
    expect(headers[BLOB_HEADERS.account]).toBe(wallet.address);
    const pubkey = pubKeyFromRaw(fromBase64(headers[BLOB_HEADERS.pubkey]!))!;
    const claim = { cid: headers[BLOB_HEADERS.cid]!, size: 5, expiry: 100n, account: wallet.address, pubkey: pubkey.key };
    expect(verifySignature(pubkey, blobUploadSignBytes(claim), fromBase64(headers[BLOB_HEADERS.signature]!))).toBe(true);
  });

  it("stores only the sealed record, unlocks with the passphrase, refuses another, and forgets", async () => {
    const storage = memoryStorage();
    const imported = await importMnemonic(MNEMONIC, "pass phrase", storage);
    expect([...storage.items.keys()]).toEqual([KEY_RECORD_STORAGE_KEY]);
    expect(storage.items.get(KEY_RECORD_STORAGE_KEY)).not.toContain("abandon");
    expect(storedKeyRecord(storage)?.address).toBe(imported.address);
    expect((await unlockStored("pass phrase", storage)).address).toBe(imported.address);
    await expect(unlockStored("other phrase", storage)).rejects.toThrow(/wrong passphrase/);
    forgetStored(storage);
    expect(storage.items.size).toBe(0);
    await expect(unlockStored("pass phrase", storage)).rejects.toThrow(/no key is stored/);
  });

  it("refuses an invalid mnemonic before storing anything", async () => {
    const storage = memoryStorage();
    await expect(importMnemonic(MNEMONIC.replace("about", "abandon"), "pass phrase", storage)).rejects.toThrow();
    expect(storage.items.size).toBe(0);
  });
});
