import { MsgCancelUpgrade, MsgCancelUpgradeResponse, MsgSoftwareUpgrade, MsgSoftwareUpgradeResponse, protobufPackage } from "cosmjs-types/cosmos/upgrade/v1beta1/tx";
import type { Plan } from "cosmjs-types/cosmos/upgrade/v1beta1/upgrade";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { requireGovAuthority, validateAuthority } from "../../app/authority.js";
import { defineMsg, type RegisteredMsg } from "../../app/module.js";
import { msgType } from "../../proto/msg-types.js";
import { invalidPlan } from "./errors.js";
import type { UpgradeKeeper } from "./keeper.js";
import { GO_ZERO_TIME } from "./store.js";

/** Unset: absent, all zero (cosmjs' default), or Go's zero time.Time (what a Go client sends in the non-nullable field). */
const isZeroTime = (t: Timestamp | undefined) => t === undefined || (t.nanos === 0 && (t.seconds === 0n || t.seconds === GO_ZERO_TIME.seconds));

/** The SDK's Plan.ValidateBasic: a name, a positive height, none of the deprecated fields. */
function validatePlan(plan: Plan | undefined): asserts plan is Plan {
  if (!plan) throw invalidPlan("plan is required");
  if (plan.name === "") throw invalidPlan("name cannot be empty");
  if (plan.height <= 0n) throw invalidPlan("height must be greater than 0");
  if (!isZeroTime(plan.time)) throw invalidPlan("time-based upgrades have been deprecated in the SDK");
  if (plan.upgradedClientState !== undefined) throw invalidPlan("upgrade logic for IBC has been moved to the IBC module");
}

/**
 * Both Msgs are authority-gated (a malformed authority is sdk code 7 before anything else, as
 * the SDK's ValidateBasic has it): only a passed gov proposal (whose messages x/gov executes
 * with the gov module account as signer) can schedule or cancel an upgrade. Name and info are
 * bounded by the generic Msg string cap (app/string-caps.ts, 256 characters).
 */
export function upgradeMsgs(keeper: UpgradeKeeper): RegisteredMsg[] {
  const softwareUpgrade = defineMsg({
    type: msgType(protobufPackage, "MsgSoftwareUpgrade", MsgSoftwareUpgrade, MsgSoftwareUpgradeResponse),
    gas: 20_000,
    signers: (msg) => [msg.authority],
    validate(msg) {
      validateAuthority(msg.authority);
      validatePlan(msg.plan);
    },
    handle(ctx, msg) {
      requireGovAuthority(msg.authority);
      validatePlan(msg.plan);
      keeper.scheduleUpgrade(ctx, msg.plan);
      return {};
    },
  });

  const cancelUpgrade = defineMsg({
    type: msgType(protobufPackage, "MsgCancelUpgrade", MsgCancelUpgrade, MsgCancelUpgradeResponse),
    gas: 10_000,
    signers: (msg) => [msg.authority],
    validate: (msg) => void validateAuthority(msg.authority),
    handle(ctx, msg) {
      requireGovAuthority(msg.authority);
      keeper.cancelUpgrade(ctx);
      return {};
    },
  });

  return [softwareUpgrade, cancelUpgrade];
}
