/**
 * A task's input and output as the client handles them: upload the input (sealed to the
 * candidate workers, or public), then download the agreed output, decrypt it and check it
 * against the digest the chain finalised. OgpuClient (sdk/client.ts) and the CLI
 * (`ogpud tx market submit-task --input`) both go through these functions.
 *
 * The encrypted format itself (manifest, key envelopes, output blob) is crypto/task-crypto.ts:
 * it is called here, never restated, so the client and the workers cannot drift apart. The web
 * dashboard (web/src/customer/) calls the same functions in the browser.
 *
 * The client's encryption key (X25519 + ML-KEM-768, crypto/kem.ts) is either passed explicitly
 * or derived from the account's mnemonic (sdk/client-key.ts). Portable: no Node module on this
 * path (the Node signer from a mnemonic is sdk/blob-signer.ts).
 */
import { base64 } from "@scure/base";
import { bytesToHex } from "@noble/hashes/utils.js";
import { bytesEqual } from "../crypto/bytes.js";
import { sha256 } from "../crypto/hash.js";
import type { KemKeyPair } from "../crypto/kem.js";
import type { AuditorKey } from "../proto/gen/ogpu/attest/v1/query.js";
import type { WorkerView } from "../proto/gen/ogpu/workers/v1/query.js";
import { WorkerStatus } from "../proto/gen/ogpu/workers/v1/workers.js";
import { auditorKeyFingerprint } from "../crypto/kem-pubkey.js";
import { openPublicOutput, openTaskOutput, parseManifest, sealTaskInput, type ClientBlobKind, type EncryptedInputManifest, type Recipient } from "../crypto/task-crypto.js";
import type { Task } from "../proto/gen/ogpu/market/v1/market.js";
import { fetchBlob, uploadBlob, type BlobSigner, type RestEndpoints } from "./blobs.js";
import { PROGRAM_TASK_KIND } from "../app/program-runtimes.js";
import type { TaskResult } from "./events.js";
import { listAuditorKeys, listWorkers, type AbciQuerier } from "./queries.js";

export { clientEncryptionKey } from "./client-key.js";

/** What the task asks of a worker; the subset of SubmitTaskParams.requirements that filters. */
export interface CandidateFilter {
  minVramMb?: bigint | number;
  gpuModels?: readonly string[];
  tier?: number;
  /** Program runtime the worker must advertise ("" / absent: any). */
  runtime?: string;
}

/** What candidateRecipients reads of a worker: a queried WorkerView, or the web page's view of the REST JSON. */
export interface CandidateWorker {
  status: WorkerView["status"];
  tier: number;
  worker?: { operator: string; encPubkey: Uint8Array; runtimes: readonly string[]; gpus: readonly { model: string; vramMb: bigint }[] };
}

/**
 * The online workers the scheduler may assign a task with these requirements to, as envelope
 * recipients. Deliberately looser than the scheduler (each condition on any GPU): an extra
 * recipient costs ~1 ms and 1.2 kB, a missing one makes its assignment fail and time out.
 */
export function candidateRecipients(workers: readonly CandidateWorker[], req: CandidateFilter = {}): Recipient[] {
  const minVram = BigInt(req.minVramMb ?? 0);
  const models = req.gpuModels ?? [];
  return workers
    .filter((v) => v.status === WorkerStatus.WORKER_STATUS_ONLINE && v.worker !== undefined && v.tier >= (req.tier ?? 0))
    .filter((v) => minVram === 0n || v.worker!.gpus.some((g) => g.vramMb >= minVram))
    .filter((v) => models.length === 0 || v.worker!.gpus.some((g) => models.includes(g.model)))
    .filter((v) => !req.runtime || v.worker!.runtimes.includes(req.runtime))
    .map((v) => ({ address: v.worker!.operator, encPubkey: v.worker!.encPubkey }));
}

/**
 * Auditor recipients, keyed by the validator's operator account: worker/auditor.ts opens its
 * envelope as `auditor_keys[<its operator ogpu1…>]` under the auditor label.
 */
export const auditorRecipients = (keys: readonly Pick<AuditorKey, "validator" | "encPubkey">[]): Recipient[] => keys.map((k) => ({ address: k.validator, encPubkey: k.encPubkey }));

/** Whom an encrypted input is sealed to: the candidate workers, and every active validator's auditor. */
export interface InputRecipients {
  recipients: Recipient[];
  auditors: Recipient[];
}

/**
 * Reads both recipient lists from the chain: online workers meeting `req`, and the auditor keys
 * the active validators published (Query/AuditorKeys). Any active validator can be drawn on the
 * task's audit or dispute committee, and one that cannot open the input cannot vote.
 */
