import {
  MsgWithdrawDelegatorReward,
  MsgWithdrawDelegatorRewardResponse,
  MsgWithdrawValidatorCommission,
  MsgWithdrawValidatorCommissionResponse,
  protobufPackage,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { accountAddressString, parseAccountAddress } from "../../app/address.js";
import { defineMsg, type RegisteredMsg } from "../../app/module.js";
import { msgType } from "../../proto/msg-types.js";
import type { StakingKeeper } from "../staking/keeper.js";
import type { DistributionKeeper } from "./keeper.js";
import { parseValoper } from "../../app/validator-address.js";

const coins = (denom: string, amount: bigint) => (amount === 0n ? [] : [{ denom, amount: amount.toString() }]);

export function distributionMsgs(keeper: DistributionKeeper, staking: Pick<StakingKeeper, "params">): RegisteredMsg[] {
  /** cosmjs `withdrawRewards` sends this. */
  const msgWithdrawDelegatorReward = defineMsg({
    type: msgType(protobufPackage, "MsgWithdrawDelegatorReward", MsgWithdrawDelegatorReward, MsgWithdrawDelegatorRewardResponse),
    gas: 20_000,
    signers: (msg) => [msg.delegatorAddress],
    validate(msg) {
      parseAccountAddress(msg.delegatorAddress, "delegator address");
      parseValoper(msg.validatorAddress);
    },
    handle(ctx, msg) {
      const amount = keeper.withdrawDelegatorReward(ctx, parseAccountAddress(msg.delegatorAddress, "delegator address"), parseValoper(msg.validatorAddress));
      return { amount: coins(staking.params(ctx.store).bond_denom, amount) };
    },
  });

  const msgWithdrawValidatorCommission = defineMsg({
    type: msgType(protobufPackage, "MsgWithdrawValidatorCommission", MsgWithdrawValidatorCommission, MsgWithdrawValidatorCommissionResponse),
    gas: 20_000,
    signers: (msg) => [accountAddressString(parseValoper(msg.validatorAddress))],
    validate(msg) {
      parseValoper(msg.validatorAddress);
    },
    handle(ctx, msg) {
      const amount = keeper.withdrawValidatorCommission(ctx, parseValoper(msg.validatorAddress));
      return { amount: coins(staking.params(ctx.store).bond_denom, amount) };
    },
  });

  return [msgWithdrawDelegatorReward, msgWithdrawValidatorCommission];
}
