/**
 * Proto3 JSON rendering of the query responses served over REST, matching the Cosmos SDK's
 * gRPC-gateway marshaller (gogoproto jsonpb with OrigName and EmitDefaults): snake_case field
 * names, every field emitted, 64-bit integers as strings, bytes as base64 with empty bytes as
 * null, absent messages as null, enums by name, Timestamp/Duration in their JSON forms, Cosmos
 * Decs in their human form and Any as `{"@type": url, ...fields}`.
 *
 * One generic renderer (`messageJson`) walks a decoded ts-proto / cosmjs-types object. A decoded
 * object does not say which numbers are enums or whether `{seconds, nanos}` is a Timestamp or a
 * Duration; cosmjs-types codecs do (their `toJSON` writes enum names and ISO timestamps), so the
 * codec's own JSON is walked alongside as a type hint. Our ts-proto codecs have no toJSON: their
 * enums are named through `RenderHints.enums`. Decs are customtypes the wire cannot reveal, so
 * routes list their Dec fields in `RenderHints.decimals`.
 */
import type { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import type { PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { decToString } from "../app/dec.js";
import { anyPayload } from "./any-payloads.js";

export { BASE_ACCOUNT_TYPE_URL, MODULE_ACCOUNT_TYPE_URL, PUBKEY_TYPE_URLS } from "./any-payloads.js";

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Thrown for an Any whose type URL this node cannot render (the gateway fails likewise). */
export class UnknownTypeUrlError extends Error {
  constructor(readonly typeUrl: string) {
    super(`unable to resolve type URL ${typeUrl}`);
    this.name = "UnknownTypeUrlError";
  }
}

/** A TypeScript numeric enum object (its reverse mapping number → name is what we use). */
export type EnumNames = Readonly<Record<number, string>>;

export interface RenderHints {
  /** snake_case field names holding Cosmos LegacyDec atomics (string or ASCII bytes). */
  readonly decimals?: readonly string[];
  /** snake_case field names of enums whose codec has no toJSON (our ts-proto types). */
  readonly enums?: Readonly<Record<string, EnumNames>>;
}

/** What the renderer needs from a codec: decoding, and toJSON when the generator wrote one. */
export interface MessageCodec<T> {
  decode(input: Uint8Array): T;
  toJSON?(message: T): unknown;
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

/** Any as `{"@type": url, ...fields}`, or null when absent. Throws for unknown type URLs. */
export function anyJson(any: Any | undefined): JsonObject | null {
  if (any === undefined) return null;
  const payload = anyPayload(any.typeUrl);
  if (payload === undefined) throw new UnknownTypeUrlError(any.typeUrl);
  return { "@type": any.typeUrl, ...messageJson(payload.codec.decode(any.value), payload.codec, payload.hints) };
}

/** A decoded message as gateway JSON; `codec.toJSON` (when present) supplies the type hints. */
export function messageJson<T extends object>(message: T, codec?: { toJSON?(message: T): unknown }, hints: RenderHints = {}): JsonObject {
  const typeHint = codec?.toJSON?.(clampTimestamps(message) as T);
  const rendered = renderValue(message, typeHint, "", hints);
  if (rendered === null || typeof rendered !== "object" || Array.isArray(rendered)) throw new Error("messageJson: not a message");
  return rendered;
}

/** camelCase (ts-proto's field names) → snake_case (the proto field names jsonpb emits). */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function isAny(value: Record<string, unknown>): value is Record<string, unknown> & Any {
  const keys = Object.keys(value);
  return keys.length === 2 && typeof value.typeUrl === "string" && value.value instanceof Uint8Array;
}

function isSecondsNanos(value: Record<string, unknown>): value is { seconds: bigint; nanos: number } {
  const keys = Object.keys(value);
  return keys.length === 2 && typeof value.seconds === "bigint" && typeof value.nanos === "number";
}

/** Go's jsonpb prints 0, 3, 6 or 9 fractional digits. */
function fraction(nanos: number): string {
  if (nanos === 0) return "";
  let digits = String(nanos).padStart(9, "0");
  while (digits.endsWith("000")) digits = digits.slice(0, -3);
  return `.${digits}`;
}

/** The range of a JSON Timestamp: 0001-01-01T00:00:00Z … 9999-12-31T23:59:59Z. */
const MIN_TIMESTAMP_SECONDS = -62_135_596_800n;
const MAX_TIMESTAMP_SECONDS = 253_402_300_799n;

/**
 * Timestamp as RFC 3339 UTC, e.g. "2023-11-14T22:13:20Z". Values beyond the JSON range (a
 * "forever" jail is stored as int64 max) are clamped to it, the way the SDK writes "forever"
 * as 9999-12-31T23:59:59Z, instead of failing the whole response.
 */
export function timestampJson(t: { seconds: bigint; nanos: number }): string {
  if (t.seconds > MAX_TIMESTAMP_SECONDS) return "9999-12-31T23:59:59Z";
  if (t.seconds < MIN_TIMESTAMP_SECONDS) return "0001-01-01T00:00:00Z";
  const whole = new Date(Number(t.seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, "");
  return `${whole}${fraction(t.nanos)}Z`;
}

/**
 * A copy whose {seconds, nanos} values all fit a JS Date: cosmjs-types' toJSON turns a
 * Timestamp into a Date and throws beyond its range. The copy is only read for type hints.
 */
function clampTimestamps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clampTimestamps);
  if (!isRecord(value)) return value;
  if (isSecondsNanos(value) && (value.seconds > MAX_TIMESTAMP_SECONDS || value.seconds < MIN_TIMESTAMP_SECONDS)) return { seconds: 0n, nanos: 0 };
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clampTimestamps(v)]));
}

