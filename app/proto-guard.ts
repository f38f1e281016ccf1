/**
 * Protobuf wire pre-validation, run before any generated (recursive) decoder sees the bytes.
 *
 * Why: cosmjs-types / ts-proto decoders recurse once per nested message and once per nested
 * *group* while skipping unknown fields. How deep they get before a RangeError depends on
 * the process (`--stack-size`, JIT state), so a tx with thousands of nested groups decodes on
 * one validator and fails on another: different app hashes, a halted chain. This scanner is
 * iterative (an explicit frame stack, no recursion) and linear in the input, so its verdict
 * is the same in every process, and anything it accepts is shallow enough for any decoder.
 *
 * Three kinds of frame:
 *  - schema: a message whose field numbers we know (tx envelope types). Unknown fields are
 *    rejected as the Cosmos SDK's RejectUnknownFields does: a field number with bit 11 set
 *    (n & 1024, "non-critical") is allowed only below a message that allows them (TxBody).
 *    Known fields must carry their declared wire type.
 *  - message: certainly a message, schema not known here (module Msgs, query requests).
 *  - maybe: a length-delimited payload that *might* be a message (bytes, strings, Any.value).
 *    It is scanned speculatively; if it does not parse it is opaque bytes and not an error.
 * Groups (wire types 3/4) are rejected in schema and message frames. In maybe frames they
 * only count towards depth: rejecting them there would also reject honest random bytes
 * (digests, ciphertexts) that happen to look like a group, while depth is what matters.
 */

export const WireType = { varint: 0, fixed64: 1, bytes: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;
export type WireTypeValue = (typeof WireType)[keyof typeof WireType];

const WIRE_NAMES = ["varint", "fixed64", "bytes", "start_group", "end_group", "fixed32"];
/** The SDK's bit11NonCritical: unknown fields numbered with this bit set may be skipped. */
const NON_CRITICAL_BIT = 1024;
const MAX_FIELD_NUMBER = 2 ** 29 - 1;

/** One known field: its wire type and, for length-delimited ones, what the payload holds. */
export interface FieldSpec {
  wire: WireTypeValue;
  /** Payload is this message (checked against its schema). A thunk, so schemas can recurse. */
  message?: () => MessageSchema;
  /** Payload is a message of a type not known here (Any.value): scanned speculatively. */
  opaqueMessage?: boolean;
}

export interface MessageSchema {
  /** Full protobuf name, used in error messages. */
  name: string;
  fields: ReadonlyMap<number, FieldSpec>;
  /** Non-critical unknown fields are allowed in this message and everything below it. */
  allowNonCritical?: boolean;
}

export interface WireLimits {
  maxBytes: number;
  /** Deepest nesting of messages and groups, counting the outermost message as 1. */
  maxDepth: number;
}

/** Deepest nesting accepted: far above any real message here, far below any stack limit. */
export const MAX_WIRE_DEPTH = 32;

/**
 * Hard ceiling on one message's bytes: above the auth `max_tx_bytes` param's 1 MiB default
 * (which the ante handler enforces with its own code) and any value a chain would set, small
 * enough that the linear scan stays cheap (a few ms).
 */
export const MAX_WIRE_BYTES = 4 * 1024 * 1024;

export const DEFAULT_WIRE_LIMITS: WireLimits = { maxBytes: MAX_WIRE_BYTES, maxDepth: MAX_WIRE_DEPTH };

/** A wire-format rule broken; callers turn it into their own error code. */
export class ProtoWireError extends Error {
  override name = "ProtoWireError";
}

type FrameKind = "schema" | "message" | "maybe";

interface Frame {
  kind: FrameKind;
  end: number;
  /** Nesting depth of this frame's own fields (outermost message = 1). */
  depth: number;
  schema?: MessageSchema;
  allowNonCritical: boolean;
  /** Field numbers of the groups open in this frame, innermost last. */
  groups: number[];
}

/** Thrown inside a maybe frame: the payload is not a message, which is fine. */
class NotAMessage extends Error {}

/** Checks `bytes` as a message of `schema`. */
export function checkSchemaWire(bytes: Uint8Array, schema: MessageSchema, limits: WireLimits): void {
  scan(bytes, { kind: "schema", schema, allowNonCritical: schema.allowNonCritical === true }, limits);
}

/** Checks `bytes` as a message whose schema is not known here: no groups, bounded depth. */
export function checkMessageWire(bytes: Uint8Array, limits: WireLimits): void {
  scan(bytes, { kind: "message", allowNonCritical: false }, limits);
}

function scan(bytes: Uint8Array, root: Pick<Frame, "kind" | "schema" | "allowNonCritical">, limits: WireLimits): void {
  if (bytes.length > limits.maxBytes) throw new ProtoWireError(`message is ${bytes.length} bytes, over the ${limits.maxBytes}-byte limit`);
  const stack: Frame[] = [{ ...root, end: bytes.length, depth: 1, groups: [] }];
  let pos = 0;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    try {
      if (pos === frame.end) {
        if (frame.groups.length > 0) fail(frame, `group ${frame.groups[frame.groups.length - 1]} is not closed`);
        stack.pop();
        continue;
      }
      const child = scanField(bytes, pos, frame, limits);
      pos = child.next;
      if (child.frame) stack.push(child.frame);
    } catch (err) {
      if (!(err instanceof NotAMessage)) throw err;
      // Not a message after all: the parent already treats these bytes as opaque.
      pos = frame.end;
      stack.pop();
    }
  }
}

