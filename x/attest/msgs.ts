import { parseAccountAddress } from "../../app/address.js";
import { defineMsg, type RegisteredMsg } from "../../app/module.js";
import { OGPU_MSG_TYPES } from "../../proto/msg-types.js";
import { defineUpdateParamsMsg } from "../../app/update-params.js";
import { attestParams } from "./params.js";
import { Verdict } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { kemPublicKeyDefect } from "../../crypto/kem-pubkey.js";
import { BLOB_CID_FORM, isBlobCid } from "../../crypto/cid.js";
import { attestError, AttestCode } from "./errors.js";
import type { AttestKeeper } from "./keeper.js";
import { DIGEST_LENGTH, MAX_SALT_LENGTH, MIN_SALT_LENGTH } from "./seal.js";

const invalid = (message: string) => attestError(AttestCode.InvalidField, message);
const MAX_WORKER_VERDICTS = 16;

function checkTaskId(taskId: bigint): void {
  if (taskId === 0n) throw invalid("task_id must be positive");
}

function checkDigest(digest: Uint8Array, field = "result_digest"): void {
  if (digest.length !== DIGEST_LENGTH) throw invalid(`${field} must be ${DIGEST_LENGTH} bytes (sha256), got ${digest.length}`);
}

function checkSalt(salt: Uint8Array): void {
  if (salt.length < MIN_SALT_LENGTH || salt.length > MAX_SALT_LENGTH) throw invalid(`salt must be ${MIN_SALT_LENGTH}-${MAX_SALT_LENGTH} bytes`);
}

export function attestMsgs(keeper: AttestKeeper): RegisteredMsg[] {
  const msgCommitResult = defineMsg({
    type: OGPU_MSG_TYPES.CommitResult,
    gas: 20_000,
    signers: (msg) => [msg.worker],
    validate(msg) {
      parseAccountAddress(msg.worker, "worker");
      checkTaskId(msg.taskId);
      checkDigest(msg.seal, "seal");
    },
    handle(ctx, msg) {
      keeper.commitResult(ctx, msg.worker, msg.taskId, msg.seal);
      return {};
    },
  });

  const msgRevealResult = defineMsg({
    type: OGPU_MSG_TYPES.RevealResult,
    gas: 20_000,
    signers: (msg) => [msg.worker],
    validate(msg) {
      parseAccountAddress(msg.worker, "worker");
      checkTaskId(msg.taskId);
      checkDigest(msg.resultDigest);
      checkSalt(msg.salt);
      // A paid result must name its output (issue 10 item 13); the seal committed to this CID.
      if (msg.outputCid.length === 0) throw invalid("output_cid is required: a result is paid only with its output named");
      if (!isBlobCid(msg.outputCid)) throw invalid(`output_cid must be a blob CID, ${BLOB_CID_FORM}`);
    },
    handle(ctx, msg) {
      keeper.revealResult(ctx, msg.worker, msg.taskId, msg.resultDigest, msg.salt, msg.outputCid);
      return {};
    },
  });

  const msgAttest = defineMsg({
    type: OGPU_MSG_TYPES.Attest,
    gas: 20_000,
    signers: (msg) => [msg.validator],
    validate(msg) {
      parseAccountAddress(msg.validator, "validator");
      checkTaskId(msg.taskId);
      checkDigest(msg.resultDigest);
      if (![Verdict.VERDICT_MATCH, Verdict.VERDICT_MISMATCH, Verdict.VERDICT_UNEXECUTABLE].includes(msg.verdict)) throw invalid("verdict must be VERDICT_MATCH, VERDICT_MISMATCH or VERDICT_UNEXECUTABLE");
      if (msg.salt.length > 0) checkSalt(msg.salt);
      // One per worker of a task: k is at most 16 (x/market max_redundancy's bound).
      if (msg.workerVerdicts.length > MAX_WORKER_VERDICTS) throw invalid(`worker_verdicts lists ${msg.workerVerdicts.length} workers; a task has at most ${MAX_WORKER_VERDICTS}`);
      for (const v of msg.workerVerdicts) parseAccountAddress(v.worker, "worker_verdicts.worker");
    },
    handle(ctx, msg) {
      keeper.attest(ctx, msg.validator, msg.taskId, msg.resultDigest, msg.verdict, msg.salt, msg.workerVerdicts);
      return {};
    },
  });

  const msgCommitAudit = defineMsg({
    type: OGPU_MSG_TYPES.CommitAudit,
    gas: 20_000,
    signers: (msg) => [msg.validator],
    validate(msg) {
      parseAccountAddress(msg.validator, "validator");
      checkTaskId(msg.taskId);
      checkDigest(msg.seal, "seal");
    },
    handle(ctx, msg) {
      keeper.commitAudit(ctx, msg.validator, msg.taskId, msg.seal);
      return {};
    },
  });

  const msgSetAuditorKey = defineMsg({
    type: OGPU_MSG_TYPES.SetAuditorKey,
    gas: 20_000,
    signers: (msg) => [msg.validator],
    validate(msg) {
      parseAccountAddress(msg.validator, "validator");
      const keyDefect = kemPublicKeyDefect(msg.encPubkey);
      if (keyDefect) throw invalid(`enc_pubkey ${keyDefect}`);
    },
    handle(ctx, msg) {
      keeper.setAuditorKey(ctx, parseAccountAddress(msg.validator, "validator"), msg.encPubkey);
      return {};
    },
  });

  const msgUpdateParams = defineUpdateParamsMsg("attest", attestParams, OGPU_MSG_TYPES.UpdateAttestParams);
  return [msgCommitResult, msgRevealResult, msgAttest, msgCommitAudit, msgSetAuditorKey, msgUpdateParams];
}
