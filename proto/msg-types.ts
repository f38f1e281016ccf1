/**
 * Where each Msg's type URL is spelled, once: "/" + the proto package (the generated file's
 * `protobufPackage`) + "." + the message name; its response is the same name + "Response".
 * x/ modules hand these to `defineMsg` (app/module.ts), and sdk/registry.ts derives its
 * registry from `OGPU_MSG_TYPES`, so neither writes a type URL by hand. Only generated code
 * is imported here: the SDK can use it without pulling in the node.
 */
import * as attest from "./gen/ogpu/attest/v1/tx.js";
import * as market from "./gen/ogpu/market/v1/tx.js";
import * as workers from "./gen/ogpu/workers/v1/tx.js";
import * as treasury from "./gen/ogpu/treasury/v1/tx.js";
import * as authz from "./gen/ogpu/authz/v1/authz.js";
import * as slashing from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import * as attestParams from "./gen/ogpu/attest/v1/update_params.js";
import * as authParams from "./gen/ogpu/auth/v1/update_params.js";
import * as bankParams from "./gen/ogpu/bank/v1/update_params.js";
import * as govParams from "./gen/ogpu/gov/v1/update_params.js";
import * as marketParams from "./gen/ogpu/market/v1/update_params.js";
import * as mintParams from "./gen/ogpu/mint/v1/update_params.js";
import * as slashingParams from "./gen/ogpu/slashing/v1/update_params.js";
import * as stakingParams from "./gen/ogpu/staking/v1/update_params.js";
import * as workersParams from "./gen/ogpu/workers/v1/update_params.js";

/** One Msg kind: its generated codec, its response's codec and both type URLs. */
export interface MsgType<Codec, ResponseCodec> {
  readonly typeUrl: string;
  readonly codec: Codec;
  readonly responseTypeUrl: string;
  readonly response: ResponseCodec;
}

/** Builds a MsgType from the proto package and the message name (the only place both appear). */
export function msgType<Codec, ResponseCodec>(protoPackage: string, name: string, codec: Codec, response: ResponseCodec): MsgType<Codec, ResponseCodec> {
  return { typeUrl: `/${protoPackage}.${name}`, codec, responseTypeUrl: `/${protoPackage}.${name}Response`, response };
}

/** A module's gov-only MsgUpdateParams (app/update-params.ts): same fields in every package, its own type URL. */
interface UpdateParamsPackage {
  protobufPackage: string;
  MsgUpdateParams: typeof authParams.MsgUpdateParams;
  MsgUpdateParamsResponse: typeof authParams.MsgUpdateParamsResponse;
}
export const updateParamsType = (pkg: UpdateParamsPackage) => msgType(pkg.protobufPackage, "MsgUpdateParams", pkg.MsgUpdateParams, pkg.MsgUpdateParamsResponse);

/** oGPU's own messages (the Cosmos ones are defined beside their modules, cosmjs knows them). */
export const OGPU_MSG_TYPES = {
  RegisterWorker: msgType(workers.protobufPackage, "MsgRegisterWorker", workers.MsgRegisterWorker, workers.MsgRegisterWorkerResponse),
  UpdateWorker: msgType(workers.protobufPackage, "MsgUpdateWorker", workers.MsgUpdateWorker, workers.MsgUpdateWorkerResponse),
  Heartbeat: msgType(workers.protobufPackage, "MsgHeartbeat", workers.MsgHeartbeat, workers.MsgHeartbeatResponse),
  ExitWorker: msgType(workers.protobufPackage, "MsgExitWorker", workers.MsgExitWorker, workers.MsgExitWorkerResponse),
  SubmitTask: msgType(market.protobufPackage, "MsgSubmitTask", market.MsgSubmitTask, market.MsgSubmitTaskResponse),
  CancelTask: msgType(market.protobufPackage, "MsgCancelTask", market.MsgCancelTask, market.MsgCancelTaskResponse),
  DeclineAssignment: msgType(market.protobufPackage, "MsgDeclineAssignment", market.MsgDeclineAssignment, market.MsgDeclineAssignmentResponse),
  PostTaskLog: msgType(market.protobufPackage, "MsgPostTaskLog", market.MsgPostTaskLog, market.MsgPostTaskLogResponse),
  CommitResult: msgType(attest.protobufPackage, "MsgCommitResult", attest.MsgCommitResult, attest.MsgCommitResultResponse),
  RevealResult: msgType(attest.protobufPackage, "MsgRevealResult", attest.MsgRevealResult, attest.MsgRevealResultResponse),
  Attest: msgType(attest.protobufPackage, "MsgAttest", attest.MsgAttest, attest.MsgAttestResponse),
  CommitAudit: msgType(attest.protobufPackage, "MsgCommitAudit", attest.MsgCommitAudit, attest.MsgCommitAuditResponse),
  SetAuditorKey: msgType(attest.protobufPackage, "MsgSetAuditorKey", attest.MsgSetAuditorKey, attest.MsgSetAuditorKeyResponse),
  TreasurySpend: msgType(treasury.protobufPackage, "MsgSpend", treasury.MsgSpend, treasury.MsgSpendResponse),
  UpdateAuthParams: updateParamsType(authParams),
  UpdateBankParams: updateParamsType(bankParams),
  UpdateStakingParams: updateParamsType(stakingParams),
  UpdateSlashingParams: updateParamsType(slashingParams),
  UpdateWorkersParams: updateParamsType(workersParams),
  UpdateMarketParams: updateParamsType(marketParams),
  UpdateAttestParams: updateParamsType(attestParams),
  UpdateMintParams: updateParamsType(mintParams),
  UpdateGovParams: updateParamsType(govParams),
} as const;

/**
 * Cosmos messages the chain accepts that cosmjs' default registry (`defaultRegistryTypes`)
 * does not know; x/ modules define them from here and sdk/registry.ts adds them.
 */
export const COSMOS_EXTRA_MSG_TYPES = {
  Unjail: msgType(slashing.protobufPackage, "MsgUnjail", slashing.MsgUnjail, slashing.MsgUnjailResponse),
} as const;

/** oGPU's x/authz authorization (docs/authz.md): an Any type URL, not a Msg. */
export const SUBMIT_TASK_AUTHORIZATION_TYPE_URL = `/${authz.protobufPackage}.SubmitTaskAuthorization`;
