import {
  MsgBeginRedelegate,
  MsgBeginRedelegateResponse,
  MsgCreateValidator,
  MsgCreateValidatorResponse,
  MsgDelegate,
  MsgDelegateResponse,
  MsgEditValidator,
  MsgEditValidatorResponse,
  MsgUndelegate,
  MsgUndelegateResponse,
  protobufPackage,
} from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { emitStakingEvent } from "./events.js";
import { PubKey as Ed25519PubKeyProto } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { BondStatus, type CommissionRates, type Description } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { accountAddressString, parseAccountAddress } from "../../app/address.js";
import type { Context } from "../../app/context.js";
import { SdkCode, sdkError } from "../../app/errors.js";
import { defineMsg, type RegisteredMsg } from "../../app/module.js";
import { msgType, OGPU_MSG_TYPES } from "../../proto/msg-types.js";
import { defineUpdateParamsMsg } from "../../app/update-params.js";
import { stakingError, StakingCode } from "./errors.js";
import { requireValidator, tokensFromShares, type StakingKeeper } from "./keeper.js";
import { stakingParams } from "./params.js";
import { getDelegation, getValidator, isTombstoned, operatorByConsAddress, setValidator } from "./store.js";
import { consAddressOf, ED25519_PUBKEY_TYPE_URL, parseValoper } from "../../app/validator-address.js";
import { DEC_ONE, parseDec } from "../../app/dec.js";

/** The account that operates a validator: the same 20 bytes under the account prefix. */
const operatorAccount = (valoper: string) => accountAddressString(parseValoper(valoper));

function decField(text: string, field: string): bigint {
  try {
    return parseDec(text);
  } catch {
    throw sdkError(SdkCode.InvalidRequest, `invalid ${field} '${text}': invalid request`);
  }
}

/** A bond-denom coin with a positive amount. */
function bondAmount(ctx: Context | undefined, coin: { denom: string; amount: string } | undefined, what: string): bigint {
  if (!coin || !/^[0-9]+$/.test(coin.amount) || BigInt(coin.amount) <= 0n) throw sdkError(SdkCode.InvalidRequest, `invalid ${what} amount: must be positive: invalid request`);
  if (ctx) {
    const denom = stakingParams.get(ctx.store).bond_denom;
    if (coin.denom !== denom) throw stakingError(StakingCode.BadDenom, `invalid coin denomination: got ${coin.denom}, expected ${denom}`);
  }
  return BigInt(coin.amount);
}

const DESCRIPTION_LIMITS: Record<keyof Description, number> = { moniker: 70, identity: 3000, website: 140, securityContact: 140, details: 280 };

function checkDescription(d: Description): void {
  if (d.moniker.trim() === "") throw sdkError(SdkCode.InvalidRequest, "description must include a moniker: invalid request");
  for (const [field, max] of Object.entries(DESCRIPTION_LIMITS) as [keyof Description, number][]) {
    if (d[field].length > max) throw stakingError(StakingCode.DescriptionTooLong, `invalid ${field} length; got: ${d[field].length}, max: ${max}`);
  }
}

/** The SDK's CommissionRates.Validate, plus the chain's minimum rate. */
function checkCommission(ctx: Context, c: CommissionRates): void {
  const rate = decField(c.rate, "commission rate");
  const max = decField(c.maxRate, "commission max rate");
  const change = decField(c.maxChangeRate, "commission max change rate");
  if (max > DEC_ONE) throw stakingError(StakingCode.CommissionHuge, "commission cannot be more than 100%");
  if (rate > max) throw stakingError(StakingCode.CommissionGTMaxRate, "commission cannot be more than the max rate");
  if (change > max) throw stakingError(StakingCode.CommissionChangeRateGTMaxRate, "commission change rate cannot be more than the max rate");
  const min = parseDec(stakingParams.get(ctx.store).min_commission_rate);
  if (rate < min) throw stakingError(StakingCode.CommissionLTMinRate, `commission rate cannot be less than the min rate ${c.rate} < ${min}`);
}

