import type { KVStore } from "../../app/store/kvstore.js";
import { asArray, asObject, asString, atPath, GenesisError } from "../../app/genesis-json.js";
import { accountAddressString, parseAccountAddress } from "../../app/address.js";
import { decodePubKeyAny, encodePubKeyAny, isPubKeyTypeUrl } from "../../crypto/pubkey.js";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { hex } from "../../crypto/bytes.js";
import { allAccounts, ensureAccount, ensureModuleAccount, FEE_COLLECTOR, nextAccountNumber, setAccount, setNextAccountNumber, type Account } from "./keeper.js";
import { authParams } from "./params.js";

/** Modules whose accounts exist from genesis on; later modules add theirs via ensureModuleAccount. */
const GENESIS_MODULE_ACCOUNTS = [FEE_COLLECTOR];

/**
 * Genesis section `auth`, Cosmos-shaped so an export re-imports to the same accounts:
 *   { "params": {…}, "next_account_number": "17",
 *     "accounts": [{ "address": "ogpu1…", "account_number": "3", "sequence": "5",
 *                    "pub_key": { "@type": "/cosmos.crypto.secp256k1.PubKey", "key": "<base64>" } | null }] }
 * Accounts with an account_number keep it (numbers are unique); then, as on a fresh chain, the
 * fee collector and the accounts listed without a number get the next free numbers.
 */
export function initAuthGenesis(store: KVStore, json: unknown): void {
  const state = asObject(json, "auth");
  authParams.set(store, atPath("auth.params", () => authParams.parse(state.params)));
  const numbered: Account[] = [];
  const unnumbered: Uint8Array[] = [];
  const seen = new Set<string>();
  asArray(state.accounts, "auth.accounts").forEach((entry, i) => {
    const path = `auth.accounts[${i}]`;
    const acc = asObject(entry, path);
    const text = asString(acc.address, `${path}.address`);
    const address = atPath(`${path}.address`, () => parseAccountAddress(text));
    if (seen.has(hex(address))) throw new GenesisError(`auth.accounts: ${text} is listed twice`);
    seen.add(hex(address));
    const sequence = acc.sequence === undefined ? 0n : decimal(acc.sequence, `${path}.sequence`);
    const pubKey = acc.pub_key === undefined || acc.pub_key === null ? undefined : atPath(`${path}.pub_key`, () => pubKeyFromJson(acc.pub_key, `${path}.pub_key`));
    if (acc.account_number === undefined) {
      if (sequence !== 0n || pubKey) throw new GenesisError(`${path}: an account with a sequence or pub_key needs its account_number`);
      unnumbered.push(address);
    } else {
      numbered.push({ address, accountNumber: decimal(acc.account_number, `${path}.account_number`), sequence, pubKey });
    }
  });
  const numbers = new Set<bigint>();
  let next = state.next_account_number === undefined ? 0n : decimal(state.next_account_number, "auth.next_account_number");
  for (const account of numbered) {
    if (numbers.has(account.accountNumber)) throw new GenesisError(`auth.accounts: account_number ${account.accountNumber} is used twice`);
    numbers.add(account.accountNumber);
    setAccount(store, account);
    if (account.accountNumber >= next) next = account.accountNumber + 1n;
  }
  if (next > nextAccountNumber(store)) setNextAccountNumber(store, next);
  // A fresh chain's order: the module accounts first, then the listed accounts.
  for (const name of GENESIS_MODULE_ACCOUNTS) ensureModuleAccount(store, name);
  for (const address of unnumbered) ensureAccount(store, address);
}

export function exportAuthGenesis(store: KVStore): unknown {
  return {
    params: authParams.get(store),
    next_account_number: nextAccountNumber(store).toString(),
    accounts: [...allAccounts(store)].map((a) => ({
      address: accountAddressString(a.address),
      account_number: a.accountNumber.toString(),
      sequence: a.sequence.toString(),
      pub_key: a.pubKey ? pubKeyToJson(a.pubKey) : null,
    })),
  };
}

/** A fresh chain's `auth` section (`ogpud init`): default params, no records. */
export function defaultAuthGenesis(): unknown {
  return { params: authParams.parse(undefined), accounts: [] };
}

function decimal(value: unknown, path: string): bigint {
  const text = asString(value, path);
  if (!/^(0|[1-9][0-9]{0,19})$/.test(text)) throw new GenesisError(`${path} must be a decimal u64`);
  return BigInt(text);
}

/** The Cosmos JSON form of a pubkey Any: { "@type": type URL, "key": base64 }. */
function pubKeyToJson(any: Any): { "@type": string; key: string } {
  const pk = decodePubKeyAny(any);
  return { "@type": pk.typeUrl, key: Buffer.from(pk.key).toString("base64") };
}

function pubKeyFromJson(json: unknown, path: string): Any {
  const o = asObject(json, path);
  const typeUrl = asString(o["@type"], `${path}["@type"]`);
  if (!isPubKeyTypeUrl(typeUrl)) throw new GenesisError(`${path}: unsupported pubkey type '${typeUrl}'`);
  const key = new Uint8Array(Buffer.from(asString(o.key, `${path}.key`), "base64"));
  // Decoding back checks the key length.
  const any = encodePubKeyAny({ typeUrl, key });
  decodePubKeyAny(any);
  return any;
}
