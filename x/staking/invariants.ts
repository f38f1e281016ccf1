import type { Invariant } from "../../app/module.js";
import type { BankKeeper } from "../bank/keeper.js";
import { BONDED_POOL, NOT_BONDED_POOL } from "./keeper.js";
import { stakingParams } from "./params.js";
import { allValidators, delegationsTo, unbondingsOf } from "./store.js";
import { moduleAddress } from "../../app/address.js";

/**
 * Staking's conservation laws. Every validator's tokens sit in the bonded pool (oGPU keeps
 * stake of validators outside the active set there too, see docs/staking.md); every
 * unbonding entry's balance sits in the not-bonded pool; a validator's shares are exactly
 * the sum of its delegations' shares.
 */
export function stakingInvariants(bank: Pick<BankKeeper, "getBalance">): Invariant[] {
  return [
    {
      name: "staking/bonded-pool",
      check(store) {
        const denom = stakingParams.get(store).bond_denom;
        let sum = 0n;
        for (const { validator } of allValidators(store)) sum += BigInt(validator.tokens);
        const pool = bank.getBalance(store, moduleAddress(BONDED_POOL), denom);
        return pool === sum ? null : `bonded pool holds ${pool}${denom} but validator tokens sum to ${sum}${denom}`;
      },
    },
    {
      name: "staking/not-bonded-pool",
      check(store) {
        const denom = stakingParams.get(store).bond_denom;
        let sum = 0n;
        for (const u of unbondingsOf(store)) for (const e of u.entries) sum += BigInt(e.balance);
        const pool = bank.getBalance(store, moduleAddress(NOT_BONDED_POOL), denom);
        return pool === sum ? null : `not-bonded pool holds ${pool}${denom} but unbonding entries sum to ${sum}${denom}`;
      },
    },
    {
      name: "staking/delegator-shares",
      check(store) {
        for (const { operator, validator } of allValidators(store)) {
          let sum = 0n;
          for (const d of delegationsTo(store, operator)) sum += BigInt(d.shares);
          if (sum !== BigInt(validator.delegatorShares)) return `validator ${validator.operatorAddress} has ${validator.delegatorShares} shares but its delegations sum to ${sum}`;
          if (BigInt(validator.tokens) < 0n) return `validator ${validator.operatorAddress} has negative tokens`;
        }
        return null;
      },
    },
  ];
}
