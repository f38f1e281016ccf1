import { Grant, GenericAuthorization } from "cosmjs-types/cosmos/authz/v1beta1/authz";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { accountAddressString } from "../../app/address.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { lengthPrefixed, parseU64Key, splitLengthPrefixed, u64Key, type StoreKey } from "../../app/store/keys.js";
import { SubmitTaskAuthorization } from "../../proto/gen/ogpu/authz/v1/authz.js";
import { OGPU_MSG_TYPES, SUBMIT_TASK_AUTHORIZATION_TYPE_URL } from "../../proto/msg-types.js";

/**
 * x/authz state:
 *   authz/g/ ‖ lp(granter) ‖ lp(grantee) ‖ msg_type_url  → cosmos.authz.v1beta1.Grant
 *   authz/e/ ‖ lp(grantee) ‖ lp(granter) ‖ msg_type_url  → "" (grantee index, GranteeGrants)
 *   authz/x/ ‖ u64(expiration seconds) ‖ lp(granter) ‖ lp(grantee) ‖ msg_type_url → ""
 *                                                         (expiry queue, pruned in BeginBlock)
 * The grant key's msg_type_url is the one the authorization allows (GenericAuthorization.msg,
 * or MsgSubmitTask for a SubmitTaskAuthorization): at most one grant per triple, as in the SDK.
 */
export const GRANT = "authz/g/";
export const BY_GRANTEE = "authz/e/";
export const EXPIRY = "authz/x/";

export const GENERIC_AUTHORIZATION_TYPE_URL = "/cosmos.authz.v1beta1.GenericAuthorization";
export { SUBMIT_TASK_AUTHORIZATION_TYPE_URL };

/** The two authorizations this chain knows, decoded. */
export type Authorization =
  | { kind: "generic"; msgTypeUrl: string }
  | { kind: "submit_task"; spendLimit: bigint; maxTasks: bigint };

export interface GrantRecord {
  granter: Uint8Array;
  grantee: Uint8Array;
  authorization: Authorization;
  /** Unix seconds; undefined = never expires. */
  expiration: bigint | undefined;
}

/** The msg type an authorization allows: its grant key's last part. */
export function allowedMsgType(a: Authorization): string {
  return a.kind === "generic" ? a.msgTypeUrl : OGPU_MSG_TYPES.SubmitTask.typeUrl;
}

export function authorizationToAny(a: Authorization): Any {
  if (a.kind === "generic") return { typeUrl: GENERIC_AUTHORIZATION_TYPE_URL, value: GenericAuthorization.encode({ msg: a.msgTypeUrl }).finish() };
  return { typeUrl: SUBMIT_TASK_AUTHORIZATION_TYPE_URL, value: SubmitTaskAuthorization.encode({ spendLimit: a.spendLimit.toString(), maxTasks: a.maxTasks }).finish() };
}

export function grantToWire(g: Pick<GrantRecord, "authorization" | "expiration">): Grant {
  return { authorization: authorizationToAny(g.authorization), expiration: g.expiration === undefined ? undefined : { seconds: g.expiration, nanos: 0 } };
}

const tripleKey = (a: Uint8Array, b: Uint8Array, msgTypeUrl: string): StoreKey => lengthPrefixed(a) + lengthPrefixed(b) + msgTypeUrl;

/** Splits lp(a) ‖ lp(b) ‖ type_url. */
function splitTriple(tail: StoreKey): { a: Uint8Array; b: Uint8Array; msgTypeUrl: string } {
  const aLen = tail.charCodeAt(0);
  const bStart = 1 + aLen;
  const bLen = tail.charCodeAt(bStart);
  const [a, b] = splitLengthPrefixed(tail.slice(0, bStart + 1 + bLen));
  return { a: a!, b: b!, msgTypeUrl: tail.slice(bStart + 1 + bLen) };
}

export function grantKey(granter: Uint8Array, grantee: Uint8Array, msgTypeUrl: string): StoreKey {
  return GRANT + tripleKey(granter, grantee, msgTypeUrl);
}

/** Prefix of every grant from `granter` (to `grantee` if given). */
export function granterPrefix(granter: Uint8Array, grantee?: Uint8Array): StoreKey {
  return GRANT + lengthPrefixed(granter) + (grantee ? lengthPrefixed(grantee) : "");
}

export function granteePrefix(grantee: Uint8Array): StoreKey {
  return BY_GRANTEE + lengthPrefixed(grantee);
}