/**
 * Reads one field at `pos`. Returns where the scan goes next: past the value, or into the
 * payload when it is entered as a child frame (the parent resumes at the child's end).
 */
function scanField(bytes: Uint8Array, pos: number, frame: Frame, limits: WireLimits): { next: number; frame?: Frame } {
  // Depth counts where a decoder would be while reading this field.
  checkDepth(frame.depth + frame.groups.length, limits);
  const key = readVarint(bytes, pos, frame);
  const field = Math.floor(key.value / 8);
  const wire = key.value % 8;
  if (field === 0 || field > MAX_FIELD_NUMBER) fail(frame, `invalid field number ${field}`);
  if (wire === WireType.startGroup || wire === WireType.endGroup) return scanGroupTag(field, wire, key.next, frame);
  const value = skipValue(bytes, key.next, wire, frame);
  const enter = (kind: FrameKind, allowNonCritical: boolean, schema?: MessageSchema) => ({
    next: value.start,
    frame: { kind, end: value.end, depth: frame.depth + frame.groups.length + 1, allowNonCritical, schema, groups: [] },
  });
  const skip = { next: value.end };
  if (frame.kind !== "schema") return wire === WireType.bytes ? enter("maybe", frame.allowNonCritical) : skip;
  const schema = frame.schema!;
  const spec = schema.fields.get(field);
  if (spec === undefined) {
    if (!frame.allowNonCritical || (field & NON_CRITICAL_BIT) === 0) {
      fail(frame, `unknown field in ${schema.name}: {TagNum: ${field}, WireType:"${WIRE_NAMES[wire]}"}`);
    }
    return wire === WireType.bytes ? enter("maybe", true) : skip;
  }
  if (spec.wire !== wire) fail(frame, `field ${field} of ${schema.name} has wire type ${WIRE_NAMES[wire]}, want ${WIRE_NAMES[spec.wire]}`);
  if (spec.message) {
    const sub = spec.message();
    return enter("schema", frame.allowNonCritical || sub.allowNonCritical === true, sub);
  }
  return spec.opaqueMessage ? enter("maybe", frame.allowNonCritical) : skip;
}

function scanGroupTag(field: number, wire: number, next: number, frame: Frame): { next: number } {
  if (frame.kind !== "maybe") fail(frame, `group wire type (field ${field}) is not allowed`);
  if (wire === WireType.startGroup) {
    frame.groups.push(field);
  } else if (frame.groups.pop() !== field) {
    fail(frame, `unmatched end of group ${field}`);
  }
  return { next };
}

function checkDepth(depth: number, limits: WireLimits): void {
  if (depth > limits.maxDepth) throw new ProtoWireError(`nesting deeper than ${limits.maxDepth} levels`);
}

/** Skips a non-group value: `start` is where its payload begins (bytes), `end` is past it. */
function skipValue(bytes: Uint8Array, pos: number, wire: number, frame: Frame): { start: number; end: number } {
  switch (wire) {
    case WireType.varint:
      return { start: pos, end: readVarint(bytes, pos, frame).next };
    case WireType.fixed64:
      return { start: pos, end: within(pos + 8, frame) };
    case WireType.fixed32:
      return { start: pos, end: within(pos + 4, frame) };
    case WireType.bytes: {
      const len = readVarint(bytes, pos, frame);
      return { start: len.next, end: within(len.next + len.value, frame) };
    }
    default:
      return fail(frame, `invalid wire type ${wire}`);
  }
}

function within(end: number, frame: Frame): number {
  if (end > frame.end) fail(frame, "value runs past the end of its message");
  return end;
}

/** A base-128 varint of at most 10 bytes; the value is exact up to 2^53 (enough for tags and lengths). */
function readVarint(bytes: Uint8Array, pos: number, frame: Frame): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= frame.end) fail(frame, "truncated varint");
    const b = bytes[pos + i]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return { value, next: pos + i + 1 };
    scale *= 128;
  }
  return fail(frame, "varint longer than 10 bytes");
}

function fail(frame: Frame, reason: string): never {
  if (frame.kind === "maybe") throw new NotAMessage(reason);
  throw new ProtoWireError(reason);
}
