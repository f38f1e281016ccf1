import { MsgSend, MsgSendResponse, protobufPackage } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { coinsFromWire } from "../../app/coins.js";
import { SdkCode, sdkError } from "../../app/errors.js";
import { parseAccountAddress } from "../../app/address.js";
import { defineMsg, type RegisteredMsg } from "../../app/module.js";
import { msgType, OGPU_MSG_TYPES } from "../../proto/msg-types.js";
import { defineUpdateParamsMsg } from "../../app/update-params.js";
import { bankError, BankCode } from "./errors.js";
import type { BankDeps, BankKeeper } from "./keeper.js";
import { bankParams } from "./params.js";

function sendAmount(msg: MsgSend) {
  const coins = coinsFromWire(msg.amount);
  if (coins.length === 0) throw sdkError(SdkCode.InvalidCoins, "0: invalid coins");
  return coins;
}

export function bankMsgs(keeper: BankKeeper, { auth }: BankDeps): RegisteredMsg[] {
  const msgSend = defineMsg({
    type: msgType(protobufPackage, "MsgSend", MsgSend, MsgSendResponse),
    gas: 10_000,
    signers: (msg) => [msg.fromAddress],
    validate(msg) {
      parseAccountAddress(msg.fromAddress, "from address");
      parseAccountAddress(msg.toAddress, "to address");
      sendAmount(msg);
    },
    handle(ctx, msg) {
      if (!bankParams.get(ctx.store).send_enabled) throw bankError(BankCode.SendDisabled, "transfers are currently disabled");
      const from = parseAccountAddress(msg.fromAddress, "from address");
      const to = parseAccountAddress(msg.toAddress, "to address");
      // Module accounts only receive through their module's own logic (escrow, pools, fees).
      if (auth.moduleAccountName(ctx.store, to) !== undefined) {
        throw sdkError(SdkCode.Unauthorized, `${msg.toAddress} is not allowed to receive funds: unauthorized`);
      }
      keeper.sendCoins(ctx, from, to, sendAmount(msg));
      keeper.checkMaxWallet(ctx.store, to);
      return {};
    },
  });

  return [msgSend, defineUpdateParamsMsg("bank", bankParams, OGPU_MSG_TYPES.UpdateBankParams)];
}
