import { accountAddressString, moduleAddress, parseAccountAddress } from "../../app/address.js";
import { coinsFromWire } from "../../app/coins.js";
import { asArray, asObject, asString, atPath, GenesisError } from "../../app/genesis-json.js";
import type { KVStore } from "../../app/store/kvstore.js";
import type { AuthKeeper } from "../auth/keeper.js";
import { TREASURY, TREASURY_REASONS, type TreasuryDeps } from "./keeper.js";
import { expectedBalance } from "./invariants.js";
import { allSpends, allTotalsIn, nextSpendId, putSpend, setNextSpendId, setTotalIn, setTotalSpent, totalSpent } from "./store.js";
import { BASE_DENOM } from "../../app/coins.js";

const AMOUNT = /^(0|[1-9][0-9]{0,77})$/;
const amountAt = (value: unknown, path: string): bigint => {
  const text = asString(value, path);
  if (!AMOUNT.test(text)) throw new GenesisError(`${path} must be a decimal uogpu amount`);
  return BigInt(text);
};

/**
 * `treasury` genesis: the books (total_in by reason, total_spent, the spend records and the
 * next spend id). Runs after x/bank's, so it checks the module account's balance equals
 * total_in − total_spent: a genesis that funds the treasury books it under reason "genesis".
 */
export function initTreasuryGenesis(auth: Pick<AuthKeeper, "ensureModuleAccount">, bank: TreasuryDeps["bank"], store: KVStore, json: unknown): void {
  const s = asObject(json, "treasury");
  auth.ensureModuleAccount(store, TREASURY);
  asArray(s.total_in, "treasury.total_in").forEach((entry, i) => {
    const path = `treasury.total_in[${i}]`;
    const o = asObject(entry, path);
    const reason = asString(o.reason, `${path}.reason`);
    if (!(TREASURY_REASONS as readonly string[]).includes(reason)) throw new GenesisError(`${path}.reason "${reason}" is not one of ${TREASURY_REASONS.join(", ")}`);
    setTotalIn(store, reason, amountAt(o.amount, `${path}.amount`));
  });
  setTotalSpent(store, s.total_spent === undefined ? 0n : amountAt(s.total_spent, "treasury.total_spent"));
  let lastId = 0n;
  asArray(s.spends, "treasury.spends").forEach((entry, i) => {
    const path = `treasury.spends[${i}]`;
    const o = asObject(entry, path);
    atPath(path, () => {
      const id = amountAt(o.id, `${path}.id`);
      if (id <= lastId) throw new GenesisError(`${path}.id must be above the previous spend's`);
      lastId = id;
      const recipient = accountAddressString(parseAccountAddress(asString(o.recipient, `${path}.recipient`)));
      const amount = coinsFromWire(asArray(o.amount, `${path}.amount`).map((c, j) => {
        const coin = asObject(c, `${path}.amount[${j}]`);
        return { denom: asString(coin.denom, `${path}.amount[${j}].denom`), amount: asString(coin.amount, `${path}.amount[${j}].amount`) };
      }));
      putSpend(store, { id, recipient, amount: amount.map((c) => ({ denom: c.denom, amount: c.amount.toString() })), height: amountAt(o.height, `${path}.height`) });
    });
  });
  const next = s.next_spend_id === undefined ? lastId + 1n : amountAt(s.next_spend_id, "treasury.next_spend_id");
  if (next <= lastId) throw new GenesisError(`treasury.next_spend_id ${next} must be above the last spend id ${lastId}`);
  setNextSpendId(store, next);
  const balance = bank.getBalance(store, moduleAddress(TREASURY), BASE_DENOM);
  const expected = expectedBalance(store);
  if (balance !== expected) {
    throw new GenesisError(`treasury: the module account holds ${balance}${BASE_DENOM} but total_in − total_spent = ${expected}${BASE_DENOM} (book a genesis allocation under reason "genesis")`);
  }
}

export function exportTreasuryGenesis(store: KVStore): unknown {
  return {
    total_in: [...allTotalsIn(store)].map((t) => ({ reason: t.reason, amount: t.amount.toString() })),
    total_spent: totalSpent(store).toString(),
    spends: [...allSpends(store)].map((sp) => ({ id: sp.id.toString(), recipient: sp.recipient, amount: sp.amount, height: sp.height.toString() })),
    next_spend_id: nextSpendId(store).toString(),
  };
}

/** A fresh chain's `treasury` section (`ogpud init`): empty books. */
export function defaultTreasuryGenesis(): unknown {
  return { total_in: [], total_spent: "0", spends: [], next_spend_id: "1" };
}
