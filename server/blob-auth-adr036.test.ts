/**
 * ADR-036 upload signatures (the form a Keplr user's browser sends: `signArbitrary` over the
 * same claim text, x-ogpu-signature-form: adr036), signed here the way the extension does —
 * cosmjs' amino signer over the ADR-036 sign doc — and the attacks on the two forms: a
 * signature of one form presented as the other, another signer, a doc naming another signer, a
 * stale claim, an unknown form, an ML-DSA key.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeSignDoc, Secp256k1Wallet } from "@cosmjs/amino";
import { toBase64 } from "@cosmjs/encoding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_PREFIX } from "../crypto/bech32.js";
import { BLOB_SIGNATURE_FORM_HEADER, blobCid, type BlobSigner } from "../sdk/blobs.js";
import { alice, authHeaders, bob, bytesOf, json, nodeServer, OGPU, post, pqSignerFor, type TestNode, type TestSigner } from "./blobs.testkit.js";

/** What Keplr's signArbitrary(chainId, signer, data) returns, from cosmjs' amino signer; `docSigner` overrides the doc's signer field. */
async function signArbitrary(key: TestSigner, data: Uint8Array, docSigner = key.account): Promise<Uint8Array> {
  const wallet = await Secp256k1Wallet.fromKey(key.privkey, ACCOUNT_PREFIX);
  const doc = makeSignDoc([{ type: "sign/MsgSignData", value: { signer: docSigner, data: toBase64(data) } }], { gas: "0", amount: [] }, "", "", 0, 0);
  const { signature } = await wallet.signAmino(key.account, doc);
  return Uint8Array.from(Buffer.from(signature.signature, "base64"));
}

/** A Keplr-style upload signer: ADR-036 over the claim, form header set by blobUploadHeaders. */
function adr036Signer(key: TestSigner, docSigner?: string): TestSigner & BlobSigner {
  return { ...key, form: "adr036", sign: (claim) => signArbitrary(key, claim, docSigner) };
}

describe("ADR-036 upload signatures", () => {
  let dir: string;
  let node: TestNode;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ogpu-blobs-adr036-"));
    node = await nodeServer(dir, {}, new Map([[alice.account, 100n * OGPU], [bob.account, 100n * OGPU]]));
  });
  afterAll(async () => {
    await node?.app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("stores an upload whose claim the account signed as ADR-036 arbitrary data", async () => {
    const bytes = bytesOf(500, 21);
    const headers = await authHeaders(adr036Signer(alice), bytes);
    expect(headers[BLOB_SIGNATURE_FORM_HEADER]).toBe("adr036");
    const res = await post(node, bytes, headers);
    expect(res.statusCode, res.body).toBe(201);
    expect(json(res)).toEqual({ cid: await blobCid(bytes), size: 500 });
  });

  it("refuses each form's signature presented as the other, and an unknown form", async () => {
    const bytes = bytesOf(400, 22);
    const adrAsPlain = await authHeaders(adr036Signer(alice), bytes);
    delete adrAsPlain[BLOB_SIGNATURE_FORM_HEADER];
    const plainAsAdr = { ...(await authHeaders(alice, bytes)), [BLOB_SIGNATURE_FORM_HEADER]: "adr036" };
    const unknown = { ...(await authHeaders(alice, bytes)), [BLOB_SIGNATURE_FORM_HEADER]: "amino" };
    for (const headers of [adrAsPlain, plainAsAdr, unknown]) {
      const res = await post(node, bytes, headers);
      expect(res.statusCode).toBe(401);
      expect(json(res).reason, res.body).toBe("invalid_signature");
    }
  });

  it("refuses another signer's ADR-036 signature, a doc naming another signer, a stale claim and an ML-DSA key", async () => {
    const bytes = bytesOf(300, 23);
    const cases: { headers: Record<string, string>; reason: string }[] = [];
    // Bob signs, but the headers name Alice's account and key.
    const bobSigned = await authHeaders(adr036Signer(bob), bytes);
    const aliceHeaders = await authHeaders(adr036Signer(alice), bytes);
    cases.push({ headers: { ...aliceHeaders, "x-ogpu-signature": bobSigned["x-ogpu-signature"]! }, reason: "invalid_signature" });
    // Bob's key and signature under Alice's account.
    cases.push({ headers: { ...bobSigned, "x-ogpu-account": alice.account }, reason: "pubkey_mismatch" });
    // Alice's key signs a doc whose MsgSignData names Bob: the node binds the doc to the account header.
    cases.push({ headers: await authHeaders(adr036Signer(alice, bob.account), bytes), reason: "invalid_signature" });
    // A valid ADR-036 signature of another claim (one block earlier expiry).
    const stale = await authHeaders(adr036Signer(alice), bytes);
    stale["x-ogpu-expiry"] = String(BigInt(stale["x-ogpu-expiry"]!) - 1n);
    cases.push({ headers: stale, reason: "invalid_signature" });
    cases.push({ headers: { ...(await authHeaders(pqSignerFor("carol"), bytes)), [BLOB_SIGNATURE_FORM_HEADER]: "adr036" }, reason: "invalid_pubkey" });
    for (const c of cases) {
      const res = await post(node, bytes, c.headers);
      expect(json(res).reason, res.body).toBe(c.reason);
    }
  });
});
