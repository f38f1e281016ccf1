/**
 * Envelope test vectors: every artifact of an encrypted task (worker/auditor key envelopes in
 * the input manifest, the sealed input payload and its CID, an output blob, a log blob, a salted
 * public output, the client key from a mnemonic) made from fixed keys and a seeded random
 * source, so the bytes are fixed. The Node SDK and the browser bundle both run this function
 * (sdk/browser.test.ts) and must produce sdk/testdata/envelope-vectors.json exactly.
 * `lib` is the SDK's browser entry as loaded on each side.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type * as BrowserSdk from "../browser.js";
import type { RandomSource } from "../../crypto/random.js";

/** Deterministic randomness: sha256(seed ‖ u32be(block)) blocks, read in order. */
export function seededRandom(seed: string): RandomSource {
  const prefix = new TextEncoder().encode(seed);
  let block = 0;
  let buffered = new Uint8Array(0);
  return (length) => {
    const out = new Uint8Array(length);
    for (let filled = 0; filled < length; ) {
      if (buffered.length === 0) {
        const input = new Uint8Array(prefix.length + 4);
        input.set(prefix);
        new DataView(input.buffer).setUint32(prefix.length, block++);
        buffered = sha256(input);
      }
      const take = Math.min(buffered.length, length - filled);
      out.set(buffered.subarray(0, take), filled);
      buffered = buffered.subarray(take);
      filled += take;
    }
    return out;
  };
}

const MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art";

/** Each artifact as `<byte length>:<sha256 hex>` (the JSON stays small; equal digests ⇔ equal bytes). */
export async function envelopeVectors(lib: typeof BrowserSdk): Promise<Record<string, string>> {
  const utf8 = (text: string) => new TextEncoder().encode(text);
  const id = (bytes: Uint8Array) => `${bytes.length}:${bytesToHex(sha256(bytes))}`;
  const worker = lib.kemKeyPairFromSeed(new Uint8Array(64).fill(1));
  const auditor = lib.kemKeyPairFromSeed(new Uint8Array(64).fill(2));
  const client = await lib.clientEncryptionKey(MNEMONIC);
  const random = seededRandom("ogpu/envelope-vectors/v1");
  const input = utf8(JSON.stringify({ n: 16, seed: 7 }).repeat(100));
  const { payload, manifest } = await lib.sealTaskInput(input, client.publicKey, [{ address: "ogpu1worker", encPubkey: worker.publicKey }], [{ address: "ogpu1auditor", encPubkey: auditor.publicKey }], random);
  const parsed = lib.parseManifest(manifest);
  if (!parsed) throw new Error("the sealed manifest does not parse");
  const output = await lib.sealTaskOutput(utf8("result: 42"), client.publicKey, 42n, "output", [], random);
  const log = await lib.sealTaskOutput(utf8("step 1\nstep 2\n"), client.publicKey, 42n, "log", [], random);
  const opened = await lib.openTaskInput(parsed, payload, "ogpu1worker", worker.secretKey);
  const openedByAuditor = await lib.openTaskInput(parsed, payload, "ogpu1auditor", auditor.secretKey, "auditor");
  return {
    worker_public_key: id(worker.publicKey),
    client_public_key: id(client.publicKey),
    manifest: id(manifest),
    payload: id(payload),
    payload_cid: await lib.blobCid(payload),
    manifest_cid: await lib.blobCid(manifest),
    output_blob: id(output),
    log_blob: id(log),
    public_output: id(lib.saltPublicOutput(utf8("public result"), random)),
    opened_by_worker: id(opened),
    opened_by_auditor: id(openedByAuditor),
    opened_output: id(await lib.openTaskOutput(output, client.secretKey, 42n)),
    input: id(input),
  };
}
