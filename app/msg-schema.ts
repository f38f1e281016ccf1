/**
 * Wire schemas of module Msgs derived from their generated codecs, so the wire check
 * (app/proto-guard.ts) rejects unknown fields inside Msgs as the Cosmos SDK's unknown-field
 * rejection does, without a hand-kept field list per message.
 *
 * How: a generated decoder keeps the fields it knows and skips the rest; its encoder writes
 * back every known field holding a non-default value, always with the field's declared wire
 * type. So for each field number 1..1023 and each wire type, a probe holding just that field
 * (a non-default value) is decoded and re-encoded: the field is known when it comes back, and
 * its wire type is the one the encoder wrote. A repeated scalar comes back packed (bytes)
 * holding exactly the probe's value: it is accepted packed or one element at a time. A known
 * length-delimited field is a message when a truncated payload makes the decoder throw
 * (strings, bytes and packed scalars never parse their payload); its own fields are probed
 * the same way, with the probe placed inside it.
 * Numbers from 1024 up are not probed: unknown ones with bit 11 set are the SDK's non-critical
 * fields (allowed, as below TxBody), the rest are rejected.
 *
 * A pure function of the codec (no state, clock or randomness): every node derives the same schema.
 */
import type { MessageCodec } from "./module.js";
import { WireType, wireTag as tag, wireVarint as varint, type FieldSpec, type MessageSchema, type WireTypeValue } from "./proto-guard.js";

/** Every field number below the SDK's non-critical bit (1024). */
const PROBED_FIELDS = Array.from({ length: 1023 }, (_, i) => i + 1);
const PROBED_WIRES: readonly WireTypeValue[] = [WireType.varint, WireType.fixed64, WireType.bytes, WireType.fixed32];
/** A non-default value of each wire type; the bytes value is itself a small valid message (field 2, empty). */
const PROBE_VALUE: Readonly<Record<number, readonly number[]>> = {
  [WireType.varint]: [1],
  [WireType.fixed64]: [1, 0, 0, 0, 0, 0, 0, 0],
  [WireType.bytes]: [2, 0x12, 0x00],
  [WireType.fixed32]: [1, 0, 0, 0],
};
/** A message payload that ends inside a varint: any message decoder throws on it. */
const TRUNCATED_MESSAGE = [0x08];
/** Nested messages deeper than this are checked like unknown payloads (depth and groups only). */
const MAX_PROBE_DEPTH = 8;

const lengthDelimited = (field: number, payload: readonly number[]) => [...tag(field, WireType.bytes), ...varint(payload.length), ...payload];

/** `inner` placed inside the message fields along `path`, outermost first. */
function wrap(path: readonly number[], inner: readonly number[]): Uint8Array {
  let bytes = [...inner];
  for (let i = path.length - 1; i >= 0; i--) bytes = lengthDelimited(path[i]!, bytes);
  return Uint8Array.from(bytes);
}

interface EncodedField {
  wire: number;
  /** The value's bytes (for length-delimited fields, the payload without its length). */
  value: Uint8Array;
}

