/**
 * Where a provider's money is and what there is to withdraw. The chain pays a worker's job
 * earnings (x/market settlement) and its emission rewards (x/mint, once per reward epoch)
 * straight into the operator's account, so those need no withdrawal: the page shows them with
 * the balance. What does wait to be withdrawn is staking's: rewards of the operator's
 * delegations (MsgWithdrawDelegatorReward, one per validator) and, when the operator runs a
 * validator, its commission (MsgWithdrawValidatorCommission).
 */
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { MsgWithdrawDelegatorReward, MsgWithdrawValidatorCommission } from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { api, formatOgpu, providerApi } from "./api";
import { useTx } from "./provider-actions";
import { usePoll } from "./usePoll";
import type { SignAndBroadcast, Wallet } from "./wallet/types";

const POLL_MS = 5000;
const DENOM = "uogpu";

/** The uogpu of a DecCoin list (Cosmos rewards are Decs: 18 decimal places, floored to whole uogpu). */
function wholeUogpu(coins: { denom: string; amount: string }[] | undefined): bigint {
  const amount = coins?.find((c) => c.denom === DENOM)?.amount ?? "0";
  return BigInt(amount.split(".")[0] || "0");
}

/** The operator's validator address (same key, valoper prefix). */
function valoperOf(address: string): string {
  return toBech32(`${fromBech32(address).prefix}valoper`, fromBech32(address).data);
}

function Withdraw({ wallet, send }: { wallet: Wallet; send: SignAndBroadcast }) {
  const valoper = valoperOf(wallet.address);
  const rewards = usePoll(() => providerApi.rewards(wallet.address), POLL_MS, [wallet.address]);
  const validators = usePoll(api.validators, POLL_MS * 3);
  const isValidator = (validators.data?.validators ?? []).some((v) => v.operator_address === valoper);
  const commission = usePoll(() => (isValidator ? providerApi.commission(valoper) : Promise.resolve(undefined)), POLL_MS, [isValidator, valoper]);
  const tx = useTx(wallet, send);
  const pending = (rewards.data?.rewards ?? []).filter((r) => wholeUogpu(r.reward) > 0n);
  const delegatorTotal = wholeUogpu(rewards.data?.total);
  const commissionTotal = wholeUogpu(commission.data?.commission.commission);
  const msgs: EncodeObject[] = [
    ...pending.map((r) => ({ typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward", value: MsgWithdrawDelegatorReward.fromPartial({ delegatorAddress: wallet.address, validatorAddress: r.validator_address }) })),
    ...(commissionTotal > 0n ? [{ typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission", value: MsgWithdrawValidatorCommission.fromPartial({ validatorAddress: valoper }) }] : []),
  ];
  return (
    <div class="panel" role="group" aria-labelledby="withdraw-title">
      <h3 id="withdraw-title">Withdraw staking rewards</h3>
      <dl class="stats">
        <div><dt>Delegation rewards</dt><dd data-testid="delegation-rewards">{formatOgpu(delegatorTotal)} OGPU</dd></div>
        {isValidator && <div><dt>Validator commission</dt><dd>{formatOgpu(commissionTotal)} OGPU</dd></div>}
      </dl>
      <button type="button" disabled={msgs.length === 0 || tx.busy} onClick={() => void tx.run("Withdraw rewards", msgs)}>
        Withdraw {formatOgpu(delegatorTotal + commissionTotal)} OGPU
      </button>
      {tx.status}
    </div>
  );
}

/** Balance and what x/mint paid the worker, and — with the operator's wallet — staking rewards to withdraw. */
export function ProviderEarnings({ operator, wallet, send }: { operator: string; wallet: Wallet | undefined; send: SignAndBroadcast }) {
  const balance = usePoll(() => api.balances(operator), POLL_MS, [operator]);
  const minted = usePoll(() => providerApi.providerRewards(operator), POLL_MS, [operator]);
  const uogpu = balance.data?.balances.find((b) => b.denom === DENOM)?.amount ?? "0";
  return (
    <>
      <p class="note">Job earnings and emission rewards are paid straight into the operator's account (nothing to withdraw); staking rewards wait for a withdrawal.</p>
      <dl class="stats" data-testid="paid">
        <div><dt>Account balance</dt><dd data-testid="balance">{formatOgpu(uogpu)} OGPU</dd></div>
        <div><dt>Emission rewards paid</dt><dd data-testid="provider-rewards">{formatOgpu(minted.data?.total_paid || "0")} OGPU</dd></div>
        <div><dt>Last epoch's reward</dt><dd>{formatOgpu(minted.data?.last_reward || "0")} OGPU</dd></div>
        <div><dt>Fee credit this epoch</dt><dd>{formatOgpu(minted.data?.fee_credit || "0")} OGPU</dd></div>
      </dl>
      {wallet !== undefined && wallet.address === operator && <Withdraw wallet={wallet} send={send} />}
    </>
  );
}
