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
 *  - schema: a message whose field numbers we know (tx envelope types; module Msgs, whose
 *    schemas app/msg-schema.ts derives from their codecs). Unknown fields are
 *    rejected as the Cosmos SDK's RejectUnknownFields does: a field number with bit 11 set
 *    (n & 1024, "non-critical") is allowed only below a message that allows them (TxBody).
 *    Known fields must carry their declared wire type.
 *  - message: certainly a message, schema not known here (query requests).
 *  - maybe: a length-delimited payload that *might* be a message (bytes, strings, Any.value).
 *    It is scanned speculatively; if it does not parse it is opaque bytes and not an error.
 * Groups (wire types 3/4) are rejected in schema and message frames. In maybe frames they
 * only count towards depth: rejecting them there would also reject honest random bytes
 * (digests, ciphertexts) that happen to look like a group, while depth is what matters.
 * Too deep inside a maybe frame is a verdict deferred to the outermost maybe frame's end:
 * if that payload parses as a message it is rejected; if it turns out malformed it is
 * opaque bytes (a string such as 40 × "s" — each 0x73 a start-group tag — stays valid).
 * Malformed payloads are safe to let through: a decoder that does treat them as a message
 * fails on them in every process, so the verdict (code 2) does not depend on the stack.
 */

export const WireType = { varint: 0, fixed64: 1, bytes: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;
export type WireTypeValue = (typeof WireType)[keyof typeof WireType];

/** A base-128 varint's bytes (for building probes and test inputs; n < 2^53). */
export function wireVarint(n: number): number[] {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n % 0x80) | 0x80);
  out.push(n);
  return out;
}

/** A field key's bytes: field number and wire type. */
export const wireTag = (field: number, wire: number): number[] => wireVarint(field * 8 + wire);

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
  /** A repeated scalar: also accepted packed (wire type bytes), as every decoder accepts it. */
  packed?: boolean;
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
  schema: MessageSchema | undefined;
  allowNonCritical: boolean;
  /** Field numbers of the groups open in this frame, innermost last. */
  groups: number[];
  /** Maybe frames: something in this frame (or a child that parsed) is nested too deep. */
  tooDeep?: boolean;
}

/** Checks `bytes` as a message of `schema`. */
export function checkSchemaWire(bytes: Uint8Array, schema: MessageSchema, limits: WireLimits): void {
  new WireScan(bytes, limits).run({ kind: "schema", end: bytes.length, depth: 1, schema, allowNonCritical: schema.allowNonCritical === true, groups: [] });
}

/** Checks `bytes` as a message whose schema is not known here: no groups, bounded depth. */
export function checkMessageWire(bytes: Uint8Array, limits: WireLimits): void {
  new WireScan(bytes, limits).run({ kind: "message", end: bytes.length, depth: 1, schema: undefined, allowNonCritical: false, groups: [] });
}

/** Returned by the readers on malformed input; the reason is left in `WireScan.reason`. */
const MALFORMED = -1;

/**
 * One scan. Malformed input is reported by return value, not by exception: most strings
 * fail a speculative parse on their first byte, and exceptions there would dominate the cost.
 */
