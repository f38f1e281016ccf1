import { MisbehaviorType, type Misbehavior, type VoteInfo } from "cosmjs-types/tendermint/abci/types";
import { emitSlashingEvent } from "./events.js";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import type { Context } from "../../app/context.js";
import type { StakingKeeper } from "../staking/keeper.js";
import { slashingError, SlashingCode } from "./errors.js";
import { maxMissedBlocks, slashingParams } from "./params.js";
import { clearMissedBits, getBit, getMissedBits, getSigningInfo, JAILED_FOREVER, jailedUntilHeight, newSigningInfo, setBit, setMissedBits, setSigningInfo } from "./store.js";
import { consAddressOf, consensusKeyOf, valconsString } from "../../app/validator-address.js";

/** What x/slashing needs from x/staking: find validators by consensus address, slash, jail, tombstone, unjail. */
export interface SlashingDeps {
  staking: Pick<StakingKeeper, "getDelegation" | "getValidator" | "isTombstoned" | "jail" | "slash" | "tokensFromShares" | "tombstone" | "unjail" | "validatorByConsAddress" | "params">;
}

/** x/slashing's surface (its beginBlock and MsgUnjail; no other module calls it). */
export interface SlashingKeeper {
  beginBlockSlashing(ctx: Context, misbehavior: readonly Misbehavior[], votes: readonly VoteInfo[]): void;
  unjailValidator(ctx: Context, operator: Uint8Array, valoper: string): void;
}

