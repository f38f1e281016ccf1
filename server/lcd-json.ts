/**
 * Proto3 JSON rendering of the query responses served over REST, matching the Cosmos SDK's
 * gRPC-gateway marshaller (gogoproto jsonpb with OrigName and EmitDefaults): snake_case field
 * names, every field emitted, 64-bit integers as strings, bytes as base64 with empty bytes as
 * null, absent messages as null, and Any as `{"@type": url, ...fields}`.
 */
import { BaseAccount, ModuleAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import type { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import type { PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import type { Any } from "cosmjs-types/google/protobuf/any";

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export const PUBKEY_TYPE_URLS = {
  secp256k1: "/cosmos.crypto.secp256k1.PubKey",
  ed25519: "/cosmos.crypto.ed25519.PubKey",
  mldsa65: "/ogpu.crypto.v1.MLDSA65PubKey",
} as const;
export const BASE_ACCOUNT_TYPE_URL = "/cosmos.auth.v1beta1.BaseAccount";
export const MODULE_ACCOUNT_TYPE_URL = "/cosmos.auth.v1beta1.ModuleAccount";

/** Thrown for an Any whose type URL this node cannot render (the gateway fails likewise). */
export class UnknownTypeUrlError extends Error {
  constructor(readonly typeUrl: string) {
    super(`unable to resolve type URL ${typeUrl}`);
    this.name = "UnknownTypeUrlError";
  }
}

/** jsonpb renders a nil/empty bytes field as null, anything else as standard base64. */
export function bytesJson(bytes: Uint8Array): string | null {
  return bytes.length === 0 ? null : Buffer.from(bytes).toString("base64");
}

export function coinJson(coin: Coin): JsonObject {
  return { denom: coin.denom, amount: coin.amount };
}

export function coinsJson(coins: readonly Coin[]): JsonObject[] {
  return coins.map(coinJson);
}

/**
 * PageResponse as `{"next_key": …, "total": "N"}`. When the query left pagination unset we
 * report the returned item count: the SDK always fills it (count_total) for a request without
 * pagination, so clients expect the object to be there.
 */
export function pageResponseJson(page: PageResponse | undefined, itemCount: number): JsonObject {
  if (page === undefined) return { next_key: null, total: String(itemCount) };
  return { next_key: bytesJson(page.nextKey), total: page.total.toString() };
}

function baseAccountFields(account: BaseAccount): JsonObject {
  return {
    address: account.address,
    pub_key: anyJson(account.pubKey),
    account_number: account.accountNumber.toString(),
    sequence: account.sequence.toString(),
  };
}

/** Renders the fields of one known Any payload (without "@type"). */
type AnyFieldsRenderer = (value: Uint8Array) => JsonObject;

// All supported public keys share the wire shape `bytes key = 1`, so one codec decodes them.
const pubKeyFields: AnyFieldsRenderer = (value) => ({ key: bytesJson(PubKey.decode(value).key) });

const ANY_RENDERERS: Readonly<Record<string, AnyFieldsRenderer>> = {
  [PUBKEY_TYPE_URLS.secp256k1]: pubKeyFields,
  [PUBKEY_TYPE_URLS.ed25519]: pubKeyFields,
  [PUBKEY_TYPE_URLS.mldsa65]: pubKeyFields,
  [BASE_ACCOUNT_TYPE_URL]: (value) => baseAccountFields(BaseAccount.decode(value)),
  [MODULE_ACCOUNT_TYPE_URL]: (value) => {
    const account = ModuleAccount.decode(value);
    return {
      base_account: account.baseAccount === undefined ? null : baseAccountFields(account.baseAccount),
      name: account.name,
      permissions: [...account.permissions],
    };
  },
};

/** Any as `{"@type": url, ...fields}`, or null when absent. Throws for unknown type URLs. */
export function anyJson(any: Any | undefined): JsonObject | null {
  if (any === undefined) return null;
  const render = Object.prototype.hasOwnProperty.call(ANY_RENDERERS, any.typeUrl)
    ? ANY_RENDERERS[any.typeUrl]
    : undefined;
  if (render === undefined) throw new UnknownTypeUrlError(any.typeUrl);
  return { "@type": any.typeUrl, ...render(any.value) };
}
