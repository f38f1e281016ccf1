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
 * the same way, with the probe placed inside it. To keep this cheap (~4 ms of CPU per Msg
 * type), field numbers are first ruled out 32 at a time (see `batchChanges`); only the numbers
 * a batch cannot rule out get the one-field probes.
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

/** Bytes of each one-field probe, by wire type and field number (built once: batches concatenate them). */
const FIELD_PROBES = new Map(PROBED_WIRES.map((wire) => [wire, [new Uint8Array(), ...PROBED_FIELDS.map((field) => Uint8Array.from([...tag(field, wire), ...PROBE_VALUE[wire]!]))]]));

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** `inner` placed inside the message fields along `path`, outermost first. */
function wrap(path: readonly number[], inner: Uint8Array | readonly number[]): Uint8Array {
  let bytes = inner instanceof Uint8Array ? inner : Uint8Array.from(inner);
  for (let i = path.length - 1; i >= 0; i--) bytes = concatBytes([Uint8Array.from([...tag(path[i]!, WireType.bytes), ...varint(bytes.length)]), bytes]);
  return bytes;
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
    decoded = codec.decode(wrap(path, FIELD_PROBES.get(wire)![field]!));
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

/**
 * Whether decoding `fields` (all with `wire`) at `path` gives anything but the empty decode.
 * Unknown fields are skipped exactly; the first known field read sets a non-default value
 * (every probe value starts with a non-zero byte, however a decoder reads it) or throws. So
 * "no change" means no known field among them — for fields the encoder does not write anyway
 * (those are probed one by one: a default nested message read from a misplaced byte could
 * otherwise shift the reads after it).
 */
function batchChanges(codec: MessageCodec<unknown>, path: readonly number[], empty: EmptyLevel, wire: WireTypeValue, fields: readonly number[]): boolean {
  try {
    const probes = FIELD_PROBES.get(wire)!;
    return !sameValue(codec.decode(wrap(path, concatBytes(fields.map((field) => probes[field]!)))), empty.decoded);
  } catch {
    return true;
  }
}

/** Fields per batch: one decode rules out a chunk; a chunk that changes is probed field by field. */
const CHUNK = 32;

/** Adds to `out` every field of `fields` the batch probes cannot rule out. */
function collectCandidates(codec: MessageCodec<unknown>, path: readonly number[], empty: EmptyLevel, wire: WireTypeValue, fields: readonly number[], out: Set<number>): void {
  for (let i = 0; i < fields.length; i += CHUNK) {
    const chunk = fields.slice(i, i + CHUNK);
    if (!batchChanges(codec, path, empty, wire, chunk)) continue;
    for (const field of chunk) if (batchChanges(codec, path, empty, wire, [field])) out.add(field);
  }
}

function levelSchema(codec: MessageCodec<unknown>, name: string, path: readonly number[]): MessageSchema {
  const fields = new Map<number, FieldSpec>();
  const decoded = codec.decode(wrap(path, []));
  const empty = { decoded, fields: encodedAt(codec, path, decoded) };
  const candidates = new Set(empty.fields.keys());
  const batched = PROBED_FIELDS.filter((field) => !candidates.has(field));
  for (const wire of PROBED_WIRES) collectCandidates(codec, path, empty, wire, batched, candidates);
  for (const field of [...candidates].sort((a, b) => a - b)) {
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
