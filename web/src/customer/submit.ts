/**
 * Submitting a task from the page, through the Node SDK's own steps: upload the program bundle
 * (sdk/programs.ts), seal the input to the candidate workers and the auditors and upload it
 * (sdk/task-io.ts uploadTaskInput), build MsgSubmitTask (sdk/submit-msg.ts) and sign it with the
 * wallet (web/src/tx.ts). The task id comes from the tx's task_submitted event.
 */
import { candidateRecipients, declaredInputBytes, MSG, PROGRAM_KIND, programRequirements, submitTaskMsg, uploadProgram, uploadTaskInput, type PackedProgram, type SubmitTaskParams, type UploadedInput } from "../../../sdk/browser";
import type { SignAndBroadcast, Wallet } from "../wallet/types";
import { api, restBase } from "../api";
import { auditors, candidateWorker, eventAttribute, latestHeight } from "./chain";

export interface TaskRequest {
  /** A built-in kind, or a program packed from a picked folder (sdk/programs.ts). */
  source: { kind: string } | { program: PackedProgram };
  input: Uint8Array;
  units: bigint;
  k: number;
  verification: "bitwise" | "tolerance";
  priority: number;
  tier: number;
  maxPricePerUnit: bigint;
  /** Seal the input (default on the page); off uploads it in clear: a public task. */
  encrypt: boolean;
}

export interface SubmittedFromPage {
  taskId: string;
  escrow: string;
  txhash: string;
  height: bigint;
  /** Workers and auditors the input was sealed to (0 for a public input). */
  sealedTo: { workers: number; auditors: number };
}

/** The SubmitTaskParams of a request (program: kind "program", its CID and manifest requirements). */
export function taskParams(req: TaskRequest): SubmitTaskParams {
  const program = "program" in req.source ? req.source.program : undefined;
  const declared = program?.manifest.verification;
  return {
    kind: program ? PROGRAM_KIND : (req.source as { kind: string }).kind,
    programHash: program?.cid,
    units: req.units,
    maxPricePerUnit: req.maxPricePerUnit,
    redundancy: req.k,
    priority: req.priority,
    requirements: { ...(program ? programRequirements(program.manifest) : {}), tier: req.tier },
    verification: req.verification,
    // A program's manifest names its tolerances; they go with its class, as the CLI does.
    atol: req.verification === "tolerance" ? declared?.atol : undefined,
    rtol: req.verification === "tolerance" ? declared?.rtol : undefined,
  };
}

/** Uploads what the task needs and submits it; `step` names each stage for the page. */
export async function submitFromPage(wallet: Wallet, sign: SignAndBroadcast, req: TaskRequest, step: (what: string) => void): Promise<SubmittedFromPage> {
  const restUrl = restBase();
  const params = taskParams(req);
  const height = await latestHeight();
  if ("program" in req.source) {
    step("uploading the program bundle");
    await uploadProgram(restUrl, req.source.program, wallet.blobSigner, height);
  }
  let uploaded: UploadedInput;
  if (req.encrypt) {
    step("sealing the input to the workers and auditors");
    const [workers, auditorKeys, key] = await Promise.all([api.workers(), auditors(), wallet.encryptionKey()]);
    const recipients = candidateRecipients(workers.workers.map(candidateWorker), params.requirements);
    uploaded = await uploadTaskInput({ restUrl, signer: wallet.blobSigner, height, input: req.input, encryption: { clientKey: key.publicKey, recipients, auditors: auditorKeys, tolerance: req.verification === "tolerance" } });
  } else {
    step("uploading the input");
    uploaded = await uploadTaskInput({ restUrl, signer: wallet.blobSigner, height, input: req.input });
  }
  step("signing and broadcasting MsgSubmitTask");
  // Everything this page uploaded, so the declaration needs no measuring round trip.
  const inputBytes = await declaredInputBytes(restUrl, { ...params, programBytes: "program" in req.source ? req.source.program.bundle.length : undefined }, uploaded);
  const msg = submitTaskMsg(wallet.address, { ...params, inputCid: uploaded.inputCid, inputBytes, inputEncrypted: uploaded.encrypted, auditorKeyFingerprints: uploaded.auditorKeyFingerprints });
  const outcome = await sign(wallet, [{ typeUrl: MSG.SubmitTask, value: msg }]);
  const taskId = eventAttribute(outcome.events, "task_submitted", "task_id");
  if (taskId === undefined) throw new Error(`tx ${outcome.txhash} was included but names no submitted task`);
  return {
    taskId,
    escrow: eventAttribute(outcome.events, "task_submitted", "escrow") ?? "",
    txhash: outcome.txhash,
    height: outcome.height,
    sealedTo: { workers: uploaded.recipients.length, auditors: uploaded.auditors.length },
  };
}

/** Cancels a PENDING or ASSIGNED task; the uogpu refunded, from the task_settled event. */
export async function cancelFromPage(wallet: Wallet, sign: SignAndBroadcast, taskId: string): Promise<bigint> {
  const outcome = await sign(wallet, [{ typeUrl: MSG.CancelTask, value: { client: wallet.address, taskId: BigInt(taskId) } }]);
  return BigInt(eventAttribute(outcome.events, "task_settled", "refunded") ?? "0");
}