/** The fields of an encoder's (well-formed) output: number → wire type and value of its last occurrence. */
function fieldsOf(bytes: Uint8Array): Map<number, EncodedField> {
  const fields = new Map<number, EncodedField>();
  let pos = 0;
  const readVarint = () => {
    let value = 0;
    for (let scale = 1; ; scale *= 128) {
      const b = bytes[pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
    }
  };
  while (pos < bytes.length) {
    const key = readVarint();
    const wire = key % 8;
    let start = pos;
    if (wire === WireType.varint) readVarint();
    else if (wire === WireType.fixed64) pos += 8;
    else if (wire === WireType.fixed32) pos += 4;
    else if (wire === WireType.bytes) {
      const length = readVarint();
      start = pos;
      pos += length;
    } else throw new Error(`encoder wrote wire type ${wire}`);
    fields.set(Math.floor(key / 8), { wire, value: bytes.subarray(start, pos) });
  }
  return fields;
}

/** Structural equality of decoded messages (plain objects, arrays, bytes, bigints, dates). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) || Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length && keysA.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * How the codec re-encodes `field` of the message at `path` after decoding it with `wire`, or
 * undefined when it skips it or the decode fails. One field per probe, with nothing after
 * the value: some generated decoders (cosmjs-types) ignore wire types and would misread what
 * follows; a length-delimited read of a scalar then runs past the end and throws. A decode
 * equal to `empty` (the probe with no field) encodes as it does: only the others are encoded.
 */
function probe(codec: MessageCodec<unknown>, path: readonly number[], empty: EmptyLevel, field: number, wire: WireTypeValue): EncodedField | undefined {
  let decoded: unknown;
  try {
    decoded = codec.decode(wrap(path, [...tag(field, wire), ...PROBE_VALUE[wire]!]));
  } catch {
    return undefined;
  }
  if (sameValue(decoded, empty.decoded)) return empty.fields.get(field);
  return encodedAt(codec, path, decoded).get(field);
}

/** The fields of the message at `path` in the encoding of `decoded`. */
function encodedAt(codec: MessageCodec<unknown>, path: readonly number[], decoded: unknown): Map<number, EncodedField> {
  let out: Uint8Array = codec.encode(decoded).finish();
  for (const outer of path) out = fieldsOf(out).get(outer)?.value ?? new Uint8Array();
  return fieldsOf(out);
}

/** The probe without a field at `path`: how it decodes, and what the encoder writes back for it. */
interface EmptyLevel {
  decoded: unknown;
  fields: Map<number, EncodedField>;
}

const sameBytes = (a: Uint8Array, b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The field's declared wire type (the encoder's, whatever the decoder accepts) and, for a
 * repeated scalar the encoder packs, the element's wire type (the input it echoes unchanged).
 */
function fieldSpec(codec: MessageCodec<unknown>, path: readonly number[], empty: EmptyLevel, field: number): { wire: WireTypeValue; packedElement?: WireTypeValue } | undefined {
  let declared: WireTypeValue | undefined;
  let packedElement: WireTypeValue | undefined;
  for (const wire of PROBED_WIRES) {
    const out = probe(codec, path, empty, field, wire);
    if (out === undefined) continue;
    declared = out.wire as WireTypeValue;
    if (out.wire === WireType.bytes && wire !== WireType.bytes && sameBytes(out.value, PROBE_VALUE[wire]!)) packedElement = wire;
  }
  if (declared === undefined) return undefined;
  return packedElement === undefined ? { wire: declared } : { wire: declared, packedElement };
}

function isMessageField(codec: MessageCodec<unknown>, path: readonly number[], field: number): boolean {
  try {
    codec.decode(wrap(path, lengthDelimited(field, TRUNCATED_MESSAGE)));
    return false;
  } catch {
    return true;
  }
}

function levelSchema(codec: MessageCodec<unknown>, name: string, path: readonly number[]): MessageSchema {
  const fields = new Map<number, FieldSpec>();
  const decoded = codec.decode(wrap(path, []));
  const empty = { decoded, fields: encodedAt(codec, path, decoded) };
  for (const field of PROBED_FIELDS) {
    const spec = fieldSpec(codec, path, empty, field);
    if (spec === undefined) continue;
    if (spec.packedElement !== undefined) {
      // A repeated scalar: decoders accept it packed (bytes) or one element at a time.
      fields.set(field, { wire: spec.packedElement, packed: true });
    } else if (spec.wire !== WireType.bytes) {
      fields.set(field, { wire: spec.wire });
    } else if (path.length + 1 < MAX_PROBE_DEPTH && isMessageField(codec, path, field)) {
      let sub: MessageSchema | undefined;
      fields.set(field, { wire: WireType.bytes, message: () => (sub ??= levelSchema(codec, `${name}.${field}`, [...path, field])) });
    } else {
      // Strings and bytes may still carry a message (an Any's value): depth and groups are checked.
      fields.set(field, { wire: WireType.bytes, opaqueMessage: true });
    }
  }
  return { name, fields, allowNonCritical: true };
}

const derived = new WeakMap<MessageCodec<unknown>, MessageSchema>();

/**
 * The wire schema of a Msg type (`name` is its full protobuf name), nested messages derived
 * on first use; kept per codec for the process (a level costs ~4,000 decodes, a few ms).
 */
export function deriveMsgSchema(name: string, codec: MessageCodec<unknown>): MessageSchema {
  let schema = derived.get(codec);
  if (schema === undefined) derived.set(codec, (schema = levelSchema(codec, name, [])));
  return schema;
}
