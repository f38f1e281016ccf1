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
import { MsgCancelUpgrade, MsgSoftwareUpgrade } from "cosmjs-types/cosmos/upgrade/v1beta1/tx";
import { COSMOS_EXTRA_MSG_TYPES, OGPU_MSG_TYPES } from "../proto/msg-types.js";

type OgpuMsgName = keyof typeof OGPU_MSG_TYPES;

/** Type URLs of oGPU's messages, derived from proto/msg-types.ts (where the chain gets them too). */
export const MSG = Object.fromEntries(Object.entries(OGPU_MSG_TYPES).map(([name, t]) => [name, t.typeUrl])) as Readonly<Record<OgpuMsgName, string>>;

/**
 * Our ts-proto codecs write with @bufbuild/protobuf's BinaryWriter, which cosmjs' type for
 * ts-proto codecs (cosmjs-types' BinaryWriter) doesn't name, so TypeScript falls back to the
 * protobufjs shape and refuses them. The Registry only calls `encode(msg).finish()`, `decode`
 * and `fromPartial`, which ours have: this is the one place that says so.
 */
function asCosmjsType(codec: (typeof OGPU_MSG_TYPES)[OgpuMsgName]["codec"]): GeneratedType {
  return codec as unknown as GeneratedType;
}

export const ogpuTypes: ReadonlyArray<[string, GeneratedType]> = Object.values(OGPU_MSG_TYPES).map((t): [string, GeneratedType] => [t.typeUrl, asCosmjsType(t.codec)]);

/**
 * Cosmos messages the chain accepts that cosmjs' defaults lack: MsgUnjail (a validator signs
 * it) and x/upgrade's, which gov proposals carry.
 */
export const cosmosExtraTypes: ReadonlyArray<[string, GeneratedType]> = [
  ...Object.values(COSMOS_EXTRA_MSG_TYPES).map((t): [string, GeneratedType] => [t.typeUrl, t.codec]),
  ["/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade", MsgSoftwareUpgrade],
  ["/cosmos.upgrade.v1beta1.MsgCancelUpgrade", MsgCancelUpgrade],
];

/** Default Cosmos types (bank, staking, gov, …), the extras above, plus oGPU's. */
export function ogpuRegistry(): Registry {
  return new Registry([...defaultRegistryTypes, ...cosmosExtraTypes, ...ogpuTypes]);
}
