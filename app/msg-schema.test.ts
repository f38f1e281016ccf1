/**
 * The Msg schemas app/msg-schema.ts derives from generated codecs match what the .proto files
 * declare (field numbers, wire types, which fields are messages) for every oGPU Msg, and for
 * the Cosmos Msgs the chain registers, every derivation succeeds and finds their fields.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { MsgCreateValidator } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { describe, expect, it } from "vitest";
import { OGPU_MSG_TYPES } from "../proto/msg-types.js";
import { deriveMsgSchema } from "./msg-schema.js";
import { WireType, type MessageSchema } from "./proto-guard.js";

interface ProtoField {
  type: string;
  number: number;
  repeated: boolean;
}

const FIXED64 = new Set(["fixed64", "sfixed64", "double"]);
const FIXED32 = new Set(["fixed32", "sfixed32", "float"]);
const LENGTH_DELIMITED = new Set(["string", "bytes"]);
const VARINTS = new Set(["int32", "int64", "uint32", "uint64", "sint32", "sint64", "bool"]);
const SCALARS = new Set([...FIXED64, ...FIXED32, ...LENGTH_DELIMITED, ...VARINTS]);

const PROTO_ROOT = join(__dirname, "..", "proto", "ogpu");

/**
 * Full message name → fields (types resolved to full names), and the enums' full names, of
 * every .proto under proto/ogpu (flat files: no nested declarations).
 */
function readProtos(): { messages: Map<string, ProtoField[]>; enums: Set<string> } {
  const messages = new Map<string, ProtoField[]>();
  const enums = new Set<string>();
  for (const dir of readdirSync(PROTO_ROOT)) {
    for (const file of readdirSync(join(PROTO_ROOT, dir, "v1")).filter((f) => f.endsWith(".proto"))) {
      const text = readFileSync(join(PROTO_ROOT, dir, "v1", file), "utf8").replace(/\/\/.*$/gm, "");
      const pkg = /package\s+([\w.]+)\s*;/.exec(text)![1]!;
      // Types are written bare (same package) or fully qualified (`ogpu.market.v1.Requirements`).
      const full = (type: string) => (type.includes(".") ? type : `${pkg}.${type}`);
      for (const m of text.matchAll(/enum\s+(\w+)\s*\{/g)) enums.add(full(m[1]!));
      for (const m of text.matchAll(/message\s+(\w+)\s*\{([^}]*)\}/g)) {
        const fields = [...m[2]!.matchAll(/(repeated\s+)?([\w.]+)\s+\w+\s*=\s*(\d+)\s*(\[[^\]]*\])?\s*;/g)].map((f) => ({
          repeated: f[1] !== undefined,
          type: SCALARS.has(f[2]!) ? f[2]! : full(f[2]!),
          number: Number(f[3]),
        }));
        messages.set(full(m[1]!), fields);
      }
    }
  }
  return { messages, enums };
}


describe("Msg schemas derived from codecs", () => {
  const { messages, enums } = readProtos();

  /** Compares a derived schema with the declaration of `message`, recursing into message fields. */
  function expectMatches(schema: MessageSchema, message: string, seen: string[] = []): void {
    const declared = messages.get(message);
    expect(declared, `message ${message} declared`).toBeDefined();
    expect([...schema.fields.keys()], `field numbers of ${message}`).toEqual(declared!.map((f) => f.number).sort((a, b) => a - b));
    for (const field of declared!) {
      const spec = schema.fields.get(field.number)!;
      const where = `${message}.${field.number} (${field.type})`;
      if (FIXED64.has(field.type)) expect(spec.wire, where).toBe(WireType.fixed64);
      else if (FIXED32.has(field.type)) expect(spec.wire, where).toBe(WireType.fixed32);
      else if (LENGTH_DELIMITED.has(field.type)) expect([spec.wire, spec.message, spec.opaqueMessage], where).toEqual([WireType.bytes, undefined, true]);
      else if (messages.has(field.type)) {
        expect([spec.wire, typeof spec.message], where).toEqual([WireType.bytes, "function"]);
        if (!seen.includes(field.type)) expectMatches(spec.message!(), field.type, [...seen, message]);
      } else {
        // Varint scalars and enums; repeated ones are also accepted packed.
        expect(enums.has(field.type) || VARINTS.has(field.type), `${where} is a varint type`).toBe(true);
        expect([spec.wire, spec.packed === true], where).toEqual([WireType.varint, field.repeated]);
      }
    }
  }

  it("every oGPU Msg: the derived schema is the .proto declaration, nested messages included", () => {
    for (const type of Object.values(OGPU_MSG_TYPES)) {
      const name = type.typeUrl.slice(1);
      expectMatches(deriveMsgSchema(name, type.codec), name);
    }
  });

  it("Cosmos Msgs from cosmjs-types: MsgSend and MsgCreateValidator (oneof-free, nested Coin, Any, Dec strings)", () => {
    const send = deriveMsgSchema("cosmos.bank.v1beta1.MsgSend", MsgSend);
    expect([...send.fields.keys()]).toEqual([1, 2, 3]);
    const coin = send.fields.get(3)!.message!();
    expect([...coin.fields.keys()]).toEqual([1, 2]);
    const create = deriveMsgSchema("cosmos.staking.v1beta1.MsgCreateValidator", MsgCreateValidator);
    // description, commission, min_self_delegation, delegator_address, validator_address, pubkey, value
    expect([...create.fields.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const pubkey = create.fields.get(6)!.message!();
    expect([...pubkey.fields.keys()]).toEqual([1, 2]);
    expect(pubkey.fields.get(2)!.opaqueMessage).toBe(true); // Any.value: checked for depth and groups
  });
});
