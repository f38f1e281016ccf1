/**
 * How an encrypted task's input reaches its workers and its output returns to the client, with
 * no chain message beyond MsgSubmitTask and nothing in the blob store but immutable blobs.
 *
 * The task's `input_cid` names a small JSON **manifest** (public tasks name their plaintext input
 * instead; a manifest is recognised by its `ogpu_encrypted_input` field):
 *
 *   { "ogpu_encrypted_input": 1,
 *     "payload_cid": "<cid of the sealed input, crypto/envelope.ts sealPayload>",
 *     "client_key":  "<base64 1216-byte hybrid KEM key the outputs are wrapped to>",
 *     "keys": { "<worker ogpu1…>": "<base64 key envelope of the data key>" , … } }
 *
 * The client wraps the data key, at submission, for every worker that can be assigned (online,
 * meeting the task's requirements): the manifest must exist before MsgSubmitTask names it, and
 * content addressing leaves no place to add envelopes later without a new message or a mutable
 * name in the store. Cost ~1.2 kB and ~1 ms per candidate worker; a worker that joins later and
 * is assigned finds no envelope, does not commit, and the slot moves on after the commit timeout.
 * Envelope contexts bind each envelope to the payload and the worker, so none can be replayed
 * for another task's payload or opened by another worker.
 *
 * Auditors (validators re-executing an audited task, worker/auditor.ts) need the data key too.
 * The client adds `"auditor_keys": { "<validator operator ogpu1…>": "<envelope>" }`, each
 * wrapped to that validator's auditor key (worker/keys.ts, role "auditor") under its own label,
 * so an account that is both a worker and a validator operator has two independent envelopes.
 * Auditors publish their keys with MsgSetAuditorKey; the client wraps to every key the active set
 * published (x/attest Query/AuditorKeys, sdk/task-io.ts inputRecipients; docs/worker.md).
 *
 * Output blob (each worker uploads its own; the digest is over the *plaintext* output, so honest
 * workers' digests agree although their ciphertexts differ):
 *   key envelope (1173 B, wrapped to client_key) ‖ sealed payload of the output
 *   both with context envelopeContext("ogpu/task-output/v1", task id): the client needs only
 *   the output CID (TaskResult.outputCid) and the task id to open it.
 *
 * Output blob of a tolerance task (docs/verification.md): its audit committee compares each
 * worker's plaintext output with its own re-execution, so the worker also wraps the output's
 * data key to every auditor key the task names (Task.auditor_key_fingerprints, the only
 * validators x/attest may draw), found by fingerprint in Query/AuditorKeys:
 *   "OGPW" ‖ 0x01 ‖ u16(count) ‖ count × (fingerprint(32) ‖ key envelope(1173)) ‖ the blob above
 *   auditor envelope context envelopeContext("ogpu/task-output/auditor/v1", task id, hex(fingerprint)).
 * GCM is not key-committing, so a worker could wrap different keys to the client and the
 * auditors for one ciphertext; both sides check sha256(plaintext) against the revealed digest
 * (judgeWorkers, openTaskResult), so both read the same output.
 *
 * Job log blob (docs/task-logs.md): the same layout as the output blob, with context
 *   envelopeContext("ogpu/task-log/v1", task id); a public task's log is a public output blob.
 *
 * Public output blob: "OGPO" ‖ 0x01 ‖ salt(32, random) ‖ plaintext output. Stored bare, its CID
 * would be sha256(output) = the result digest, so anyone could test a guessed output with
 * HEAD /blobs/<sha256(guess)> before the reveal; the salt makes the CID unguessable until the
 * reveal publishes it (docs/security.md, item 13).
 */
import { base64 } from "@scure/base";
import { concatBytes } from "./bytes.js";
import { secureRandom, type RandomSource } from "./random.js";
import { blobCid } from "./cid.js";
import { envelopeContext, generateDataKey, KEY_ENVELOPE_LENGTH, openPayload, sealPayload, unwrapKey, wrapKey } from "./envelope.js";
import { auditorKeyFingerprint } from "./kem-pubkey.js";
import { kemPublicKey } from "./kem.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { bytesEqual, startsWithBytes } from "./bytes.js";

