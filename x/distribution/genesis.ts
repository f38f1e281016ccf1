import { parseAccountAddress, accountAddressString } from "../../app/address.js";
import { asArray, asObject, asString, atPath } from "../../app/genesis-json.js";
import type { KVStore } from "../../app/store/kvstore.js";
import type { AuthKeeper } from "../auth/keeper.js";
import type { StakingKeeper } from "../staking/keeper.js";
import { allStarts, commissionOf, DISTRIBUTION, remainderOf, rewardPerShare, setCommission, setRewardPerShare, setStart, setTotals, totals } from "./keeper.js";
import { parseValoper, valoperString } from "../../app/validator-address.js";

/** Genesis section `distribution`: totals, remainder, per-validator accumulators and delegation starts. */
export function initDistributionGenesis(auth: Pick<AuthKeeper, "ensureModuleAccount">, store: KVStore, json: unknown): void {
  const s = asObject(json, "distribution");
  auth.ensureModuleAccount(store, DISTRIBUTION);
  const big = (v: unknown, path: string) => (v === undefined ? 0n : BigInt(asString(v, path)));
  setTotals(store, { collected: big(s.fees_collected, "distribution.fees_collected"), paid: big(s.rewards_paid, "distribution.rewards_paid"), remainder: big(s.remainder, "distribution.remainder") });
  asArray(s.validators, "distribution.validators").forEach((x, i) => {
    const path = `distribution.validators[${i}]`;
    const o = asObject(x, path);
    atPath(path, () => {
      const operator = parseValoper(asString(o.validator, `${path}.validator`));
      setRewardPerShare(store, operator, big(o.reward_per_share, `${path}.reward_per_share`));
      setCommission(store, operator, big(o.commission, `${path}.commission`));
    });
  });
  asArray(s.delegation_starts, "distribution.delegation_starts").forEach((x, i) => {
    const path = `distribution.delegation_starts[${i}]`;
    const o = asObject(x, path);
    atPath(path, () => setStart(store, parseAccountAddress(asString(o.delegator, `${path}.delegator`)), parseValoper(asString(o.validator, `${path}.validator`)), big(o.reward_per_share, `${path}.reward_per_share`)));
  });
}

export function exportDistributionGenesis(staking: Pick<StakingKeeper, "allValidators">, store: KVStore): unknown {
  const t = totals(store);
  return {
    fees_collected: t.collected.toString(),
    rewards_paid: t.paid.toString(),
    remainder: remainderOf(store).toString(),
    validators: [...staking.allValidators(store)].map(({ operator }) => ({
      validator: valoperString(operator),
      reward_per_share: rewardPerShare(store, operator).toString(),
      commission: commissionOf(store, operator).toString(),
    })),
    delegation_starts: [...allStarts(store)].map((x) => ({ delegator: accountAddressString(x.delegator), validator: valoperString(x.operator), reward_per_share: x.value.toString() })),
  };
}

/** A fresh chain's `distribution` section (`ogpud init`): default params, no records. */
export function defaultDistributionGenesis(): unknown {
  return {};
}