export async function inputRecipients(rpc: AbciQuerier, req: CandidateFilter = {}): Promise<InputRecipients> {
  const [workers, auditors] = await Promise.all([listWorkers(rpc, { status: "online" }), listAuditorKeys(rpc)]);
  return { recipients: candidateRecipients(workers, req), auditors: auditorRecipients(auditors) };
}

export interface UploadedInput {
  /** What MsgSubmitTask names: the manifest's CID (encrypted) or the plaintext's (public). */
  inputCid: string;
  encrypted: boolean;
  /** Workers the data key was wrapped for (empty for a public input). */
  recipients: string[];
  /** Validator operators whose auditor keys the data key was wrapped for (empty for a public input). */
  auditors: string[];
  /** sha256 of each of those auditor keys: MsgSubmitTask declares them, so only those validators are drawn to audit. */
  auditorKeyFingerprints: Uint8Array[];
  /** The uploaded manifest (encrypted input only): fetchResult opens the output with it. */
  manifest?: EncryptedInputManifest;
  /** Bytes uploaded: the input blob, plus the payload for an encrypted input (part of MsgSubmitTask.input_bytes). */
  storedBytes?: bigint;
}

export interface UploadInputOptions {
  restUrl: string;
  signer: BlobSigner;
  /** A recent block height (the store refuses signatures more than ~100 blocks off). */
  height: bigint;
  input: Uint8Array;
  /**
   * Seal to `recipients` (workers) and `auditors` (validators' auditor keys, inputRecipients)
   * with outputs back to `clientKey`; otherwise upload the plaintext.
   */
  encryption?: { clientKey: Uint8Array; recipients: readonly Recipient[]; auditors?: readonly Recipient[]; tolerance?: boolean };
}

/**
 * A tolerance task's audit committee compares the workers' plaintext outputs, which the workers
 * wrap to the auditor keys the task names (crypto/task-crypto.ts): with an encrypted input and
 * no auditor key there is nobody who could compare them (the chain refuses it too).
 */
export const NO_AUDITOR_FOR_TOLERANCE =
  "an encrypted tolerance task needs auditors who can read the workers' outputs, but no active validator has published an auditor key (MsgSetAuditorKey): submit with a public input, or bitwise verification";

/** Uploads a task input: sealed payload + manifest when encrypting, the plaintext otherwise. */
export async function uploadTaskInput(opts: UploadInputOptions): Promise<UploadedInput> {
  if (!opts.encryption) {
    const { cid } = await uploadBlob(opts.restUrl, opts.input, opts.signer, opts.height);
    return { inputCid: cid, encrypted: false, recipients: [], auditors: [], auditorKeyFingerprints: [], storedBytes: BigInt(opts.input.length) };
  }
  const { clientKey, recipients, auditors = [], tolerance = false } = opts.encryption;
  if (tolerance && auditors.length === 0) throw new Error(NO_AUDITOR_FOR_TOLERANCE);
  if (recipients.length === 0) {
    throw new Error("no online worker meets the task's requirements, so there is nobody to encrypt the input to (retry later, or submit a public task)");
  }
  const { payload, manifest } = await sealTaskInput(opts.input, clientKey, recipients, auditors);
  await uploadBlob(opts.restUrl, payload, opts.signer, opts.height);
  const { cid } = await uploadBlob(opts.restUrl, manifest, opts.signer, opts.height);
  const addresses = (rs: readonly Recipient[]) => rs.map((r) => r.address);
  return {
    inputCid: cid,
    encrypted: true,
    recipients: addresses(recipients),
    auditors: addresses(auditors),
    auditorKeyFingerprints: auditors.map((a) => auditorKeyFingerprint(a.encPubkey)),
    manifest: parseManifest(manifest),
    storedBytes: BigInt(payload.length + manifest.length),
  };
}

/** What MsgSubmitTask.input_bytes is computed from (docs/storage.md "Who pays"). */
export interface InputBytesSource {
  kind: string;
  programHash?: string;
  /** The declaration itself, when the caller knows it: used as given. */
  inputBytes?: bigint | number;
  /** Size of the program bundle (kind "program"), when the caller holds it. */
  programBytes?: bigint | number;
}

/**
 * MsgSubmitTask.input_bytes: the bytes every node replicates for the task — the input blob, an
 * encrypted input's payload and a kind "program" bundle. Sizes the caller did not upload in this
 * call are measured by fetching the blob through `rest` (checked against its CID); a blob no node
 * holds is an error (declare `inputBytes` yourself). At least 1.
 */