export const MANIFEST_VERSION = 1;
const INPUT_KEY_LABEL = "ogpu/task-key/v1";
const AUDITOR_KEY_LABEL = "ogpu/task-key/auditor/v1";
const INPUT_PAYLOAD_LABEL = "ogpu/task-input/v1";
const OUTPUT_LABEL = "ogpu/task-output/v1";
const LOG_LABEL = "ogpu/task-log/v1";
const AUDITOR_OUTPUT_LABEL = "ogpu/task-output/auditor/v1";
const AUDITOR_SECTION_HEADER = Uint8Array.of(0x4f, 0x47, 0x50, 0x57, 0x01); // "OGPW" ‖ version 1
const FINGERPRINT_LENGTH = 32;
/** Most auditor envelopes one output blob carries (u16 count; the chain's max_auditor_key_fingerprints is far below). */
export const MAX_OUTPUT_AUDITORS = 0xffff;

/**
 * What a worker sends back to the client, each sealed the same way under its own context label,
 * so a log blob never opens as an output (or the other way round).
 */
export type ClientBlobKind = "output" | "log";
const CLIENT_BLOB_LABELS: Record<ClientBlobKind, string> = { output: OUTPUT_LABEL, log: LOG_LABEL };

export interface EncryptedInputManifest {
  ogpu_encrypted_input: number;
  payload_cid: string;
  client_key: string;
  keys: Record<string, string>;
  /** Envelopes for validators' auditor keys, by operator account (optional). */
  auditor_keys?: Record<string, string>;
}

/** Who opens an input: an assigned worker, or a committee member re-executing it. */
export type InputRole = "worker" | "auditor";

const keyLabel = (role: InputRole) => (role === "worker" ? INPUT_KEY_LABEL : AUDITOR_KEY_LABEL);

export interface Recipient {
  address: string;
  encPubkey: Uint8Array;
}

/**
 * Client side: the sealed input payload and the manifest to upload (submit with
 * blobCid(manifest)). `auditors`: validator operators with their auditor keys; a validator left
 * out cannot re-execute the task if a committee draws it. `random` (default: WebCrypto's) draws
 * the data key, the payload nonce and each envelope's KEM randomness, in that order.
 */
export async function sealTaskInput(
  plaintext: Uint8Array,
  clientKey: Uint8Array,
  workers: readonly Recipient[],
  auditors: readonly Recipient[] = [],
  random: RandomSource = secureRandom,
): Promise<{ payload: Uint8Array; manifest: Uint8Array }> {
  const dataKey = generateDataKey(random);
  const payload = await sealPayload(dataKey, plaintext, INPUT_PAYLOAD_LABEL, random);
  const payloadCid = await blobCid(payload);
  const envelopes = async (recipients: readonly Recipient[], role: InputRole) => {
    const entries: [string, string][] = [];
    // In order, so a pinned `random` gives the same bytes on every platform.
    for (const r of recipients) entries.push([r.address, base64.encode(await wrapKey(r.encPubkey, dataKey, envelopeContext(keyLabel(role), payloadCid, r.address), random))]);
    return Object.fromEntries(entries);
  };
  const manifest: EncryptedInputManifest = { ogpu_encrypted_input: MANIFEST_VERSION, payload_cid: payloadCid, client_key: base64.encode(clientKey), keys: await envelopes(workers, "worker") };
  if (auditors.length > 0) manifest.auditor_keys = await envelopes(auditors, "auditor");
  return { payload, manifest: new TextEncoder().encode(JSON.stringify(manifest)) };
}

/** The largest blob that can be an encrypted-input manifest (a longer one is read as a public input). */
export const MAX_MANIFEST_BYTES = 4 << 20;

