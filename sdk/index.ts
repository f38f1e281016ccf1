/**
 * The oGPU client SDK: `import { OgpuClient } from "ogpu/sdk"` (see docs/sdk.md).
 */
export { OgpuClient, TxFailedError, DEFAULT_GAS_PRICE, submitTaskMsg } from "./client.js";
export type { FetchedResult, OgpuClientOptions, SubmitTaskParams, SubmittedTask, RegisterWorkerParams } from "./client.js";
export { blobSignerFromMnemonic } from "./blob-signer.js";
export { ResultDigestMismatchError, candidateRecipients, clientEncryptionKey, declaredInputBytes, inputManifest, openTaskLogs, openTaskResult, uploadTaskInput } from "./task-io.js";
export type { CandidateFilter, InputBytesSource, OpenResultOptions, OpenedTaskLog, UploadInputOptions, UploadedInput } from "./task-io.js";
export { PROGRAM_KIND, builtinProgramId, packProgramFiles, pickedDirectoryEntries, programRequirements, unpackProgram, uploadProgram } from "./programs.js";
export { packProgram } from "./program-dir.js";
export type { PackedProgram, UnpackedProgram } from "./programs.js";
export { MANIFEST_FILE, ManifestError, parseProgramManifest, toleranceToPpt } from "./program-manifest.js";
export type { ProgramManifest, ProgramOutput, ProgramResources, ProgramVerification, Runtime } from "./program-manifest.js";
export { PackError, packFiles, unpackFiles } from "./program-pack.js";
export type { PackEntry } from "./program-pack.js";
export { BlobError, blobCid, fetchBlob, isBlobCid, restEndpoints, uploadBlob, type RestEndpoints } from "./blobs.js";
export type { BlobRef, BlobSigner } from "./blobs.js";
// The encrypted-task format (crypto/task-crypto.ts, shared with the worker); re-exported, not copied, for clients that seal by hand.
export { openTaskOutput, parseManifest, sealTaskInput } from "../crypto/task-crypto.js";
export type { EncryptedInputManifest, Recipient } from "../crypto/task-crypto.js";
export { EnvelopeError } from "../crypto/envelope.js";
export type { KemKeyPair } from "../crypto/kem.js";
export { watchTask, websocketUrl } from "./progress.js";
export type { ProgressOptions, TaskProgress } from "./progress.js";
export { FINAL_STATES, SUCCESS_STATES, STATUS_EVENT, TaskEndedError, WaitTimeoutError, chainOrder, resultFrom, taskEvents, transitionsIn } from "./events.js";
export type { AbciEvent, KeyedUpdate, TaskEventView, TaskResult, TaskUpdate } from "./events.js";
export { QueryError, submitTaskGrant, basePrices, getTask, getWorker, listPrograms, listTasks, programsPage, listWorkers, parseTaskStatus, parseWorkerStatus, taskStateName } from "./queries.js";
export type { AbciQuerier, SubmitTaskGrant, TaskFilter, WorkerFilter } from "./queries.js";
export { cosmosExtraTypes, MSG, ogpuRegistry, ogpuTypes } from "./registry.js";
export { TaskStatus, VerificationClass } from "../proto/gen/ogpu/market/v1/market.js";
export type { Task, Assignment, Requirements } from "../proto/gen/ogpu/market/v1/market.js";
export { WorkerStatus } from "../proto/gen/ogpu/workers/v1/workers.js";
export type { Worker, Gpu } from "../proto/gen/ogpu/workers/v1/workers.js";
export type { WorkerView } from "../proto/gen/ogpu/workers/v1/query.js";
export type { TierPrice } from "../proto/gen/ogpu/market/v1/query.js";
