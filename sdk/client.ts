/**
 * OgpuClient: submit and follow compute tasks, register and run workers, read the market —
 * a thin layer over stock cosmjs (`SigningStargateClient` with oGPU's message registry, and
 * CometBFT RPC for queries and event subscriptions). Works from a plain Node script:
 *
 *   const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "ogpu" });
 *   const client = await OgpuClient.connect("http://127.0.0.1:26657", wallet);
 *   const { taskId } = await client.submitTask({ kind: "matmul", inputCid, units: 10n, maxPricePerUnit: 200n });
 *   for await (const u of client.progress(taskId)) console.log(u.state, u.reason);
 *
 * With the node's blob store (restUrl) and an encryption key — both set up by
 * `OgpuClient.fromMnemonic` — it also uploads encrypted inputs and opens verified results:
 *
 *   const client = await OgpuClient.fromMnemonic(rpcUrl, mnemonic, { restUrl: "http://127.0.0.1:1317" });
 *   const { taskId } = await client.submitTask({ kind: "hash", input: bytes, units: 10n, maxPricePerUnit: 200n });
 *   const { output } = await client.fetchResult(taskId);
 */
import { DirectSecp256k1HdWallet, type EncodeObject, type OfflineSigner } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient, type DeliverTxResponse, type StdFee } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import type { BuiltinProgram, ProgramRecord, Task } from "../proto/gen/ogpu/market/v1/market.js";
import { MsgCancelTaskResponse, MsgSubmitTask, MsgSubmitTaskResponse } from "../proto/gen/ogpu/market/v1/tx.js";
import { MsgExec, MsgExecResponse } from "cosmjs-types/cosmos/authz/v1beta1/tx";
import type { TierPrice } from "../proto/gen/ogpu/market/v1/query.js";
import type { WorkerView } from "../proto/gen/ogpu/workers/v1/query.js";
import { MsgRegisterWorker } from "../proto/gen/ogpu/workers/v1/tx.js";
import type { Gpu } from "../proto/gen/ogpu/workers/v1/workers.js";
import { FINAL_STATES, REVEAL_EVENT, resultFrom, SUCCESS_STATES, TaskEndedError, taskEvents, WaitTimeoutError, type TaskResult, type TaskUpdate } from "./events.js";
import { watchTask, type ProgressOptions, type TaskProgress } from "./progress.js";
import { basePrices, getTask, getWorker, listPrograms, listTasks, listWorkers, type TaskFilter, type WorkerFilter } from "./queries.js";
import { MSG, ogpuRegistry } from "./registry.js";
import type { KemKeyPair } from "../crypto/kem.js";
import type { BlobSigner } from "./blobs.js";
import type { EncryptedInputManifest } from "../crypto/task-crypto.js";
import { submitTaskMsg, type SubmitTaskParams } from "./submit-msg.js";
import { blobSignerFromMnemonic } from "./blob-signer.js";
import { clientEncryptionKey, declaredInputBytes, inputManifest, inputRecipients, openTaskLogs, openTaskResult, uploadTaskInput, type OpenedTaskLog, type UploadedInput } from "./task-io.js";

export interface OgpuClientOptions {
  /** Fee per gas unit (default the node's default floor, 0.001uogpu). */
  gasPrice?: string | GasPrice;
  /** Fee for every tx: "auto" simulates (× 1.4, default), a number simulates × that factor, or a fixed StdFee. */
  fee?: StdFee | "auto" | number;
  /** How often cosmjs polls for a broadcast tx's inclusion (default 500 ms). */
  broadcastPollIntervalMs?: number;
  /** Options of every progress stream. */
  progress?: ProgressOptions;
  /**
   * The node's REST server (blob store), e.g. http://127.0.0.1:1317: needed for `input` and
   * fetchResult. Several, comma-separated ("http://a:1317,http://b:1317"), are failed over in order.
   */
  restUrl?: string;
  /** Authorises blob uploads as the signer's account (fromMnemonic derives it). */
  blobSigner?: BlobSigner;
  /**
   * The client's X25519 + ML-KEM-768 key pair: outputs of its encrypted tasks are sealed to the
   * public half. fromMnemonic derives it from the mnemonic (sdk/task-io.ts clientEncryptionKey),
   * so the mnemonic alone recovers it; pass one explicitly to use another key.
   */
  encryptionKey?: KemKeyPair;
}