/** The manifest when `input` is one; undefined for a public (plaintext) input. */
export function parseManifest(input: Uint8Array): EncryptedInputManifest | undefined {
  if (input.length === 0 || input.length > MAX_MANIFEST_BYTES || input[0] !== 0x7b) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(input));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || !("ogpu_encrypted_input" in value)) return undefined;
  const m = value as Partial<EncryptedInputManifest>;
  if (m.ogpu_encrypted_input !== MANIFEST_VERSION) throw new Error(`encrypted input manifest version ${String(m.ogpu_encrypted_input)} is not supported`);
  if (typeof m.payload_cid !== "string" || typeof m.client_key !== "string" || typeof m.keys !== "object" || m.keys === null) {
    throw new Error("encrypted input manifest is malformed (needs payload_cid, client_key, keys)");
  }
  if (m.auditor_keys !== undefined && (typeof m.auditor_keys !== "object" || m.auditor_keys === null)) throw new Error("encrypted input manifest is malformed (auditor_keys must be an object)");
  return m as EncryptedInputManifest;
}

/** Thrown when the manifest carries no key envelope for this worker (or auditor). */
export class NoKeyForWorkerError extends Error {}

/** Worker (or auditor) side: the plaintext input, from the manifest and the fetched sealed payload. */
export async function openTaskInput(manifest: EncryptedInputManifest, payload: Uint8Array, recipient: string, kemSecret: Uint8Array, role: InputRole = "worker"): Promise<Uint8Array> {
  const envelope = (role === "worker" ? manifest.keys : manifest.auditor_keys ?? {})[recipient];
  if (envelope === undefined) throw new NoKeyForWorkerError(`the task's input was not encrypted to ${role} ${recipient}`);
  const dataKey = await unwrapKey(kemSecret, base64.decode(envelope), envelopeContext(keyLabel(role), manifest.payload_cid, recipient));
  return openPayload(dataKey, payload, INPUT_PAYLOAD_LABEL);
}

const auditorOutputContext = (taskId: bigint, fingerprint: Uint8Array) => envelopeContext(AUDITOR_OUTPUT_LABEL, taskId.toString(), bytesToHex(fingerprint));

/**
 * Worker side: the output (or, with kind "log", the job log) blob for the client; with
 * `auditorKeys` (a tolerance task's output) the data key is also wrapped to each of them.
 * `random` (default: WebCrypto's) draws the data key, then each envelope's and the payload's.
 */
export async function sealTaskOutput(
  output: Uint8Array,
  clientKey: Uint8Array,
  taskId: bigint,
  kind: ClientBlobKind = "output",
  auditorKeys: readonly Uint8Array[] = [],
  random: RandomSource = secureRandom,
): Promise<Uint8Array> {
  if (auditorKeys.length > MAX_OUTPUT_AUDITORS) throw new Error(`an output blob carries at most ${MAX_OUTPUT_AUDITORS} auditor envelopes`);
  const context = envelopeContext(CLIENT_BLOB_LABELS[kind], taskId.toString());
  const dataKey = generateDataKey(random);
  const envelope = await wrapKey(clientKey, dataKey, context, random);
  const clientPart = concatBytes(envelope, await sealPayload(dataKey, output, context, random));
  if (auditorKeys.length === 0) return clientPart;
  const count = new Uint8Array(2);
  new DataView(count.buffer).setUint16(0, auditorKeys.length);
  const auditors: Uint8Array[] = [];
  for (const key of auditorKeys) {
    const fingerprint = auditorKeyFingerprint(key);
    auditors.push(fingerprint, await wrapKey(key, dataKey, auditorOutputContext(taskId, fingerprint), random));
  }
  return concatBytes(AUDITOR_SECTION_HEADER, count, ...auditors, clientPart);
}

