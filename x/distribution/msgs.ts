import {
  MsgWithdrawDelegatorReward,
  MsgWithdrawDelegatorRewardResponse,
  MsgWithdrawValidatorCommission,
  MsgWithdrawValidatorCommissionResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { accountAddressString, parseAccountAddress } from "../../app/address.js";
import { defineMsg, type RegisteredMsg } from "../../app/module.js";
import type { StakingKeeper } from "../staking/keeper.js";
import type { DistributionKeeper } from "./keeper.js";
import { parseValoper } from "../../app/validator-address.js";

const coins = (denom: string, amount: bigint) => (amount === 0n ? [] : [{ denom, amount: amount.toString() }]);

export function distributionMsgs(keeper: DistributionKeeper, staking: Pick<StakingKeeper, "params">): RegisteredMsg[] {
  /** cosmjs `withdrawRewards` sends this. */
  const msgWithdrawDelegatorReward = defineMsg<MsgWithdrawDelegatorReward>({
    typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
    codec: MsgWithdrawDelegatorReward,
    gas: 20_000,
    signers: (msg) => [msg.delegatorAddress],
    validate(msg) {
      parseAccountAddress(msg.delegatorAddress, "delegator address");
      parseValoper(msg.validatorAddress);
    },
    handle(ctx, msg) {
      const amount = keeper.withdrawDelegatorReward(ctx, parseAccountAddress(msg.delegatorAddress, "delegator address"), parseValoper(msg.validatorAddress));
      const value = MsgWithdrawDelegatorRewardResponse.encode({ amount: coins(staking.params(ctx.store).bond_denom, amount) }).finish();
      return { typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorRewardResponse", value };
    },
  });

  const msgWithdrawValidatorCommission = defineMsg<MsgWithdrawValidatorCommission>({
    typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission",
    codec: MsgWithdrawValidatorCommission,
    gas: 20_000,
    signers: (msg) => [accountAddressString(parseValoper(msg.validatorAddress))],
    validate(msg) {
      parseValoper(msg.validatorAddress);
    },
    handle(ctx, msg) {
      const amount = keeper.withdrawValidatorCommission(ctx, parseValoper(msg.validatorAddress));
      const value = MsgWithdrawValidatorCommissionResponse.encode({ amount: coins(staking.params(ctx.store).bond_denom, amount) }).finish();
      return { typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommissionResponse", value };
    },
  });

  return [msgWithdrawDelegatorReward, msgWithdrawValidatorCommission];
}