export function stakingMsgs(keeper: StakingKeeper): RegisteredMsg[] {
  const msgCreateValidator = defineMsg({
    type: msgType(protobufPackage, "MsgCreateValidator", MsgCreateValidator, MsgCreateValidatorResponse),
    gas: 50_000,
    signers: (msg) => [operatorAccount(msg.validatorAddress)],
    validate(msg) {
      const operator = parseValoper(msg.validatorAddress);
      if (msg.delegatorAddress !== "" && msg.delegatorAddress !== accountAddressString(operator)) {
        throw sdkError(SdkCode.InvalidAddress, `delegator address ${msg.delegatorAddress} must be the validator's own account: invalid address`);
      }
      if (!msg.pubkey) throw stakingError(StakingCode.EmptyValidatorPubKey, "empty validator public key");
      if (msg.pubkey.typeUrl !== ED25519_PUBKEY_TYPE_URL) {
        throw stakingError(StakingCode.ValidatorPubKeyTypeNotSupported, `got: ${msg.pubkey.typeUrl}, expected: [${ED25519_PUBKEY_TYPE_URL}]: validator pubkey type is not supported`);
      }
      if (Ed25519PubKeyProto.decode(msg.pubkey.value).key.length !== 32) throw sdkError(SdkCode.InvalidPubKey, "ed25519 consensus key must be 32 bytes: invalid pubkey");
      bondAmount(undefined, msg.value, "self delegation");
      checkDescription(msg.description);
      if (!/^[0-9]+$/.test(msg.minSelfDelegation) || BigInt(msg.minSelfDelegation) <= 0n) {
        throw sdkError(SdkCode.InvalidRequest, "minimum self delegation must be a positive integer: invalid request");
      }
      for (const f of [msg.commission.rate, msg.commission.maxRate, msg.commission.maxChangeRate]) decField(f, "commission");
    },
    handle(ctx, msg) {
      const operator = parseValoper(msg.validatorAddress);
      const p = stakingParams.get(ctx.store);
      const amount = bondAmount(ctx, msg.value, "self delegation");
      const floor = BigInt(p.min_self_delegation);
      const promised = BigInt(msg.minSelfDelegation);
      if (amount < promised || amount < floor) {
        throw stakingError(StakingCode.SelfDelegationBelowMinimum, `validator's self delegation ${amount} must be at least its min self delegation ${promised} and the chain minimum ${floor}`);
      }
      checkCommission(ctx, msg.commission);
      if (getValidator(ctx.store, operator)) throw stakingError(StakingCode.ValidatorOwnerExists, `validator ${msg.validatorAddress} already exist for this operator address; must use new validator operator address`);
      const key = Ed25519PubKeyProto.decode(msg.pubkey!.value).key;
      const cons = consAddressOf(key);
      if (operatorByConsAddress(ctx.store, cons) || isTombstoned(ctx.store, cons)) {
        throw stakingError(StakingCode.ValidatorPubKeyExists, "validator already exist for this pubkey; must use new validator pubkey");
      }
      setValidator(ctx.store, {
        operatorAddress: msg.validatorAddress,
        consensusPubkey: msg.pubkey,
        jailed: false,
        status: BondStatus.BOND_STATUS_UNBONDED,
        tokens: "0",
        delegatorShares: "0",
        description: msg.description,
        unbondingHeight: 0n,
        unbondingTime: { seconds: 0n, nanos: 0 },
        commission: { commissionRates: { rate: parseDec(msg.commission.rate).toString(), maxRate: parseDec(msg.commission.maxRate).toString(), maxChangeRate: parseDec(msg.commission.maxChangeRate).toString() }, updateTime: { seconds: ctx.block.timeSeconds, nanos: 0 } },
        minSelfDelegation: msg.minSelfDelegation,
        unbondingOnHoldRefCount: 0n,
        unbondingIds: [],
      });
      emitStakingEvent(ctx.events, "create_validator", { validator: msg.validatorAddress, amount: `${amount}${p.bond_denom}` });
      keeper.delegate(ctx, operator, operator, amount);
      return {};
    },
  });

  /** The SDK's sentinel for "leave this description field as it is". */
  const DO_NOT_MODIFY = "[do-not-modify]";
  const COMMISSION_CHANGE_INTERVAL_SECONDS = 86_400n;

  const msgEditValidator = defineMsg({
    type: msgType(protobufPackage, "MsgEditValidator", MsgEditValidator, MsgEditValidatorResponse),
    gas: 20_000,
    signers: (msg) => [operatorAccount(msg.validatorAddress)],
    validate(msg) {
      parseValoper(msg.validatorAddress);
      if (msg.commissionRate !== "") decField(msg.commissionRate, "commission rate");
      if (msg.minSelfDelegation !== "" && (!/^[0-9]+$/.test(msg.minSelfDelegation) || BigInt(msg.minSelfDelegation) <= 0n)) {
        throw sdkError(SdkCode.InvalidRequest, "minimum self delegation must be a positive integer: invalid request");
      }
    },
    handle(ctx, msg) {
      const operator = parseValoper(msg.validatorAddress);
      const v = requireValidator(ctx.store, operator);
      const merged = { ...v.description };
      for (const k of Object.keys(DESCRIPTION_LIMITS) as (keyof Description)[]) {
        const given = msg.description?.[k] ?? DO_NOT_MODIFY;
        if (given !== DO_NOT_MODIFY) merged[k] = given;
      }
      checkDescription(merged);
      let commission = v.commission;
      if (msg.commissionRate !== "") {
        const rate = parseDec(msg.commissionRate);
        const rates = v.commission.commissionRates;
        const current = BigInt(rates.rate);
        if (ctx.block.timeSeconds - v.commission.updateTime.seconds < COMMISSION_CHANGE_INTERVAL_SECONDS) {
          throw stakingError(StakingCode.CommissionUpdateTime, "commission cannot be changed more than once in 24h");
        }
        if (rate > BigInt(rates.maxRate)) throw stakingError(StakingCode.CommissionGTMaxRate, "commission cannot be more than the max rate");
        const delta = rate > current ? rate - current : current - rate;
        if (delta > BigInt(rates.maxChangeRate)) throw stakingError(StakingCode.CommissionGTMaxChangeRate, "commission cannot be changed more than max change rate");
        if (rate < parseDec(stakingParams.get(ctx.store).min_commission_rate)) throw stakingError(StakingCode.CommissionLTMinRate, "commission rate cannot be less than the min rate");
        commission = { commissionRates: { ...rates, rate: rate.toString() }, updateTime: { seconds: ctx.block.timeSeconds, nanos: 0 } };
      }
      let minSelfDelegation = v.minSelfDelegation;
      if (msg.minSelfDelegation !== "") {
        const next = BigInt(msg.minSelfDelegation);
        if (next <= BigInt(v.minSelfDelegation)) throw stakingError(StakingCode.MinSelfDelegationDecreased, "minimum self delegation cannot be decrease");
        const own = getDelegation(ctx.store, operator, operator);
        if (next > tokensFromShares(v, own ? BigInt(own.shares) : 0n)) throw stakingError(StakingCode.SelfDelegationBelowMinimum, "validator's self delegation must be greater than their minimum self delegation");
        minSelfDelegation = msg.minSelfDelegation;
      }
      setValidator(ctx.store, { ...v, description: merged, commission, minSelfDelegation });
      emitStakingEvent(ctx.events, "edit_validator", { commission_rate: commission.commissionRates.rate, min_self_delegation: minSelfDelegation });
      return {};
    },
  });

  const msgDelegate = defineMsg({
    type: msgType(protobufPackage, "MsgDelegate", MsgDelegate, MsgDelegateResponse),
    gas: 30_000,
    signers: (msg) => [msg.delegatorAddress],
    validate(msg) {
      parseAccountAddress(msg.delegatorAddress, "delegator address");
      parseValoper(msg.validatorAddress);
      bondAmount(undefined, msg.amount, "delegation");
    },
    handle(ctx, msg) {
      const amount = bondAmount(ctx, msg.amount, "delegation");
      keeper.delegate(ctx, parseAccountAddress(msg.delegatorAddress, "delegator address"), parseValoper(msg.validatorAddress), amount);
      return {};
    },
  });

  const msgUndelegate = defineMsg({
    type: msgType(protobufPackage, "MsgUndelegate", MsgUndelegate, MsgUndelegateResponse),
    gas: 30_000,
    signers: (msg) => [msg.delegatorAddress],
    validate(msg) {
      parseAccountAddress(msg.delegatorAddress, "delegator address");
      parseValoper(msg.validatorAddress);
      bondAmount(undefined, msg.amount, "undelegation");
    },
    handle(ctx, msg) {
      const amount = bondAmount(ctx, msg.amount, "undelegation");
      const { tokens } = keeper.undelegate(ctx, parseAccountAddress(msg.delegatorAddress, "delegator address"), parseValoper(msg.validatorAddress), amount);
      const completionTime = { seconds: ctx.block.timeSeconds + BigInt(stakingParams.get(ctx.store).unbonding_blocks), nanos: 0 };
      return { completionTime, amount: { denom: msg.amount.denom, amount: tokens.toString() } };
    },
  });

  const msgBeginRedelegate = defineMsg({
    type: msgType(protobufPackage, "MsgBeginRedelegate", MsgBeginRedelegate, MsgBeginRedelegateResponse),
    gas: 40_000,
    signers: (msg) => [msg.delegatorAddress],
    validate(msg) {
      parseAccountAddress(msg.delegatorAddress, "delegator address");
      parseValoper(msg.validatorSrcAddress, "source validator address");
      parseValoper(msg.validatorDstAddress, "destination validator address");
      bondAmount(undefined, msg.amount, "redelegation");
    },
    handle(ctx, msg) {
      const amount = bondAmount(ctx, msg.amount, "redelegation");
      const dst = parseValoper(msg.validatorDstAddress, "destination validator address");
      if (!getValidator(ctx.store, dst)) throw stakingError(StakingCode.BadRedelegationDst, "redelegation destination validator not found");
      keeper.redelegate(ctx, parseAccountAddress(msg.delegatorAddress, "delegator address"), parseValoper(msg.validatorSrcAddress, "source validator address"), dst, amount);
      const completionTime = { seconds: ctx.block.timeSeconds + BigInt(stakingParams.get(ctx.store).unbonding_blocks), nanos: 0 };
      return { completionTime };
    },
  });

  const msgUpdateParams = defineUpdateParamsMsg("staking", stakingParams, OGPU_MSG_TYPES.UpdateStakingParams, {
    // Every bond, pool and delegation is held in bond_denom: renaming it would orphan them.
    checkChange(_ctx, current, next) {
      if (next.bond_denom !== current.bond_denom) throw sdkError(SdkCode.InvalidRequest, `invalid staking params: bond_denom cannot change (stake is held in ${current.bond_denom})`);
    },
  });
  return [msgCreateValidator, msgEditValidator, msgDelegate, msgUndelegate, msgBeginRedelegate, msgUpdateParams];
}