class WireScan {
  private readonly stack: Frame[] = [];
  /** Why the last reader returned MALFORMED. */
  private reason = "";
  /** The value decoded by the last readVarint. */
  private varint = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly limits: WireLimits,
  ) {
    if (bytes.length > limits.maxBytes) throw new ProtoWireError(`message is ${bytes.length} bytes, over the ${limits.maxBytes}-byte limit`);
  }

  run(root: Frame): void {
    const stack = this.stack;
    stack.push(root);
    let pos = 0;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      let next: number;
      if (pos === frame.end) {
        if (frame.groups.length === 0) {
          stack.pop();
          if (frame.tooDeep) this.deepFrameParsed(stack);
          continue;
        }
        next = this.malformed(`group ${frame.groups[frame.groups.length - 1]} is not closed`);
      } else {
        next = this.field(pos, frame);
      }
      if (next !== MALFORMED) {
        pos = next;
      } else if (frame.kind === "maybe") {
        // Not a message after all: the parent already treats these bytes as opaque.
        pos = frame.end;
        stack.pop();
      } else {
        throw new ProtoWireError(this.reason);
      }
    }
  }

  /**
   * Reads one field at `pos`. Returns where the scan goes next: past the value, or into the
   * payload when it is entered as a child frame (the parent resumes at the child's end).
   */
  private field(pos: number, frame: Frame): number {
    // Depth counts where a decoder would be while reading this field; too deep is an error
    // outside maybe frames, and a deferred one inside them (see the header).
    if (frame.depth + frame.groups.length > this.limits.maxDepth) {
      if (frame.kind !== "maybe") throw tooDeepError(this.limits);
      frame.tooDeep = true;
    }
    const valueStart = this.readVarint(pos, frame.end);
    if (valueStart === MALFORMED) return MALFORMED;
    const field = Math.floor(this.varint / 8);
    const wire = this.varint % 8;
    if (field === 0 || field > MAX_FIELD_NUMBER) return this.malformed(`invalid field number ${field}`);
    if (wire === WireType.startGroup || wire === WireType.endGroup) return this.group(field, wire, valueStart, frame);
    const end = this.skipValue(valueStart, wire, frame.end);
    if (end === MALFORMED) return MALFORMED;
    // For bytes, skipValue left the payload length in `varint`.
    const payloadStart = end - this.varint;
    if (frame.kind !== "schema") return wire === WireType.bytes ? this.enter(frame, "maybe", payloadStart, end, frame.allowNonCritical) : end;
    const schema = frame.schema!;
    const spec = schema.fields.get(field);
    if (spec === undefined) {
      if (!frame.allowNonCritical || (field & NON_CRITICAL_BIT) === 0) {
        throw new ProtoWireError(`unknown field in ${schema.name}: {TagNum: ${field}, WireType:"${WIRE_NAMES[wire]}"}`);
      }
      return wire === WireType.bytes ? this.enter(frame, "maybe", payloadStart, end, true) : end;
    }
    if (spec.packed === true && wire === WireType.bytes) return end;
    if (spec.wire !== wire) throw new ProtoWireError(`field ${field} of ${schema.name} has wire type ${WIRE_NAMES[wire]}, want ${WIRE_NAMES[spec.wire]}`);
    if (spec.message) {
      const sub = spec.message();
      return this.enter(frame, "schema", payloadStart, end, frame.allowNonCritical || sub.allowNonCritical === true, sub);
    }
    return spec.opaqueMessage ? this.enter(frame, "maybe", payloadStart, end, frame.allowNonCritical) : end;
  }

  /** A maybe frame that holds too-deep nesting parsed as a message: its parent inherits it. */
  private deepFrameParsed(stack: Frame[]): void {
    const parent = stack[stack.length - 1];
    if (parent === undefined || parent.kind !== "maybe") throw tooDeepError(this.limits);
    parent.tooDeep = true;
  }

  private enter(parent: Frame, kind: FrameKind, start: number, end: number, allowNonCritical: boolean, schema?: MessageSchema): number {
    this.stack.push({ kind, end, depth: parent.depth + parent.groups.length + 1, schema, allowNonCritical, groups: [] });
    return start;
  }

  private group(field: number, wire: number, next: number, frame: Frame): number {
    if (frame.kind !== "maybe") throw new ProtoWireError(`group wire type (field ${field}) is not allowed`);
    if (wire === WireType.startGroup) frame.groups.push(field);
    else if (frame.groups.pop() !== field) return this.malformed(`unmatched end of group ${field}`);
    return next;
  }

  /** Skips a non-group value; returns the position after it (for bytes, its length stays in `varint`). */
  private skipValue(pos: number, wire: number, end: number): number {
    switch (wire) {
      case WireType.varint: {
        const next = this.readVarint(pos, end);
        this.varint = 0;
        return next;
      }
      case WireType.fixed64:
        this.varint = 0;
        return pos + 8 <= end ? pos + 8 : this.malformed("fixed64 runs past the end of its message");
      case WireType.fixed32:
        this.varint = 0;
        return pos + 4 <= end ? pos + 4 : this.malformed("fixed32 runs past the end of its message");
      case WireType.bytes: {
        const start = this.readVarint(pos, end);
        if (start === MALFORMED) return MALFORMED;
        return start + this.varint <= end ? start + this.varint : this.malformed("bytes run past the end of their message");
      }
      default:
        return this.malformed(`invalid wire type ${wire}`);
    }
  }

  /** A base-128 varint of at most 10 bytes into `varint` (exact up to 2^53: enough for tags and lengths). */
  private readVarint(pos: number, end: number): number {
    let value = 0;
    let scale = 1;
    for (let i = pos; i < pos + 10; i++) {
      if (i >= end) return this.malformed("truncated varint");
      const b = this.bytes[i]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.varint = value;
        return i + 1;
      }
      scale *= 128;
    }
    return this.malformed("varint longer than 10 bytes");
  }

  private malformed(reason: string): number {
    this.reason = reason;
    return MALFORMED;
  }
}

function tooDeepError(limits: WireLimits): ProtoWireError {
  return new ProtoWireError(`nesting deeper than ${limits.maxDepth} levels`);
}
