import { defineMsg, type RegisteredMsg } from "../../app/module.js";
import { parseAccountAddress } from "../../app/address.js";
import { validateAuthority } from "../../app/authority.js";
import { OGPU_MSG_TYPES } from "../../proto/msg-types.js";
import { spendAmount, type TreasuryKeeper } from "./keeper.js";

export function treasuryMsgs(keeper: TreasuryKeeper): RegisteredMsg[] {
  /** A passed proposal's payout: exact amount, gov authority only (docs/treasury.md). */
  const msgSpend = defineMsg({
    type: OGPU_MSG_TYPES.TreasurySpend,
    gas: 20_000,
    signers: (msg) => [msg.authority],
    validate(msg) {
      validateAuthority(msg.authority);
      parseAccountAddress(msg.recipient, "recipient");
      spendAmount(msg.amount);
    },
    handle(ctx, msg) {
      return { spendId: keeper.spend(ctx, msg.authority, msg.recipient, msg.amount).id };
    },
  });
  return [msgSpend];
}
