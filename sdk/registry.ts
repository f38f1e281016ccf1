/**
 * A cosmjs Registry that knows oGPU's own messages on top of the default Cosmos ones, so a
 * stock client can sign them:
 *
 *   const client = await SigningStargateClient.connectWithSigner(rpc, wallet, { registry: ogpuRegistry(), gasPrice });
 *   await client.signAndBroadcast(address, [{ typeUrl: MSG.SubmitTask, value: MsgSubmitTask.fromPartial({...}) }], "auto");
 *
 * The generated ts-proto codecs (encode/decode/fromPartial) are exactly cosmjs' GeneratedType.
 */
import { Registry, type GeneratedType } from "@cosmjs/proto-signing";
import { defaultRegistryTypes } from "@cosmjs/stargate";
import { MsgCancelTask, MsgDeclineAssignment, MsgSubmitTask } from "../proto/gen/ogpu/market/v1/tx.js";
import { MsgExitWorker, MsgHeartbeat, MsgRegisterWorker, MsgUpdateWorker } from "../proto/gen/ogpu/workers/v1/tx.js";
import { MsgAttest, MsgCommitResult, MsgRevealResult, MsgSetAuditorKey } from "../proto/gen/ogpu/attest/v1/tx.js";

/** Type URLs of oGPU's messages. */
export const MSG = {
  RegisterWorker: "/ogpu.workers.v1.MsgRegisterWorker",
  UpdateWorker: "/ogpu.workers.v1.MsgUpdateWorker",
  Heartbeat: "/ogpu.workers.v1.MsgHeartbeat",
  ExitWorker: "/ogpu.workers.v1.MsgExitWorker",
  SubmitTask: "/ogpu.market.v1.MsgSubmitTask",
  CancelTask: "/ogpu.market.v1.MsgCancelTask",
  DeclineAssignment: "/ogpu.market.v1.MsgDeclineAssignment",
  CommitResult: "/ogpu.attest.v1.MsgCommitResult",
  RevealResult: "/ogpu.attest.v1.MsgRevealResult",
  Attest: "/ogpu.attest.v1.MsgAttest",
  SetAuditorKey: "/ogpu.attest.v1.MsgSetAuditorKey",
} as const;

export const ogpuTypes: ReadonlyArray<[string, GeneratedType]> = [
  [MSG.RegisterWorker, MsgRegisterWorker],
  [MSG.UpdateWorker, MsgUpdateWorker],
  [MSG.Heartbeat, MsgHeartbeat],
  [MSG.ExitWorker, MsgExitWorker],
  [MSG.SubmitTask, MsgSubmitTask],
  [MSG.CancelTask, MsgCancelTask],
  [MSG.DeclineAssignment, MsgDeclineAssignment],
  [MSG.CommitResult, MsgCommitResult],
  [MSG.RevealResult, MsgRevealResult],
  [MSG.Attest, MsgAttest],
  [MSG.SetAuditorKey, MsgSetAuditorKey],
];

/** Default Cosmos types (bank, staking, gov, …) plus oGPU's. */
export function ogpuRegistry(): Registry {
  return new Registry([...defaultRegistryTypes, ...ogpuTypes]);
}