/** Decodes a stored grant; `tail` is the key after GRANT. Throws on an unknown authorization (a state bug). */
export function decodeGrant(tail: StoreKey, value: Uint8Array): GrantRecord {
  const { a: granter, b: grantee } = splitTriple(tail);
  const wire = Grant.decode(value);
  return { granter, grantee, authorization: authorizationFromAny(wire.authorization), expiration: wire.expiration?.seconds };
}

/** Any → Authorization; the caller maps the thrown Error to its own error. */
export function authorizationFromAny(any: Any | undefined): Authorization {
  if (!any) throw new Error("authorization is missing");
  if (any.typeUrl === GENERIC_AUTHORIZATION_TYPE_URL) return { kind: "generic", msgTypeUrl: GenericAuthorization.decode(any.value).msg };
  if (any.typeUrl === SUBMIT_TASK_AUTHORIZATION_TYPE_URL) {
    const s = SubmitTaskAuthorization.decode(any.value);
    if (!/^[1-9][0-9]{0,77}$/.test(s.spendLimit)) throw new Error(`spend_limit "${s.spendLimit}" must be a positive decimal uogpu amount`);
    return { kind: "submit_task", spendLimit: BigInt(s.spendLimit), maxTasks: s.maxTasks };
  }
  throw new Error(`unknown authorization type ${any.typeUrl}`);
}

export function getGrant(store: KVStore, granter: Uint8Array, grantee: Uint8Array, msgTypeUrl: string): GrantRecord | undefined {
  const tail = tripleKey(granter, grantee, msgTypeUrl);
  const value = store.get(GRANT + tail);
  return value ? decodeGrant(tail, value) : undefined;
}

const expiryKey = (expiration: bigint, g: Pick<GrantRecord, "granter" | "grantee">, msgTypeUrl: string) => EXPIRY + u64Key(expiration) + tripleKey(g.granter, g.grantee, msgTypeUrl);

/** Writes a grant and its indexes, replacing any grant of the same triple. */
export function putGrant(store: KVStore, g: GrantRecord): void {
  const msgTypeUrl = allowedMsgType(g.authorization);
  deleteGrant(store, g.granter, g.grantee, msgTypeUrl);
  store.set(grantKey(g.granter, g.grantee, msgTypeUrl), Grant.encode(grantToWire(g)).finish());
  store.set(BY_GRANTEE + tripleKey(g.grantee, g.granter, msgTypeUrl), new Uint8Array());
  if (g.expiration !== undefined) store.set(expiryKey(g.expiration, g, msgTypeUrl), new Uint8Array());
}

/** Deletes a grant and its indexes; false when there was none. */
export function deleteGrant(store: KVStore, granter: Uint8Array, grantee: Uint8Array, msgTypeUrl: string): boolean {
  const old = getGrant(store, granter, grantee, msgTypeUrl);
  if (!old) return false;
  store.delete(grantKey(granter, grantee, msgTypeUrl));
  store.delete(BY_GRANTEE + tripleKey(grantee, granter, msgTypeUrl));
  if (old.expiration !== undefined) store.delete(expiryKey(old.expiration, old, msgTypeUrl));
  return true;
}

/** Every grant in key order (granter, grantee, type): export and invariants. */
export function* allGrants(store: KVStore): Iterable<GrantRecord> {
  for (const [key, value] of store.iterate(GRANT)) yield decodeGrant(key.slice(GRANT.length), value);
}

/** The grantee index's entries: (grantee, granter, type). */
export function* allGranteeIndex(store: KVStore): Iterable<{ grantee: Uint8Array; granter: Uint8Array; msgTypeUrl: string }> {
  for (const [key] of store.iterate(BY_GRANTEE)) {
    const { a, b, msgTypeUrl } = splitTriple(key.slice(BY_GRANTEE.length));
    yield { grantee: a, granter: b, msgTypeUrl };
  }
}

/** The expiry queue's entries in time order. */
export function* allExpiries(store: KVStore): Iterable<{ expiration: bigint; granter: Uint8Array; grantee: Uint8Array; msgTypeUrl: string }> {
  for (const [key] of store.iterate(EXPIRY)) {
    const tail = key.slice(EXPIRY.length);
    const { a, b, msgTypeUrl } = splitTriple(tail.slice(8));
    yield { expiration: parseU64Key(tail.slice(0, 8)), granter: a, grantee: b, msgTypeUrl };
  }
}

/** Human form of a grant's parties, for messages. */
export const partiesOf = (g: Pick<GrantRecord, "granter" | "grantee">) => `granter ${accountAddressString(g.granter)}, grantee ${accountAddressString(g.grantee)}`;