/** Splits an output blob into its auditor envelopes (by fingerprint hex) and the client part. */
function splitAuditorSection(blob: Uint8Array): { auditors: Map<string, Uint8Array>; clientPart: Uint8Array } {
  const auditors = new Map<string, Uint8Array>();
  if (!startsWithBytes(blob, AUDITOR_SECTION_HEADER)) return { auditors, clientPart: blob };
  const countAt = AUDITOR_SECTION_HEADER.length;
  if (blob.length < countAt + 2) throw new Error("output blob is truncated (auditor section)");
  const count = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint16(countAt);
  const entry = FINGERPRINT_LENGTH + KEY_ENVELOPE_LENGTH;
  const end = countAt + 2 + count * entry;
  if (blob.length < end) throw new Error("output blob is truncated (auditor section)");
  for (let at = countAt + 2; at < end; at += entry) auditors.set(bytesToHex(blob.subarray(at, at + FINGERPRINT_LENGTH)), blob.subarray(at + FINGERPRINT_LENGTH, at + entry));
  return { auditors, clientPart: blob.subarray(end) };
}

async function openClientPart(part: Uint8Array, dataKeyOf: (envelope: Uint8Array) => Promise<Uint8Array>, context: Uint8Array): Promise<Uint8Array> {
  return openPayload(await dataKeyOf(part.subarray(0, KEY_ENVELOPE_LENGTH)), part.subarray(KEY_ENVELOPE_LENGTH), context);
}

/** Client side: the plaintext output (or, with kind "log", job log) of task `taskId` from its blob. */
export async function openTaskOutput(blob: Uint8Array, clientSecret: Uint8Array, taskId: bigint, kind: ClientBlobKind = "output"): Promise<Uint8Array> {
  const context = envelopeContext(CLIENT_BLOB_LABELS[kind], taskId.toString());
  return openClientPart(splitAuditorSection(blob).clientPart, (envelope) => unwrapKey(clientSecret, envelope, context), context);
}

/** Thrown when an output blob carries no envelope for this auditor's key (the worker's fault on a tolerance task). */
export class NoKeyForAuditorError extends Error {}

/** Auditor side: the plaintext output of tolerance task `taskId` from a worker's output blob. */
export async function openTaskOutputAsAuditor(blob: Uint8Array, auditorSecret: Uint8Array, taskId: bigint): Promise<Uint8Array> {
  const fingerprint = auditorKeyFingerprint(kemPublicKey(auditorSecret));
  const { auditors, clientPart } = splitAuditorSection(blob);
  const envelope = auditors.get(bytesToHex(fingerprint));
  if (envelope === undefined) throw new NoKeyForAuditorError(`the output's data key is not wrapped to auditor key ${bytesToHex(fingerprint).slice(0, 16)}…`);
  const dataKey = await unwrapKey(auditorSecret, envelope, auditorOutputContext(taskId, fingerprint));
  const context = envelopeContext(OUTPUT_LABEL, taskId.toString());
  return openClientPart(clientPart, async () => dataKey, context);
}

/** The published auditor keys (Query/AuditorKeys) whose fingerprints a task names, in the task's order. */
export function auditorKeysOfTask(published: readonly { encPubkey: Uint8Array }[], fingerprints: readonly Uint8Array[]): Uint8Array[] {
  return fingerprints.flatMap((f) => {
    const key = published.find((k) => bytesEqual(auditorKeyFingerprint(k.encPubkey), f));
    return key ? [key.encPubkey] : [];
  });
}

const PUBLIC_OUTPUT_HEADER = Uint8Array.of(0x4f, 0x47, 0x50, 0x4f, 0x01); // "OGPO" ‖ version 1
const PUBLIC_OUTPUT_SALT_LENGTH = 32;

/** Worker side: the blob of a public task's output, salted so its CID is not sha256(output). */
export function saltPublicOutput(output: Uint8Array, random: RandomSource = secureRandom): Uint8Array {
  return concatBytes(PUBLIC_OUTPUT_HEADER, random(PUBLIC_OUTPUT_SALT_LENGTH), output);
}

/** Reader side: the plaintext output of a public task from its output blob. */
export function openPublicOutput(blob: Uint8Array): Uint8Array {
  const start = PUBLIC_OUTPUT_HEADER.length + PUBLIC_OUTPUT_SALT_LENGTH;
  if (blob.length < start || !startsWithBytes(blob, PUBLIC_OUTPUT_HEADER)) {
    throw new Error("not a public output blob (expected the \"OGPO\" v1 header and a 32-byte salt)");
  }
  return blob.subarray(start);
}