/** Duration as seconds with an "s" suffix, e.g. "1814400s" or "1.5s". */
export function durationJson(d: { seconds: bigint; nanos: number }): string {
  const negative = d.seconds < 0n || d.nanos < 0;
  const seconds = d.seconds < 0n ? -d.seconds : d.seconds;
  return `${negative ? "-" : ""}${seconds}${fraction(Math.abs(d.nanos))}s`;
}

/** A LegacyDec's wire atomics ("1500000000000000000") in the SDK's printed form ("1.500000000000000000"). */
function decimalJson(atomics: string): string {
  return /^[0-9]+$/.test(atomics) ? decToString(BigInt(atomics)) : atomics;
}

function renderValue(value: unknown, typeHint: unknown, field: string, hints: RenderHints): JsonValue {
  if (value === undefined || value === null) return null;
  const isDecimal = hints.decimals?.includes(field) ?? false;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return isDecimal ? decimalJson(value) : value;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") {
    const names = hints.enums?.[field];
    if (names !== undefined) return names[value] ?? value;
    // cosmjs-types' toJSON writes an enum as its name and any other number as a number.
    return typeof typeHint === "string" ? typeHint : value;
  }
  if (value instanceof Uint8Array) return isDecimal ? decimalJson(new TextDecoder().decode(value)) : bytesJson(value);
  if (Array.isArray(value)) {
    const hintItems: unknown[] = Array.isArray(typeHint) ? typeHint : [];
    return value.map((item, i) => renderValue(item, hintItems[i], field, hints));
  }
  if (!isRecord(value)) throw new Error(`cannot render ${typeof value} field ${field}`);
  if (isAny(value)) return anyJson(value);
  if (isSecondsNanos(value)) {
    // toJSON writes a Timestamp as an ISO string and a Duration as an object.
    if (typeof typeHint === "string") return timestampJson(value);
    if (isRecord(typeHint)) return durationJson(value);
  }
  const out: JsonObject = {};
  const hintFields = isRecord(typeHint) ? typeHint : {};
  for (const [key, fieldValue] of Object.entries(value)) {
    out[snakeCase(key)] = renderValue(fieldValue, hintFields[key], snakeCase(key), hints);
  }
  return out;
}
