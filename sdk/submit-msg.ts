/**
 * What a client asks for when it submits a task, and the MsgSubmitTask that says it: shared by
 * OgpuClient (sdk/client.ts), the CLI (`ogpud tx market submit-task`) and the web dashboard
 * (web/src/customer/), so every client fills the message the same way. No I/O.
 */
import { VerificationClass } from "../proto/gen/ogpu/market/v1/market.js";
import { MsgSubmitTask } from "../proto/gen/ogpu/market/v1/tx.js";
import { toleranceToPpt } from "./program-manifest.js";
import { builtinProgramId } from "./programs.js";

export interface SubmitTaskParams {
  /** Program kind the workers run, e.g. "matmul" (1–64 characters). */
  kind: string;
  /** Identifies the exact program: a bundle CID for kind "program" (sdk/programs.ts), else defaults to builtinProgramId(kind). */
  programHash?: string;
  /** CID of an already uploaded public input blob (give this or `input`). */
  inputCid?: string;
  /**
   * The input bytes (give this or `inputCid`): uploaded to the blob store before submitting,
   * encrypted unless `encrypt` is false (see sdk/task-io.ts; needs `restUrl`, `blobSigner`
   * and, when encrypting, `encryptionKey`).
   */
  input?: Uint8Array;
  /**
   * Seal `input` to every online worker that meets the requirements, outputs back to the
   * client's key (default true). false uploads it in clear: a public task.
   */
  encrypt?: boolean;
  /** Compute units; the escrow is maxPricePerUnit × units × redundancy. */
  units: bigint | number;
  /** Highest price per unit, uogpu. */
  maxPricePerUnit: bigint | number | string;
  /** k distinct workers run the task (default 1). */
  redundancy?: number;
  /** 0–3, higher first (default 0). */
  priority?: number;
  /** Expire when not committed within this many blocks (default: the chain's maximum). */
  deadlineBlocks?: bigint | number;
  /** runtime and gpus: a program's (kind "program"), from its manifest (sdk/programs.ts programRequirements). */
  requirements?: { minVramMb?: bigint | number; gpuModels?: string[]; tier?: number; preferredRegion?: string; runtime?: string; gpus?: number };
  /** "bitwise" (identical outputs, default) or "tolerance" (numeric outputs within atol/rtol; docs/verification.md). */
  verification?: "bitwise" | "tolerance";
  /** Tolerance tasks: absolute and relative tolerance as decimal strings, e.g. "1e-6" (default "0"). */
  atol?: string;
  rtol?: string;
  memo?: string;
  /**
   * MsgSubmitTask.input_bytes, the bytes every node stores for the task (input, encrypted
   * payload, program bundle; paid per KiB). Leave it out: the client computes it from what it
   * uploads and measures the rest through the REST endpoint (sdk/task-io.ts declaredInputBytes).
   */
  inputBytes?: bigint | number;
  /** Size of the program bundle (kind "program") when the caller holds it; measured otherwise. */
  programBytes?: bigint | number;
}

const VERIFICATION = { bitwise: VerificationClass.VERIFICATION_CLASS_BITWISE, tolerance: VerificationClass.VERIFICATION_CLASS_TOLERANCE } as const;

/**
 * The MsgSubmitTask for `params`, signed by `client` (the CLI builds its tx from it too). An
 * encrypted input declares the auditor keys it is wrapped to (UploadedInput.auditorKeyFingerprints);
 * `inputBytes` is the declaration sdk/task-io.ts declaredInputBytes computes.
 */
export function submitTaskMsg(client: string, params: SubmitTaskParams & { inputCid: string; inputBytes: bigint | number; inputEncrypted?: boolean; auditorKeyFingerprints?: Uint8Array[] }): MsgSubmitTask {
  const req = params.requirements ?? {};
  return MsgSubmitTask.fromPartial({
    client,
    kind: params.kind,
    programHash: params.programHash ?? builtinProgramId(params.kind),
    inputCid: params.inputCid,
    units: BigInt(params.units),
    requirements: { minVramMb: BigInt(req.minVramMb ?? 0), gpuModels: req.gpuModels ?? [], tier: req.tier ?? 0, preferredRegion: req.preferredRegion ?? "", runtime: req.runtime ?? "", gpus: req.gpus ?? 0 },
    redundancy: params.redundancy ?? 1,
    maxPricePerUnit: String(params.maxPricePerUnit),
    priority: params.priority ?? 0,
    deadlineBlocks: BigInt(params.deadlineBlocks ?? 0),
    verification: VERIFICATION[params.verification ?? "bitwise"],
    inputEncrypted: params.inputEncrypted ?? false,
    auditorKeyFingerprints: params.auditorKeyFingerprints ?? [],
    atol: toleranceToPpt(params.atol ?? "0"),
    rtol: toleranceToPpt(params.rtol ?? "0"),
    inputBytes: BigInt(params.inputBytes),
  });
}
