import {
  MsgWithdrawDelegatorReward,
  MsgWithdrawDelegatorRewardResponse,
  MsgWithdrawValidatorCommission,
  MsgWithdrawValidatorCommissionResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { accountAddressString, parseAccountAddress } from "../../app/address.js";
import { defineMsg, type RegisteredMsg } from "../../app/module.js";
import { stakingParams } from "../staking/params.js";
import { withdrawDelegatorReward, withdrawValidatorCommission } from "./keeper.js";
import { parseValoper } from "../../app/validator-address.js";

const coins = (denom: string, amount: bigint) => (amount === 0n ? [] : [{ denom, amount: amount.toString() }]);

/** cosmjs `withdrawRewards` sends this. */
export const msgWithdrawDelegatorReward = defineMsg<MsgWithdrawDelegatorReward>({
  typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
  codec: MsgWithdrawDelegatorReward,
  gas: 20_000,
  signers: (msg) => [msg.delegatorAddress],
  validate(msg) {
    parseAccountAddress(msg.delegatorAddress, "delegator address");
    parseValoper(msg.validatorAddress);
  },
  handle(ctx, msg) {
    const amount = withdrawDelegatorReward(ctx, parseAccountAddress(msg.delegatorAddress, "delegator address"), parseValoper(msg.validatorAddress));
    const value = MsgWithdrawDelegatorRewardResponse.encode({ amount: coins(stakingParams.get(ctx.store).bond_denom, amount) }).finish();
    return { typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorRewardResponse", value };
  },
});

export const msgWithdrawValidatorCommission = defineMsg<MsgWithdrawValidatorCommission>({
  typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission",
  codec: MsgWithdrawValidatorCommission,
  gas: 20_000,
  signers: (msg) => [accountAddressString(parseValoper(msg.validatorAddress))],
  validate(msg) {
    parseValoper(msg.validatorAddress);
  },
  handle(ctx, msg) {
    const amount = withdrawValidatorCommission(ctx, parseValoper(msg.validatorAddress));
    const value = MsgWithdrawValidatorCommissionResponse.encode({ amount: coins(stakingParams.get(ctx.store).bond_denom, amount) }).finish();
    return { typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommissionResponse", value };
  },
});

export const distributionMsgs: RegisteredMsg[] = [msgWithdrawDelegatorReward, msgWithdrawValidatorCommission];
