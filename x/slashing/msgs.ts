import { accountAddressString } from "../../app/address.js";
import { defineMsg, type RegisteredMsg } from "../../app/module.js";
import { COSMOS_EXTRA_MSG_TYPES } from "../../proto/msg-types.js";
import type { SlashingKeeper } from "./keeper.js";
import { parseValoper } from "../../app/validator-address.js";

export function slashingMsgs(keeper: SlashingKeeper): RegisteredMsg[] {
  /** cosmos.slashing.v1beta1.MsgUnjail: signed by the operator account (same bytes as the valoper). */
  const msgUnjail = defineMsg({
    type: COSMOS_EXTRA_MSG_TYPES.Unjail,
    gas: 20_000,
    signers: (msg) => [accountAddressString(parseValoper(msg.validatorAddr))],
    validate(msg) {
      parseValoper(msg.validatorAddr);
    },
    handle(ctx, msg) {
      keeper.unjailValidator(ctx, parseValoper(msg.validatorAddr), msg.validatorAddr);
      return {};
    },
  });

  return [msgUnjail];
}