export async function declaredInputBytes(rest: RestEndpoints | undefined, source: InputBytesSource, uploaded: Pick<UploadedInput, "inputCid" | "storedBytes">): Promise<bigint> {
  if (source.inputBytes !== undefined) return BigInt(source.inputBytes);
  const measure = async (what: string, cid: string): Promise<Uint8Array> => {
    if (rest === undefined) throw new Error(`cannot measure the ${what} ${cid} for input_bytes without a REST endpoint: give restUrl or inputBytes`);
    try {
      return await fetchBlob(rest, cid);
    } catch (err) {
      throw new Error(`cannot measure the ${what} ${cid} for input_bytes (${(err as Error).message}): upload it first or give inputBytes`);
    }
  };
  let total = uploaded.storedBytes;
  if (total === undefined) {
    const input = await measure("input", uploaded.inputCid);
    const manifest = parseManifest(input);
    total = BigInt(input.length) + (manifest ? BigInt((await measure("encrypted payload", manifest.payload_cid)).length) : 0n);
  }
  if (source.kind === PROGRAM_TASK_KIND && source.programHash !== undefined) {
    total += source.programBytes !== undefined ? BigInt(source.programBytes) : BigInt((await measure("program bundle", source.programHash)).length);
  }
  return total > 0n ? total : 1n;
}

/** The manifest named by a task's input CID, or undefined for a public input. */
export async function inputManifest(restUrl: string, inputCid: string): Promise<EncryptedInputManifest | undefined> {
  return parseManifest(await fetchBlob(restUrl, inputCid));
}

/**
 * The plaintext of a blob a worker sent back to the client (output or log): salted public blob
 * (crypto/task-crypto.ts saltPublicOutput, so its CID is unguessable) or sealed to client_key.
 */
async function openClientBlob(blob: Uint8Array, manifest: EncryptedInputManifest | undefined, key: KemKeyPair | undefined, taskId: bigint, kind: ClientBlobKind): Promise<Uint8Array> {
  if (!manifest) return openPublicOutput(blob);
  if (!key) throw new Error(`task ${taskId} is encrypted: the client needs its encryption key to open its ${kind}`);
  if (!bytesEqual(base64.decode(manifest.client_key), key.publicKey)) {
    throw new Error(`task ${taskId}'s ${kind} is encrypted to another client key than this client's`);
  }
  return openTaskOutput(blob, key.secretKey, taskId, kind);
}

/** One worker's job log for a task, opened. */
export interface OpenedTaskLog {
  worker: string;
  logCid: string;
  /** Height of the MsgPostTaskLog that recorded it. */
  height: bigint;
  /** The log as the job printed it (stdout and stderr interleaved), with the worker's notes. */
  text: string;
}

/**
 * Every job log the task records (Task.logs, MsgPostTaskLog), downloaded (each CID checked by
 * fetchBlob) and opened like the output. `manifest`: the task's input manifest, or undefined
 * for a public task.
 */
export async function openTaskLogs(opts: { restUrl: string; task: Pick<Task, "id" | "logs">; manifest: EncryptedInputManifest | undefined; encryptionKey?: KemKeyPair }): Promise<OpenedTaskLog[]> {
  const opened: OpenedTaskLog[] = [];
  for (const log of opts.task.logs) {
    const blob = await fetchBlob(opts.restUrl, log.logCid);
    const text = new TextDecoder().decode(await openClientBlob(blob, opts.manifest, opts.encryptionKey, opts.task.id, "log"));
    opened.push({ worker: log.worker, logCid: log.logCid, height: log.height, text });
  }
  return opened;
}

/** The downloaded output does not hash to the digest the chain finalised. */
export class ResultDigestMismatchError extends Error {
  constructor(
    readonly taskId: bigint,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`task ${taskId}: the output blob decodes to bytes with sha256 ${actual}, but the chain finalised digest ${expected}; the result is not trusted`);
    this.name = "ResultDigestMismatchError";
  }
}

export interface OpenResultOptions {
  restUrl: string;
  result: TaskResult;
  /** The task's input manifest (encrypted task) or undefined (public task). */
  manifest: EncryptedInputManifest | undefined;
  /** Needed for an encrypted task: the key pair whose public half is the manifest's client_key. */
  encryptionKey?: KemKeyPair;
}

/**
 * The plaintext output of a finalised task: downloads the output blob (its CID is checked by
 * fetchBlob), decrypts it for an encrypted task, and checks sha256(output) against the
 * finalised digest, so neither the node nor the worker that uploaded it has to be trusted.
 */
export async function openTaskResult(opts: OpenResultOptions): Promise<Uint8Array> {
  const { result, manifest } = opts;
  if (!result.outputCid) throw new Error(`task ${result.taskId} is ${result.state} but no reveal names an output CID for digest ${result.digest || "(none)"}`);
  const blob = await fetchBlob(opts.restUrl, result.outputCid);
  const output = await openClientBlob(blob, manifest, opts.encryptionKey, result.taskId, "output");
  const actual = bytesToHex(sha256(output));
  if (actual !== result.digest.toLowerCase()) throw new ResultDigestMismatchError(result.taskId, result.digest, actual);
  return output;
}
