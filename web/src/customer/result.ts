/**
 * A finalised task's result and its job logs, opened in the browser exactly as OgpuClient opens
 * them (sdk/task-io.ts): the output blob is fetched (its CID checked), decrypted with the
 * wallet's encryption key for an encrypted task, and its sha256 compared with the digest the
 * workers revealed and the chain finalised. A mismatch is an error, never a download.
 */
import { inputManifest, openTaskLogs, openTaskResult, type KemKeyPair, type OpenedTaskLog } from "../../../sdk/browser";
import type { Wallet } from "../wallet/types";
import { restBase, type Task } from "../api";
import { taskResult } from "./chain";

export interface OpenedResult {
  output: Uint8Array;
  /** Hex sha256 the chain finalised, which the output hashes to. */
  digest: string;
  outputCid: string;
  encrypted: boolean;
}

interface LogJson {
  worker: string;
  log_cid: string;
  height: string;
}

/** The wallet's key when the task is encrypted (its manifest names one), else none. */
async function keyFor(task: Task, wallet: Wallet | undefined) {
  const manifest = await inputManifest(restBase(), String(task.input_cid ?? ""));
  if (manifest && !wallet) throw new Error(`task ${task.id} is encrypted: connect the wallet that submitted it to open it`);
  const encryptionKey: KemKeyPair | undefined = manifest ? await wallet!.encryptionKey() : undefined;
  return { manifest, encryptionKey };
}

export async function openResult(task: Task, wallet: Wallet | undefined): Promise<OpenedResult> {
  const result = await taskResult(task);
  const { manifest, encryptionKey } = await keyFor(task, wallet);
  const output = await openTaskResult({ restUrl: restBase(), result, manifest, encryptionKey });
  return { output, digest: result.digest, outputCid: result.outputCid, encrypted: manifest !== undefined };
}

export async function openLogs(task: Task, wallet: Wallet | undefined): Promise<OpenedTaskLog[]> {
  const logs = Array.isArray(task.logs) ? (task.logs as LogJson[]) : [];
  if (logs.length === 0) return [];
  const { manifest, encryptionKey } = await keyFor(task, wallet);
  const chainTask = { id: BigInt(task.id), logs: logs.map((l) => ({ worker: l.worker, logCid: l.log_cid, height: BigInt(l.height) })) };
  return openTaskLogs({ restUrl: restBase(), task: chainTask, manifest, encryptionKey });
}
