import { accountAddressString } from "../../app/address.js";
import { defineMsg, type RegisteredMsg } from "../../app/module.js";
import { COSMOS_EXTRA_MSG_TYPES, OGPU_MSG_TYPES } from "../../proto/msg-types.js";
import { defineUpdateParamsMsg } from "../../app/update-params.js";
import { slashingParams } from "./params.js";
import { allSigningInfos, clearMissedBits, setSigningInfo } from "./store.js";
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

  const msgUpdateParams = defineUpdateParamsMsg("slashing", slashingParams, OGPU_MSG_TYPES.UpdateSlashingParams, {
    // The missed-block bit arrays are sized by the window: a new window starts every validator's
    // liveness record afresh (nothing missed, judged again only after one full new window).
    applied(ctx, previous, next) {
      if (next.signed_blocks_window === previous.signed_blocks_window) return;
      for (const { cons, info } of [...allSigningInfos(ctx.store)]) {
        clearMissedBits(ctx.store, cons);
        setSigningInfo(ctx.store, cons, { ...info, startHeight: ctx.block.height, indexOffset: 0n, missedBlocksCounter: 0n });
      }
    },
  });
  return [msgUnjail, msgUpdateParams];
}