export const DEFAULT_GAS_PRICE = "0.001uogpu";

export { submitTaskMsg, type SubmitTaskParams };

export interface SubmittedTask {
  taskId: bigint;
  /** The input CID the task names (a manifest for an encrypted input). */
  inputCid: string;
  /** Whether the input was encrypted (false for `inputCid` and `encrypt: false`). */
  encrypted: boolean;
  /** uogpu moved into escrow. */
  escrow: bigint;
  txHash: string;
  height: number;
}

export interface RegisterWorkerParams {
  gpus: { vendor: string; model: string; vramMb: bigint | number; pciId?: string; count?: number }[];
  region: string;
  pricePerUnit: bigint | number | string;
  maxConcurrent: number;
  /** X25519 ‖ ML-KEM-768 public key (1,216 bytes) that task inputs are encrypted to. */
  encPubkey: Uint8Array;
  /** uogpu to bond (at least the chain's min_worker_bond). */
  bond: bigint | number | string;
}

/** A verified result: the chain's TaskResult plus the plaintext output whose sha256 is its digest. */
export interface FetchedResult extends TaskResult {
  output: Uint8Array;
  /** Whether the output was decrypted (an encrypted task). */
  encrypted: boolean;
}

/** A tx the chain executed with a non-zero code. */
export class TxFailedError extends Error {
  constructor(readonly response: DeliverTxResponse) {
    super(`tx ${response.transactionHash} failed at height ${response.height}: code ${response.code}: ${response.rawLog ?? ""}`);
    this.name = "TxFailedError";
  }
}

export class OgpuClient {
  private constructor(
    readonly rpcUrl: string,
    /** HTTP CometBFT client for queries and event searches. */
    readonly comet: Comet38Client,
    private readonly signing: SigningStargateClient | undefined,
    /** The signer's (first) address; undefined for a read-only client. */
    readonly address: string | undefined,
    private readonly opts: OgpuClientOptions,
  ) {}

  /** Input manifests of tasks this client submitted with `input` (undefined: public), so fetchResult need not download them. */
  private readonly manifests = new Map<bigint, EncryptedInputManifest | undefined>();

