/**
 * Fixtures for x/staking and x/distribution: genesis with gentxs and staking messages built
 * as cosmjs builds them; the chain itself is app/testkit.ts's (with STAKING_CHAIN).
 */
import { MICRO_PER_OGPU } from "../../app/coins.js";
import { MsgBeginRedelegate, MsgDelegate, MsgUndelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { MsgWithdrawDelegatorReward, MsgWithdrawValidatorCommission } from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { signTx, testGenesis, testKey, type TestChainOptions, type TestKey } from "../../app/testkit.js";
import { sha256 } from "../../crypto/hash.js";
import { createValidatorMsg } from "../genutil/gentx.js";
import { valoperString } from "../../app/validator-address.js";
import { DEC_ONE } from "../../app/dec.js";

export const OGPU = MICRO_PER_OGPU;

export interface TestValidator {
  key: TestKey;
  valoper: string;
  consensusKey: Uint8Array;
}

export function testValidator(i: number): TestValidator {
  const key = testKey(i);
  return { key, valoper: valoperString(key.addressBytes), consensusKey: sha256(new TextEncoder().encode(`ogpu consensus key ${i}`)) };
}

/** A percentage as Dec atomics, e.g. pct(10) = 0.10. */
export const pct = (n: number) => ((BigInt(n) * DEC_ONE) / 100n).toString();

export function gentx(v: TestValidator, stake: bigint, opts: { commissionPct?: number; minSelf?: bigint; moniker?: string } = {}): Uint8Array {
  const msg = createValidatorMsg({
    operator: v.key.addressBytes,
    consensusKey: v.consensusKey,
    amount: stake,
    moniker: opts.moniker ?? `validator-${v.valoper.slice(-4)}`,
    commissionRate: pct(opts.commissionPct ?? 0),
    commissionMaxRate: pct(50),
    commissionMaxChangeRate: pct(1),
    minSelfDelegation: opts.minSelf ?? 1n,
  });
  return signTx(v.key, [msg], { accountNumber: 0n, sequence: 0n, fee: [] });
}

/** Genesis: balances, staking params, and gentxs for the given validators. */
export function stakingGenesis(
  balances: Record<string, bigint>,
  gentxs: Uint8Array[],
  params: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...testGenesis(balances),
    staking: { params },
    genutil: { gen_txs: gentxs.map((tx) => Buffer.from(tx).toString("base64")) },
  };
}

const any = (typeUrl: string, value: Uint8Array): Any => ({ typeUrl, value });
export const delegateMsg = (from: TestKey, valoper: string, amount: bigint) =>
  any("/cosmos.staking.v1beta1.MsgDelegate", MsgDelegate.encode({ delegatorAddress: from.address, validatorAddress: valoper, amount: { denom: "uogpu", amount: amount.toString() } }).finish());
export const undelegateMsg = (from: TestKey, valoper: string, amount: bigint) =>
  any("/cosmos.staking.v1beta1.MsgUndelegate", MsgUndelegate.encode({ delegatorAddress: from.address, validatorAddress: valoper, amount: { denom: "uogpu", amount: amount.toString() } }).finish());
export const redelegateMsg = (from: TestKey, src: string, dst: string, amount: bigint) =>
  any("/cosmos.staking.v1beta1.MsgBeginRedelegate", MsgBeginRedelegate.encode({ delegatorAddress: from.address, validatorSrcAddress: src, validatorDstAddress: dst, amount: { denom: "uogpu", amount: amount.toString() } }).finish());
export const withdrawMsg = (from: TestKey, valoper: string) =>
  any("/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward", MsgWithdrawDelegatorReward.encode({ delegatorAddress: from.address, validatorAddress: valoper }).finish());
export const withdrawCommissionMsg = (valoper: string) =>
  any("/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission", MsgWithdrawValidatorCommission.encode({ validatorAddress: valoper }).finish());

/** Harness options for staking/distribution tests: keeper calls mid-block, fee-less txs. */
export const STAKING_CHAIN: TestChainOptions = { midBlockCalls: true, signing: { fee: 0n, gas: 400_000n } };

/** Updates as comparable { consensus key hex → power } pairs. */
export function powersOf(updates: readonly ValidatorUpdate[]): Record<string, bigint> {
  return Object.fromEntries(updates.map((u) => [Buffer.from(u.pubKey.ed25519 ?? new Uint8Array()).toString("hex"), u.power]));
}

export const hex = (v: TestValidator) => Buffer.from(v.consensusKey).toString("hex");
