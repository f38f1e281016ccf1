import type { RegisteredMsg } from "../../app/module.js";
import { defineUpdateParamsMsg } from "../../app/update-params.js";
import { OGPU_MSG_TYPES } from "../../proto/msg-types.js";
import type { MintKeeper } from "./keeper.js";
import { mintParams } from "./params.js";

/**
 * x/mint's only Msg: gov's MsgUpdateParams. A new schedule is refused unless what it still
 * emits after this block fits in the cap room left (genesis + minted + the open epoch's
 * unminted provider budget + the rest ≤ 21M).
 */
export function mintMsgs(keeper: Pick<MintKeeper, "checkScheduleFits">): RegisteredMsg[] {
  return [
    defineUpdateParamsMsg("mint", mintParams, OGPU_MSG_TYPES.UpdateMintParams, {
      checkChange: (ctx, _current, next) => keeper.checkScheduleFits(ctx.store, next, ctx.block.height),
    }),
  ];
}
