import type { KVStore } from "../../app/store/kvstore.js";
import { asArray, asObject, asString, atPath } from "../../app/genesis-json.js";
import { accountAddressString, parseAccountAddress } from "../../app/address.js";
import { allAccounts, ensureAccount, ensureModuleAccount, FEE_COLLECTOR, setAccount } from "./keeper.js";
import { authParams } from "./params.js";

/** Modules whose accounts exist from genesis on; later modules add theirs via ensureModuleAccount. */
const GENESIS_MODULE_ACCOUNTS = [FEE_COLLECTOR];

export function initAuthGenesis(store: KVStore, json: unknown): void {
  const state = asObject(json, "auth");
  authParams.set(store, atPath("auth.params", () => authParams.parse(state.params)));
  for (const name of GENESIS_MODULE_ACCOUNTS) ensureModuleAccount(store, name);
  asArray(state.accounts, "auth.accounts").forEach((entry, i) => {
    const path = `auth.accounts[${i}]`;
    const acc = asObject(entry, path);
    const address = atPath(`${path}.address`, () => parseAccountAddress(asString(acc.address, `${path}.address`)));
    const account = ensureAccount(store, address);
    if (acc.sequence !== undefined) {
      setAccount(store, { ...account, sequence: BigInt(asString(acc.sequence, `${path}.sequence`)) });
    }
  });
}

export function exportAuthGenesis(store: KVStore): unknown {
  return {
    params: authParams.get(store),
    accounts: [...allAccounts(store)].map((a) => ({
      address: accountAddressString(a.address),
      account_number: a.accountNumber.toString(),
      sequence: a.sequence.toString(),
    })),
  };
}

/** A fresh chain's `auth` section (`ogpud init`): default params, no records. */
export function defaultAuthGenesis(): unknown {
  return { params: authParams.parse(undefined), accounts: [] };
}
