import { BASE_DENOM, MAX_SUPPLY, coinsFromWire, coinsToWire } from "../../app/coins.js";
import { asArray, asObject, asString, atPath, GenesisError } from "../../app/genesis-json.js";
import { accountAddressString, parseAccountAddress } from "../../app/address.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { allBalances, allIssuance, allSupply, getIssuance, getSupply, ISSUANCE_KINDS, issuanceOf, setIssuance, type BankKeeper } from "./keeper.js";
import { bankParams } from "./params.js";

function readCoins(value: unknown, path: string) {
  const wire = asArray(value, path).map((c, i) => {
    const o = asObject(c, `${path}[${i}]`);
    return { denom: asString(o.denom, `${path}[${i}].denom`), amount: asString(o.amount, `${path}[${i}].amount`) };
  });
  return atPath(path, () => coinsFromWire(wire));
}

/**
 * Applies balances and checks the ledger rules before the chain can start: the uogpu
 * total is within the 21M cap, a stated supply matches the balances, and no ordinary
 * account starts above the max wallet.
 */
export function initBankGenesis(keeper: BankKeeper, store: KVStore, json: unknown): void {
  const state = asObject(json, "bank");
  bankParams.set(store, atPath("bank.params", () => bankParams.parse(state.params)));
  asArray(state.balances, "bank.balances").forEach((entry, i) => {
    const path = `bank.balances[${i}]`;
    const o = asObject(entry, path);
    const address = atPath(`${path}.address`, () => parseAccountAddress(asString(o.address, `${path}.address`)));
    keeper.mintToAccountAtGenesis(store, address, readCoins(o.coins, `${path}.coins`));
  });
  const total = getSupply(store, BASE_DENOM);
  if (total > MAX_SUPPLY) {
    throw new GenesisError(`bank: genesis balances total ${total}${BASE_DENOM}, above the hard cap of ${MAX_SUPPLY}${BASE_DENOM} (21,000,000 OGPU)`);
  }
  // An empty or absent supply means "derive it"; a stated one must match exactly.
  if (asArray(state.supply, "bank.supply").length > 0) {
    const stated = readCoins(state.supply, "bank.supply");
    const actual = allSupply(store);
    if (JSON.stringify(coinsToWire(stated)) !== JSON.stringify(coinsToWire(actual))) {
      throw new GenesisError("bank.supply does not equal the sum of bank.balances");
    }
  }
  if (state.issuance !== undefined) restoreIssuance(store, state.issuance);
  for (const { address } of allBalances(store)) atPath("bank.balances", () => keeper.checkMaxWallet(store, address));
}

/**
 * An exported chain's issuance counters (absent on a fresh chain, where all supply is genesis
 * allocation): they replace the derived ones, and must still add up to the balances and stay
 * within the cap.
 */
function restoreIssuance(store: KVStore, json: unknown): void {
  const o = asObject(json, "bank.issuance");
  for (const kind of ISSUANCE_KINDS) {
    for (const c of allIssuance(store, kind)) setIssuance(store, kind, c.denom, 0n);
    for (const c of readCoins(o[kind] ?? [], `bank.issuance.${kind}`)) setIssuance(store, kind, c.denom, c.amount);
  }
  for (const { denom, amount } of allSupply(store)) {
    const { genesis, minted, burned } = issuanceOf(store, denom);
    if (genesis + minted - burned !== amount) {
      throw new GenesisError(`bank.issuance: genesis ${genesis} + minted ${minted} − burned ${burned} ≠ supply ${amount}${denom}`);
    }
  }
  const issued = getIssuance(store, "genesis", BASE_DENOM) + getIssuance(store, "minted", BASE_DENOM);
  if (issued > MAX_SUPPLY) throw new GenesisError(`bank.issuance: genesis + minted ${issued}${BASE_DENOM} is above the cap ${MAX_SUPPLY}${BASE_DENOM}`);
}

export function exportBankGenesis(store: KVStore): unknown {
  const byAddress = new Map<string, { denom: string; amount: string }[]>();
  for (const { address, coin } of allBalances(store)) {
    const key = accountAddressString(address);
    const list = byAddress.get(key) ?? [];
    list.push(...coinsToWire([coin]));
    byAddress.set(key, list);
  }
  return {
    params: bankParams.get(store),
    balances: [...byAddress].map(([address, coins]) => ({ address, coins })),
    supply: coinsToWire(allSupply(store)),
    issuance: Object.fromEntries(ISSUANCE_KINDS.map((kind) => [kind, coinsToWire(allIssuance(store, kind))])),
  };
}

/** A fresh chain's `bank` section (`ogpud init`): default params, no records. */
export function defaultBankGenesis(): unknown {
  return { params: bankParams.parse(undefined), balances: [] };
}
