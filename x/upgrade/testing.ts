/**
 * Fixtures for x/upgrade: its Msgs as Any, and running one the way x/gov executes a passed
 * proposal's message (decode, validate, signers must be the gov authority, handle).
 */
import { MsgCancelUpgrade, MsgSoftwareUpgrade } from "cosmjs-types/cosmos/upgrade/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { govAuthority } from "../../app/authority.js";
import type { Context } from "../../app/context.js";
import type { OgpuApp } from "../../app/app.js";

export const softwareUpgradeMsg = (plan: { name: string; height: bigint; info?: string }, authority = govAuthority()): Any => ({
  typeUrl: "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade",
  value: MsgSoftwareUpgrade.encode({ authority, plan: { name: plan.name, height: plan.height, info: plan.info ?? "", time: { seconds: 0n, nanos: 0 } } }).finish(),
});

export const cancelUpgradeMsg = (authority = govAuthority()): Any => ({
  typeUrl: "/cosmos.upgrade.v1beta1.MsgCancelUpgrade",
  value: MsgCancelUpgrade.encode({ authority }).finish(),
});

/** Runs `msg` through the app's registered definition as a passed proposal would. */
export function executeAsGov(app: OgpuApp, ctx: Context, msg: Any): void {
  const def = app.modules.flatMap((m) => m.msgs).find((m) => m.typeUrl === msg.typeUrl);
  if (!def) throw new Error(`no Msg ${msg.typeUrl}`);
  const decoded = def.decode(msg.value);
  decoded.validate();
  if (decoded.signers().join() !== govAuthority()) throw new Error(`signers ${decoded.signers().join()} are not the gov authority`);
  decoded.handle(ctx);
}
