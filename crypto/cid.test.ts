import { describe, expect, it } from "vitest";
import { BLOB_CID_FORM, blobCid, CID_CHUNK_BYTES, isBlobCid, singleChunkCid, textCid } from "./cid.js";

/** Deterministic test content: byte i is (31·i + 7) mod 256 (scripts can rebuild it for kubo). */
function pattern(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

/**
 * What kubo v0.43.1 answers for the same bytes:
 * `ipfs add --only-hash --cid-version=1 --raw-leaves -Q <file>` (default chunker size-262144).
 */
const KUBO_VECTORS: Array<[size: number, cid: string]> = [
  [0, "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"],
  [1, "bafkreigkgwdvr5wspzwpiutssn4xpj2i7wedshnwphhnu7ohx4pqaxxipe"],
  [CID_CHUNK_BYTES, "bafkreigtb2zed6k6pq34amzfdj4ovylbble3alojsysuiikydagtlammdm"],
  [CID_CHUNK_BYTES + 1, "bafybeif4z4ikxldcsjhv2l4sxmk57abnwjkwpa57gopqjvdhkyxddhmzf4"],
  [3 * 1024 * 1024, "bafybeidjpd7ewm3wjy3fjq5xxvqj4lhcfleiplcjww75wo6idmipid54my"],
];

describe("blob CIDs (IPFS CIDv1, raw leaves, sha2-256)", () => {
  it("match kubo's `ipfs add --cid-version=1 --raw-leaves` for 0, 1, 256 KiB, 256 KiB + 1 and 3 MiB", async () => {
    for (const [size, cid] of KUBO_VECTORS) expect(await blobCid(pattern(size)), `${size} bytes`).toBe(cid);
  });

  it("are the same whether the bytes come whole or streamed in odd pieces", async () => {
    const bytes = pattern(CID_CHUNK_BYTES * 2 + 12_345);
    async function* pieces() {
      for (let at = 0; at < bytes.length; at += 100_003) yield bytes.subarray(at, at + 100_003);
    }
    expect(await blobCid(pieces())).toBe(await blobCid(bytes));
  });

  it("computes a single-chunk blob's CID synchronously, equal to the importer's; refuses a bigger one", async () => {
    for (const size of [0, 1, 1000, CID_CHUNK_BYTES]) expect(singleChunkCid(pattern(size))).toBe(await blobCid(pattern(size)));
    expect(textCid("matmul")).toBe(await blobCid(new TextEncoder().encode("matmul")));
    expect(() => singleChunkCid(pattern(CID_CHUNK_BYTES + 1))).toThrow(/use blobCid/);
  });

  it("accepts only the canonical base32 CIDv1 form of a raw or dag-pb sha2-256 CID", async () => {
    const single = await blobCid(pattern(10));
    const dag = await blobCid(pattern(CID_CHUNK_BYTES + 1));
    expect([single, dag].map(isBlobCid)).toEqual([true, true]);
    const refused = [
      "",
      "ab".repeat(32), // the old sha256-hex address
      single.toUpperCase(),
      single.slice(0, -1), // truncated
      `${single}a`,
      `${single.slice(0, -1)}b`, // non-zero padding bits: a second spelling of the same bytes
      `bafkreh${single.slice(7)}`, // another header
      "bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", // dag-cbor codec
      "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", // CIDv0
      "zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA", // base58 CIDv1
      `bafkrei${"1".repeat(52)}`, // not base32
    ];
    for (const text of refused) expect(isBlobCid(text), text).toBe(false);
    expect(BLOB_CID_FORM).toContain("bafkrei");
  });
});
