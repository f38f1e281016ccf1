/** Shared set-up of the blob store tests: signers, signed headers, an in-process node. */
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { ACCOUNT_PREFIX, toBech32 } from "../crypto/bech32.js";
import { sha256 } from "../crypto/hash.js";
import { mlDsa65KeyPair, signMlDsa65 } from "../crypto/mldsa65.js";
import { MLDSA65_PUBKEY_TYPE_URL, SECP256K1_PUBKEY_TYPE_URL, addressOf } from "../crypto/pubkey.js";
import { secp256k1PublicKey, signSecp256k1 } from "../crypto/secp256k1.js";
import { BLOB_HEADERS, blobUploadHeaders, type BlobSigner } from "../sdk/blobs.js";
import { registerBlobRoutes, type BlobService, type BlobStoreOptions } from "./blobs.js";
import { createNodeMetrics } from "./metrics.js";
import { createRestServer } from "./rest.js";

export const NODE_HEIGHT = 1_000n;
export const EXPIRY = NODE_HEIGHT + 50n;
export const MAX_BLOB = 4096;
/** 10 KB of quota per whole OGPU held. */
export const BYTES_PER_OGPU = 10_000;
export const OGPU = 1_000_000n;

export type TestSigner = BlobSigner & { privkey: Uint8Array };

export function signerFor(name: string): TestSigner {
  const privkey = sha256(new TextEncoder().encode(`blob test key ${name}`));
  const pubkey = secp256k1PublicKey(privkey);
  const account = toBech32(ACCOUNT_PREFIX, addressOf({ typeUrl: SECP256K1_PUBKEY_TYPE_URL, key: pubkey }));
  return { privkey, pubkey, account, sign: (bytes) => signSecp256k1(privkey, bytes) };
}

/** An ML-DSA-65 account's upload signer (post-quantum uploads, docs/blobs-and-encryption.md). */
export function pqSignerFor(name: string): TestSigner {
  const { publicKey, secretKey } = mlDsa65KeyPair(sha256(new TextEncoder().encode(`blob test pq key ${name}`)));
  const account = toBech32(ACCOUNT_PREFIX, addressOf({ typeUrl: MLDSA65_PUBKEY_TYPE_URL, key: publicKey }));
  return { privkey: secretKey, pubkey: publicKey, account, sign: (bytes) => signMlDsa65(secretKey, bytes) };
}

export const alice = signerFor("alice");
export const bob = signerFor("bob");

/** Upload headers as uploadBlob sends them; `signed` replaces the bytes the signature is for. */
export async function authHeaders(signer: TestSigner, bytes: Uint8Array, opts: { expiry?: bigint; signed?: Uint8Array; pubkey?: Uint8Array } = {}): Promise<Record<string, string>> {
  const headers = await blobUploadHeaders(opts.signed ?? bytes, signer, opts.expiry ?? EXPIRY);
  if (opts.pubkey) headers[BLOB_HEADERS.pubkey] = Buffer.from(opts.pubkey).toString("base64");
  return headers;
}

export const bytesOf = (size: number, seed: number) => new Uint8Array(size).map((_, i) => (i * 31 + seed) & 0xff);
export const json = (res: LightMyRequestResponse) => res.json() as { code: number; codespace: string; reason: string; message: string; cid: string; size: number };

export interface TestNode {
  app: FastifyInstance;
  blobs: BlobService;
  balances: Map<string, bigint>;
  live: Set<string>;
  /** Output CIDs of tasks that have not settled (the node refuses to serve them). */
  unpaid: Set<string>;
  height: { value: bigint };
}

/** The node's real REST server with the blob routes mounted, chain reads stubbed by maps. */
export async function nodeServer(dir: string, overrides: Partial<BlobStoreOptions> = {}, balances = new Map([[alice.account, 100n * OGPU], [bob.account, 100n * OGPU]])): Promise<TestNode> {
  const live = new Set<string>();
  const unpaid = new Set<string>();
  const height = { value: NODE_HEIGHT };
  const app = await createRestServer({
    query: async () => {
      throw new Error("no queries in blob tests");
    },
    metrics: createNodeMetrics(),
    health: () => ({ height: height.value, appHash: new Uint8Array(32), chainId: "ogpu-test" }),
  });
  const blobs = await registerBlobRoutes(app, {
    dir,
    currentHeight: () => height.value,
    spendableUogpu: async (account) => balances.get(account) ?? 0n,
    liveCids: async () => live,
    unpaidOutputCids: async () => unpaid,
    maxBlobBytes: MAX_BLOB,
    bytesPerOgpu: BYTES_PER_OGPU,
    sweepIntervalMs: 0,
    ...overrides,
  });
  await app.ready();
  return { app, blobs, balances, live, unpaid, height };
}


export const post = (node: TestNode, bytes: Uint8Array, headers: Record<string, string>) => node.app.inject({ method: "POST", url: "/blobs", headers, payload: Buffer.from(bytes) });
export const postAs = async (node: TestNode, bytes: Uint8Array, signer: TestSigner) => post(node, bytes, await authHeaders(signer, bytes));

