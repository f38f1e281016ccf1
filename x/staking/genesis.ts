import { Delegation, Redelegation, UnbondingDelegation, Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { accountAddressString, parseAccountAddress } from "../../app/address.js";
import { asArray, asObject, asString, atPath } from "../../app/genesis-json.js";
import type { KVStore } from "../../app/store/kvstore.js";
import type { AuthKeeper } from "../auth/keeper.js";
import { BONDED_POOL, NOT_BONDED_POOL } from "./keeper.js";
import { stakingParams } from "./params.js";
import { addComputeUnits, allComputeRecords, allPowerInputs, allTombstoned, allValidators, delegationsOf, enqueue, peekNextEntryId, queueItems, RED_QUEUE, redelegationsOf, setDelegation, setComputeCredit, setRedelegation, setTombstoned, setUnbonding, setValidator, storeReliabilityBps, UBD_QUEUE, unbondingsOf, setNextEntryId } from "./store.js";
import { fromBech32, VALCONS_PREFIX } from "../../crypto/bech32.js";
import { parseValoper, valconsString, valoperString } from "../../app/validator-address.js";

/**
 * Genesis section `staking`: params plus, for an exported chain, every record in Cosmos JSON
 * form and the maturity queues (height-keyed). A fresh chain has only params; its
 * validators arrive as gentxs through x/genutil. The active set is not stored here: x/genutil
 * computes it after all genesis txs ran and returns it to CometBFT.
 */
export function initStakingGenesis(auth: Pick<AuthKeeper, "ensureModuleAccount">, store: KVStore, json: unknown): void {
  const s = asObject(json, "staking");
  stakingParams.set(store, atPath("staking.params", () => stakingParams.parse(s.params)));
  auth.ensureModuleAccount(store, BONDED_POOL);
  auth.ensureModuleAccount(store, NOT_BONDED_POOL);
  const list = (name: string) => asArray(s[name], `staking.${name}`).map((x, i) => [asObject(x, `staking.${name}[${i}]`), `staking.${name}[${i}]`] as const);
  for (const [o, path] of list("validators")) atPath(path, () => setValidator(store, Validator.fromJSON(o)));
  for (const [o, path] of list("delegations")) {
    atPath(path, () => {
      const d = Delegation.fromJSON(o);
      setDelegation(store, parseAccountAddress(d.delegatorAddress), parseValoper(d.validatorAddress), d);
    });
  }
  for (const [o, path] of list("unbonding_delegations")) {
    atPath(path, () => {
      const u = UnbondingDelegation.fromJSON(o);
      setUnbonding(store, parseAccountAddress(u.delegatorAddress), parseValoper(u.validatorAddress), u);
    });
  }
  for (const [o, path] of list("redelegations")) {
    atPath(path, () => {
      const r = Redelegation.fromJSON(o);
      setRedelegation(store, parseAccountAddress(r.delegatorAddress), parseValoper(r.validatorSrcAddress), parseValoper(r.validatorDstAddress), r);
    });
  }
  for (const [queue, name] of [[UBD_QUEUE, "unbonding_queue"], [RED_QUEUE, "redelegation_queue"]] as const) {
    for (const [o, path] of list(name)) {
      atPath(path, () => {
        const parts = asArray(o.addresses, `${path}.addresses`).map((a, i) => {
          const text = asString(a, `${path}.addresses[${i}]`);
          return i === 0 ? parseAccountAddress(text) : parseValoper(text);
        });
        enqueue(store, queue, BigInt(asString(o.height, `${path}.height`)), BigInt(asString(o.id, `${path}.id`)), parts);
      });
    }
  }
  if (s.next_entry_id !== undefined) {
    setNextEntryId(store, BigInt(asString(s.next_entry_id, "staking.next_entry_id")));
  }
  for (const [o, path] of list("power_inputs")) {
    atPath(path, () => {
      const operator = parseValoper(asString(o.validator, `${path}.validator`));
      if (o.reliability_bps !== undefined) storeReliabilityBps(store, operator, BigInt(asString(o.reliability_bps, `${path}.reliability_bps`)));
      if (o.compute_credit !== undefined) setComputeCredit(store, operator, BigInt(asString(o.compute_credit, `${path}.compute_credit`)));
    });
  }
  for (const [o, path] of list("verified_compute")) {
    atPath(path, () => addComputeUnits(store, parseValoper(asString(o.validator, `${path}.validator`)), BigInt(asString(o.height, `${path}.height`)), BigInt(asString(o.credit, `${path}.credit`))));
  }
  asArray(s.tombstoned, "staking.tombstoned").forEach((c, i) => setTombstoned(store, atPath(`staking.tombstoned[${i}]`, () => fromBech32(asString(c, `staking.tombstoned[${i}]`), VALCONS_PREFIX))));
}

export function exportStakingGenesis(store: KVStore): unknown {
  const queue = (q: string) =>
    [...queueItems(store, q)].map((item) => ({
      height: item.height.toString(),
      id: item.id.toString(),
      addresses: item.parts.map((p, i) => (i === 0 ? accountAddressString(p) : valoperString(p))),
    }));
  const validators = [...allValidators(store)];
  return {
    params: stakingParams.get(store),
    validators: validators.map((x) => Validator.toJSON(x.validator)),
    delegations: [...delegationsOf(store)].map((d) => Delegation.toJSON(d)),
    unbonding_delegations: [...unbondingsOf(store)].map((u) => UnbondingDelegation.toJSON(u)),
    redelegations: [...redelegationsOf(store)].map((r) => Redelegation.toJSON(r)),
    unbonding_queue: queue(UBD_QUEUE),
    redelegation_queue: queue(RED_QUEUE),
    next_entry_id: peekNextEntryId(store).toString(),
    // Only stored inputs: an absent one means the default and must stay absent on import.
    power_inputs: allPowerInputs(store).map((p) => ({
      validator: valoperString(p.operator),
      ...(p.reliabilityBps === undefined ? {} : { reliability_bps: p.reliabilityBps.toString() }),
      ...(p.credit === undefined ? {} : { compute_credit: p.credit.toString() }),
    })),
    verified_compute: [...allComputeRecords(store)].map((r) => ({ validator: valoperString(r.operator), height: r.height.toString(), credit: r.units.toString() })),
    tombstoned: [...allTombstoned(store)].map(valconsString),
  };
}

/** A fresh chain's `staking` section (`ogpud init`): default params, no records. */
export function defaultStakingGenesis(): unknown {
  return { params: stakingParams.parse(undefined) };
}