  /**
   * A client for the account of a BIP-39 mnemonic (m/44'/118'/0'/0/0) that can also upload
   * inputs and open encrypted results: the blob signer and the encryption key are derived from
   * the same mnemonic (opts.blobSigner / opts.encryptionKey override them).
   */
  static async fromMnemonic(rpcUrl: string, mnemonic: string, opts: OgpuClientOptions = {}): Promise<OgpuClient> {
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "ogpu" });
    const [account] = await wallet.getAccounts();
    const blobSigner = opts.blobSigner ?? (await blobSignerFromMnemonic(mnemonic, account!.address));
    const encryptionKey = opts.encryptionKey ?? (await clientEncryptionKey(mnemonic));
    return OgpuClient.connect(rpcUrl, wallet, { ...opts, blobSigner, encryptionKey });
  }

  /** A client that signs with `signer`'s first account. */
  static async connect(rpcUrl: string, signer: OfflineSigner, opts: OgpuClientOptions = {}): Promise<OgpuClient> {
    const gasPrice = typeof opts.gasPrice === "object" ? opts.gasPrice : GasPrice.fromString(opts.gasPrice ?? DEFAULT_GAS_PRICE);
    const signing = await SigningStargateClient.connectWithSigner(rpcUrl, signer, {
      registry: ogpuRegistry(),
      gasPrice,
      broadcastPollIntervalMs: opts.broadcastPollIntervalMs ?? 500,
    });
    const [account] = await signer.getAccounts();
    if (!account) throw new Error("the signer has no accounts");
    return new OgpuClient(rpcUrl, await Comet38Client.connect(rpcUrl), signing, account.address, opts);
  }

  /** Queries, progress and fetchResult only (give restUrl and, for encrypted tasks, encryptionKey). */
  static async connectReadOnly(rpcUrl: string, opts: Pick<OgpuClientOptions, "progress" | "restUrl" | "encryptionKey"> = {}): Promise<OgpuClient> {
    return new OgpuClient(rpcUrl, await Comet38Client.connect(rpcUrl), undefined, undefined, opts);
  }

  disconnect(): void {
    this.signing?.disconnect();
    this.comet.disconnect();
  }

  // ---- transactions ----

  /** Uploads `params.input` if given (see SubmitTaskParams), then sends MsgSubmitTask. */
  async submitTask(params: SubmitTaskParams): Promise<SubmittedTask> {
    const client = this.requireSigner();
    const uploaded = await this.prepareInput(params);
    const inputBytes = await declaredInputBytes(this.opts.restUrl, params, uploaded);
    const msg = submitTaskMsg(client, { ...params, inputCid: uploaded.inputCid, inputBytes, inputEncrypted: uploaded.encrypted, auditorKeyFingerprints: uploaded.auditorKeyFingerprints });
    const res = await this.broadcast([{ typeUrl: MSG.SubmitTask, value: msg }], params.memo);
    const response = MsgSubmitTaskResponse.decode(res.msgResponses[0]!.value);
    if (params.input !== undefined) this.manifests.set(response.taskId, uploaded.manifest);
    return { taskId: response.taskId, inputCid: uploaded.inputCid, encrypted: uploaded.encrypted, escrow: BigInt(response.escrow), txHash: res.transactionHash, height: res.height };
  }

  /**
   * Submits a task as `granter` under the x/authz grant it gave this client's account
   * (docs/authz.md): the MsgSubmitTask names the granter as client and travels inside a
   * MsgExec this client signs, so the escrow leaves the granter's balance. An `input` is sealed
   * to this client's own encryption key (it fetches and opens the result), not the granter's.
   */
  async submitTaskFor(granter: string, params: SubmitTaskParams): Promise<SubmittedTask> {
    const grantee = this.requireSigner();
    const uploaded = await this.prepareInput(params);
    const inputBytes = await declaredInputBytes(this.opts.restUrl, params, uploaded);
    const inner = submitTaskMsg(granter, { ...params, inputCid: uploaded.inputCid, inputBytes, inputEncrypted: uploaded.encrypted, auditorKeyFingerprints: uploaded.auditorKeyFingerprints });
    const exec = MsgExec.fromPartial({ grantee, msgs: [{ typeUrl: MSG.SubmitTask, value: MsgSubmitTask.encode(inner).finish() }] });
    const res = await this.broadcast([{ typeUrl: MsgExec.typeUrl, value: exec }], params.memo);
    const response = MsgSubmitTaskResponse.decode(MsgExecResponse.decode(res.msgResponses[0]!.value).results[0]!);
    if (params.input !== undefined) this.manifests.set(response.taskId, uploaded.manifest);
    return { taskId: response.taskId, inputCid: uploaded.inputCid, encrypted: uploaded.encrypted, escrow: BigInt(response.escrow), txHash: res.transactionHash, height: res.height };
  }

  /** The task's input CID: `inputCid` as given, or `input` uploaded (sealed to the candidate workers unless encrypt is false). */
  private async prepareInput(params: SubmitTaskParams): Promise<UploadedInput> {
    if ((params.input === undefined) === (params.inputCid === undefined)) throw new Error("submitTask: give exactly one of `input` (bytes to upload) or `inputCid` (an uploaded public blob)");
    if (params.input === undefined) return { inputCid: params.inputCid!, encrypted: false, recipients: [], auditors: [], auditorKeyFingerprints: [] };
    const signer = this.opts.blobSigner;
    if (!signer) throw new Error("submitTask with `input` needs a blob signer: create the client with OgpuClient.fromMnemonic or pass opts.blobSigner");
    const restUrl = this.requireRest();
    const height = BigInt((await this.comet.status()).syncInfo.latestBlockHeight);
    if (params.encrypt === false) return uploadTaskInput({ restUrl, signer, height, input: params.input });
    const key = this.requireEncryptionKey();
    const { recipients, auditors } = await inputRecipients(this.comet, params.requirements);
    return uploadTaskInput({ restUrl, signer, height, input: params.input, encryption: { clientKey: key.publicKey, recipients, auditors, tolerance: params.verification === "tolerance" } });
  }

  /**
   * Waits for the task's finalised result (see waitForResult), downloads its output blob,
   * decrypts it (encrypted task) and checks sha256(output) against the finalised digest:
   * throws ResultDigestMismatchError when they differ, BlobError when the blob is missing or
   * does not match its CID.
   */
  async fetchResult(taskId: bigint, opts: { timeoutMs?: number; onUpdate?: (u: TaskUpdate) => void } = {}): Promise<FetchedResult> {
    const restUrl = this.requireRest();
    const result = await this.waitForResult(taskId, opts);
    let manifest = this.manifests.get(taskId);
    if (!this.manifests.has(taskId)) {
      const task = await this.getTask(taskId);
      if (!task) throw new Error(`task ${taskId} not found`);
      manifest = await inputManifest(restUrl, task.inputCid);
    }
    const output = await openTaskResult({ restUrl, result, manifest, encryptionKey: this.opts.encryptionKey });
    return { ...result, output, encrypted: manifest !== undefined };
  }

  /**
   * The job logs the task's workers posted so far (stdout/stderr, bounded by market
   * max_log_bytes; failed jobs included), decrypted with this client's key for an encrypted
   * task. Empty until a worker's job ends. docs/task-logs.md.
   */
  async logs(taskId: bigint): Promise<OpenedTaskLog[]> {
    const restUrl = this.requireRest();
    const task = await this.getTask(taskId);
    if (!task) throw new Error(`task ${taskId} not found`);
    if (task.logs.length === 0) return [];
    if (!this.manifests.has(taskId)) this.manifests.set(taskId, await inputManifest(restUrl, task.inputCid));
    return openTaskLogs({ restUrl, task, manifest: this.manifests.get(taskId), encryptionKey: this.opts.encryptionKey });
  }

  private requireRest(): string {
    if (!this.opts.restUrl) throw new Error("this client has no restUrl: pass opts.restUrl (the node's REST server, e.g. http://127.0.0.1:1317) for blob uploads and results");
    return this.opts.restUrl;
  }

  private requireEncryptionKey(): KemKeyPair {
    if (!this.opts.encryptionKey) throw new Error("encrypting a task needs the client's encryption key: use OgpuClient.fromMnemonic or pass opts.encryptionKey (or encrypt: false)");
    return this.opts.encryptionKey;
  }

  /** Cancels a PENDING or ASSIGNED task; returns the uogpu refunded. */
  async cancelTask(taskId: bigint): Promise<{ refunded: bigint; txHash: string; height: number }> {
    const res = await this.broadcast([{ typeUrl: MSG.CancelTask, value: { client: this.requireSigner(), taskId } }]);
    const refunded = BigInt(MsgCancelTaskResponse.decode(res.msgResponses[0]!.value).refunded);
    return { refunded, txHash: res.transactionHash, height: res.height };
  }

  async registerWorker(params: RegisterWorkerParams): Promise<DeliverTxResponse> {
    const operator = this.requireSigner();
    const gpus: Gpu[] = params.gpus.map((g) => ({ vendor: g.vendor, model: g.model, vramMb: BigInt(g.vramMb), pciId: g.pciId ?? "", count: g.count ?? 1 }));
    const msg = MsgRegisterWorker.fromPartial({
      operator,
      gpus,
      region: params.region,
      pricePerUnit: String(params.pricePerUnit),
      maxConcurrent: params.maxConcurrent,
      encPubkey: params.encPubkey,
      bond: String(params.bond),
    });
    return this.broadcast([{ typeUrl: MSG.RegisterWorker, value: msg }]);
  }

  /** Keeps the signer's worker online for heartbeat_timeout_blocks more blocks. */
  heartbeat(): Promise<DeliverTxResponse> {
    return this.broadcast([{ typeUrl: MSG.Heartbeat, value: { operator: this.requireSigner() } }]);
  }

  /** Signs and broadcasts any messages (oGPU's or Cosmos'); throws TxFailedError on a non-zero code. */
  async broadcast(messages: readonly EncodeObject[], memo = ""): Promise<DeliverTxResponse> {
    const res = await this.signing!.signAndBroadcast(this.requireSigner(), [...messages], this.opts.fee ?? "auto", memo);
    if (res.code !== 0) throw new TxFailedError(res);
    return res;
  }

  private requireSigner(): string {
    if (!this.signing || !this.address) throw new Error("this client is read-only: use OgpuClient.connect with a signer to send transactions");
    return this.address;
  }

  // ---- queries ----

  getTask(taskId: bigint): Promise<Task | undefined> {
    return getTask(this.comet, taskId);
  }

  listTasks(filter: TaskFilter = {}): Promise<Task[]> {
    return listTasks(this.comet, filter);
  }

  getWorker(operator: string): Promise<WorkerView | undefined> {
    return getWorker(this.comet, operator);
  }

  listWorkers(filter: WorkerFilter = {}): Promise<WorkerView[]> {
    return listWorkers(this.comet, filter);
  }

  /** The programs seen on chain (program index) and the built-in kernels with their fixed program ids. */
  listPrograms(): Promise<{ programs: ProgramRecord[]; builtins: BuiltinProgram[] }> {
    return listPrograms(this.comet);
  }

  /** Base price per unit (uogpu) of a tier, with its last utilisation. */
  async basePrice(tier: number): Promise<TierPrice> {
    const price = (await basePrices(this.comet)).find((p) => p.tier === tier);
    if (!price) throw new Error(`no base price for tier ${tier}`);
    return price;
  }

  basePrices(): Promise<TierPrice[]> {
    return basePrices(this.comet);
  }

  // ---- progress ----

  /** The task's state changes, from where it stands now until a final state (see sdk/progress.ts). */
  progress(taskId: bigint, opts: ProgressOptions = {}): TaskProgress {
    return watchTask(this.rpcUrl, taskId, { ...this.opts.progress, ...opts });
  }

  /** Calls `cb` on each change; returns a function that stops following. */
  onProgress(taskId: bigint, cb: (update: TaskUpdate) => void, onError?: (err: Error) => void): () => void {
    const stream = this.progress(taskId);
    void (async () => {
      try {
        for await (const u of stream) cb(u);
      } catch (err) {
        onError?.(err instanceof Error ? err : new Error(String(err)));
      }
    })();
    return () => stream.close();
  }

  /**
   * Resolves with the result once the task is FINALIZED (or RESOLVED by a dispute); rejects with
   * TaskEndedError (EXPIRED, CANCELLED, FAILED, with the chain's reason) or WaitTimeoutError.
   */
  async waitForResult(taskId: bigint, opts: { timeoutMs?: number; onUpdate?: (u: TaskUpdate) => void } = {}): Promise<TaskResult> {
    const stream = this.progress(taskId);
    let last: TaskUpdate | undefined;
    const timeoutMs = opts.timeoutMs ?? 10 * 60_000;
    const timer = setTimeout(() => stream.close(), timeoutMs);
    try {
      for await (const u of stream) {
        last = u;
        opts.onUpdate?.(u);
        if (SUCCESS_STATES.has(u.state)) return resultFrom(u, await this.revealEvents(taskId));
        if (FINAL_STATES.has(u.state)) throw new TaskEndedError(u);
      }
    } finally {
      clearTimeout(timer);
      stream.close();
    }
    throw new WaitTimeoutError(taskId, last?.state, timeoutMs);
  }

  /** The workers' reveal events (digest, output CID) of a task, from the tx index. */
  private async revealEvents(taskId: bigint) {
    const found = await this.comet.txSearchAll({ query: `${REVEAL_EVENT}.task_id='${taskId}'` });
    return found.txs.flatMap((tx) => taskEvents(tx.result.events, taskId).filter((e) => e.type === REVEAL_EVENT));
  }
}