export function createSlashingKeeper({ staking }: SlashingDeps): SlashingKeeper {
  /** The `slash` event clients search for (address = ogpuvalcons…), one per slashing. */
  function emitSlash(ctx: Context, cons: Uint8Array, reason: "double_sign" | "missing_signature", power: bigint, burned: bigint): void {
    const denom = staking.params(ctx.store).bond_denom;
    emitSlashingEvent(ctx.events, "slash", { address: valconsString(cons), reason, power: power.toString(), burned: `${burned}${denom}` });
  }

  /**
   * Double sign (DUPLICATE_VOTE, or LIGHT_CLIENT_ATTACK, which CometBFT reports for each
   * validator that signed the conflicting header): slash at the infraction height, jail,
   * tombstone. Evidence naming an unknown or already tombstoned key is ignored: the first
   * evidence already took the 5 % and the key can never sign for this chain again.
   */
  function handleMisbehavior(ctx: Context, evidence: Misbehavior): void {
    if (evidence.type !== MisbehaviorType.DUPLICATE_VOTE && evidence.type !== MisbehaviorType.LIGHT_CLIENT_ATTACK) return;
    const cons = evidence.validator.address;
    if (!staking.validatorByConsAddress(ctx.store, cons) || staking.isTombstoned(ctx.store, cons)) return;
    const p = slashingParams.get(ctx.store);
    const burned = staking.slash(ctx, cons, evidence.height, BigInt(p.slash_fraction_double_sign_bps));
    staking.jail(ctx, cons);
    staking.tombstone(ctx, cons);
    const info = getSigningInfo(ctx.store, cons) ?? newSigningInfo(cons, ctx.block.height);
    setSigningInfo(ctx.store, cons, { ...info, tombstoned: true, jailedUntil: { seconds: JAILED_FOREVER, nanos: 0 } });
    emitSlash(ctx, cons, "double_sign", evidence.validator.power, burned);
  }

  /**
   * Liveness: records one vote of the last commit in the validator's window and, once it has
   * been tracked for a whole window and missed more than allowed, slashes and jails it.
   * A validator unknown to staking or already jailed is not tracked (it is leaving the set;
   * its counters were reset when it was jailed).
   */
  function handleVote(ctx: Context, vote: VoteInfo): void {
    const cons = vote.validator.address;
    const found = staking.validatorByConsAddress(ctx.store, cons);
    if (!found || found.validator.jailed) return;
    const p = slashingParams.get(ctx.store);
    const height = ctx.block.height;
    const window = p.signed_blocks_window;
    const info = getSigningInfo(ctx.store, cons) ?? newSigningInfo(cons, height);
    const index = Number(info.indexOffset % BigInt(window));
    const bits = getMissedBits(ctx.store, cons, window);
    const missed = vote.blockIdFlag === BlockIDFlag.BLOCK_ID_FLAG_ABSENT;
    let counter = info.missedBlocksCounter;
    if (getBit(bits, index) !== missed) {
      setBit(bits, index, missed);
      setMissedBits(ctx.store, cons, bits);
      counter += missed ? 1n : -1n;
    }
    if (missed) emitSlashingEvent(ctx.events, "liveness", { address: valconsString(cons), missed_blocks: counter.toString(), height: height.toString() });
    let next = { ...info, indexOffset: info.indexOffset + 1n, missedBlocksCounter: counter };

    const judged = height > info.startHeight + BigInt(window);
    if (judged && counter > maxMissedBlocks(p)) {
      // CometBFT reports the votes for block H−1 in block H, and a validator update in block H
      // only takes effect at H+2: the stake that was signing is the stake at H−2 (the SDK's
      // "distribution height"), so that is the infraction height unbonding entries are judged by.
      const burned = staking.slash(ctx, cons, height - 2n, BigInt(p.slash_fraction_downtime_bps));
      staking.jail(ctx, cons);
      emitSlash(ctx, cons, "missing_signature", vote.validator.power, burned);
      next = { ...next, jailedUntil: { seconds: height + BigInt(p.downtime_jail_blocks), nanos: 0 }, missedBlocksCounter: 0n, indexOffset: 0n };
      clearMissedBits(ctx.store, cons);
    }
    setSigningInfo(ctx.store, cons, next);
  }

  /** beginBlock: evidence first (it may tombstone a validator whose vote comes next), then votes. */
  function beginBlockSlashing(ctx: Context, misbehavior: readonly Misbehavior[], votes: readonly VoteInfo[]): void {
    for (const evidence of misbehavior) handleMisbehavior(ctx, evidence);
    for (const vote of votes) handleVote(ctx, vote);
  }

  /**
   * MsgUnjail: the operator asks to return to the set. Checked here with slashing's own codes
   * (the SDK's order), then staking lifts the jail. Liveness counting restarts at this height, so
   * a returning validator gets a whole window before it can be judged again.
   */
  function unjailValidator(ctx: Context, operator: Uint8Array, valoper: string): void {
    const validator = staking.getValidator(ctx.store, operator);
    if (!validator) throw slashingError(SlashingCode.NoValidatorForAddress, `address ${valoper} is not associated with any known validator`);
    const own = staking.getDelegation(ctx.store, operator, operator);
    if (!own) throw slashingError(SlashingCode.MissingSelfDelegation, `validator ${valoper} has no self-delegation; cannot be unjailed`);
    const selfTokens = staking.tokensFromShares(validator, BigInt(own.shares));
    if (selfTokens < BigInt(validator.minSelfDelegation)) {
      throw slashingError(SlashingCode.SelfDelegationTooLowToUnjail, `validator's self delegation ${selfTokens} is less than its minimum ${validator.minSelfDelegation}; cannot be unjailed`);
    }
    if (!validator.jailed) throw slashingError(SlashingCode.ValidatorNotJailed, `validator ${valoper} is not jailed; cannot be unjailed`);
    const cons = consAddressOf(consensusKeyOf(validator));
    const info = getSigningInfo(ctx.store, cons);
    if (info?.tombstoned || staking.isTombstoned(ctx.store, cons)) {
      throw slashingError(SlashingCode.ValidatorTombstoned, `validator ${valoper} is tombstoned for double signing and can never be unjailed`);
    }
    if (info && ctx.block.height < jailedUntilHeight(info)) {
      throw slashingError(SlashingCode.ValidatorJailed, `validator ${valoper} is jailed until height ${jailedUntilHeight(info)} (now ${ctx.block.height}); cannot be unjailed yet`);
    }
    staking.unjail(ctx, cons);
    setSigningInfo(ctx.store, cons, { ...(info ?? newSigningInfo(cons, ctx.block.height)), startHeight: ctx.block.height });
  }

  return { beginBlockSlashing, unjailValidator };
}
