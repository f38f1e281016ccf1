import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fromBech32 } from "../crypto/bech32.js";
import { Keyring } from "../crypto/keyring.js";
import { MLDSA65_PUBKEY_LENGTH, MLDSA65_SIGNATURE_LENGTH } from "../crypto/mldsa65.js";
import { addressOf, MLDSA65_PUBKEY_TYPE_URL, pubKeyFromRaw, verifySignature } from "../crypto/pubkey.js";
import { blobUploadHeaders, BLOB_HEADERS } from "../sdk/blobs.js";
import { initWorkerKeys, loadAuditorKeys, loadWorkerKeys, readWorkerPublicInfo } from "./keys.js";

const homes: string[] = [];
afterEach(async () => {
  for (const h of homes.splice(0)) await rm(h, { recursive: true, force: true });
});
const home = async () => {
  const h = await mkdtemp(join(tmpdir(), "ogpu-worker-keys-"));
  homes.push(h);
  return h;
};

describe("post-quantum worker and auditor keys (--key-type mldsa65)", () => {
  it("init with mldsa65 makes an ML-DSA-65 account whose txs and uploads verify under its own key", async () => {
    const dir = await home();
    const info = await initWorkerKeys(dir, "test", undefined, "mldsa65");
    expect((await readWorkerPublicInfo(dir)).address).toBe(info.address);
    const keys = await loadWorkerKeys(dir, "test", "mldsa65");
    expect(keys.keyType).toBe("mldsa65");
    expect(keys.account.pubkey.typeUrl).toBe(MLDSA65_PUBKEY_TYPE_URL);
    expect(keys.account.pubkey.key).toHaveLength(MLDSA65_PUBKEY_LENGTH);
    expect(fromBech32(keys.address, "ogpu")).toEqual(addressOf(keys.account.pubkey));

    const bytes = new TextEncoder().encode("a sign doc");
    const signature = await keys.account.sign(bytes);
    expect(signature).toHaveLength(MLDSA65_SIGNATURE_LENGTH);
    expect(verifySignature(keys.account.pubkey, bytes, signature)).toBe(true);

    const headers = await blobUploadHeaders(new Uint8Array([1, 2, 3]), keys.blobSigner, 10n);
    expect(pubKeyFromRaw(Buffer.from(headers[BLOB_HEADERS.pubkey]!, "base64"))?.typeUrl).toBe(MLDSA65_PUBKEY_TYPE_URL);
    // The KEM key comes from the same mnemonic whatever the signing key's type.
    expect(Buffer.from(keys.kem.publicKey).toString("base64")).toBe(info.encPubkey);
  });

  it("the same mnemonic recovers the same PQ worker; a key of the other type is refused by --key-type", async () => {
    const first = await home();
    const created = await initWorkerKeys(first, "test", undefined, "mldsa65");
    const second = await home();
    expect((await initWorkerKeys(second, "test", created.mnemonic, "mldsa65")).address).toBe(created.address);
    await expect(loadWorkerKeys(first, "test", "secp256k1")).rejects.toThrow(/is mldsa65, not secp256k1/);

    const classic = await home();
    await initWorkerKeys(classic, "test");
    expect((await loadWorkerKeys(classic, "test")).keyType).toBe("secp256k1");
    await expect(loadWorkerKeys(classic, "test", "mldsa65")).rejects.toThrow(/is secp256k1, not mldsa65/);
  });

  it("an auditor runs on a validator operator's ML-DSA-65 keyring key", async () => {
    const dir = await home();
    const { info } = await Keyring.open(dir, "test").add("operator", { type: "mldsa65" });
    const keys = await loadAuditorKeys(dir, "test", "operator", "mldsa65");
    expect(keys.address).toBe(info.address);
    const bytes = new TextEncoder().encode("attest");
    expect(verifySignature(keys.account.pubkey, bytes, await keys.account.sign(bytes))).toBe(true);
  });
});
