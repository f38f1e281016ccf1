/**
 * The descriptors reflection serves (what grpcurl and generated clients are told) against the
 * codecs the node really uses — cosmjs-types for the Cosmos .proto files, proto/gen for ours: a message with every declared field
 * set, encoded from the descriptor, must decode with cosmjs-types and encode back to the same
 * bytes — a wrong field number or wire type, or a missing field, changes the bytes.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { BinaryWriter } from "cosmjs-types/binary";
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, type DescriptorProto } from "@bufbuild/protobuf/wkt";
import { packageRoot } from "../cmd/paths.js";
import { DESCRIPTOR_SET_PATH, readDescriptorSet } from "./grpc.js";
import type { MessageCodec } from "../app/module.js";

const files = readDescriptorSet(join(packageRoot(), DESCRIPTOR_SET_PATH));
/** Every message of the descriptor set by full name (no nested messages in these files). */
const messages = new Map<string, DescriptorProto>(files.flatMap((file) => file.messageType.map((m) => [`${file.package}.${m.name}`, m] as const)));
/** The .proto file declaring each message. */
const fileOf = new Map<string, string>(files.flatMap((file) => file.messageType.map((m) => [`${file.package}.${m.name}`, file.name] as const)));

/** Fields deliberately not declared (and so not accepted over gRPC), with why. */
const LEFT_OUT: Record<string, string[]> = {
  // Deprecated decoded-Tx form of Simulate; the node simulates tx_bytes only.
  "cosmos.tx.v1beta1.SimulateRequest": ["tx"],
};

const T = FieldDescriptorProto_Type;
const VARINT = new Set([T.UINT64, T.INT64, T.UINT32, T.INT32, T.BOOL, T.ENUM]);

/** Writes every field of `type` once (repeated ones twice), with values no codec drops as defaults. */
function writeSample(type: string, writer: BinaryWriter, depth: number): void {
  const desc = messages.get(type);
  if (!desc) throw new Error(`no descriptor for ${type}`);
  for (const field of desc.field) {
    const repeated = field.label === FieldDescriptorProto_Label.REPEATED;
    if (repeated && VARINT.has(field.type)) {
      // proto3 packs repeated scalars, as every codec encodes them.
      writer.uint32((field.number << 3) | 2).fork().uint64(1n).uint64(2n).ldelim();
      continue;
    }
    for (let i = 0; i < (repeated ? 2 : 1); i++) {
      if (VARINT.has(field.type)) {
        writer.uint32((field.number << 3) | 0).uint64(1n);
      } else if (field.type === T.STRING || field.type === T.BYTES) {
        writer.uint32((field.number << 3) | 2).string(`${field.name}-${i}`);
      } else if (field.type === T.MESSAGE) {
        if (depth > 6) continue;
        writer.uint32((field.number << 3) | 2).fork();
        // protoc writes absolute type names: ".pkg.Message".
        writeSample(field.typeName.slice(1), writer, depth + 1);
        writer.ldelim();
      } else {
        throw new Error(`${type}.${field.name}: no sample for field type ${field.type}`);
      }
    }
  }
}

/** The cosmjs-types codec of a fully qualified message name, searched in its package's modules. */
type CosmjsCodec = MessageCodec<unknown> & { fromPartial(object: object): object };

async function cosmjsCodec(fullName: string): Promise<CosmjsCodec | undefined> {
  const i = fullName.lastIndexOf(".");
  const dir = fullName.slice(0, i).replace(/\./g, "/");
  const name = fullName.slice(i + 1);
  for (const file of ["query", "service", "types", "abci", "coin", "pagination", "keys", "auth", "bank", "staking", "distribution", "slashing", "mint", "upgrade", "gov", "authz"]) {
    const mod = (await import(`cosmjs-types/${dir}/${file}`).catch(() => undefined)) as Record<string, unknown> | undefined;
    const codec = mod?.[name];
    if (codec && typeof codec === "object" && "decode" in codec) return codec as CosmjsCodec;
  }
  return undefined;
}

const sdkMessages = [...messages.keys()].filter((name) => /^(cosmos|tendermint)\./.test(name)).sort();
const ogpuMessages = [...messages.keys()].filter((name) => name.startsWith("ogpu.")).sort();

/** Round-trips a full sample through `codec` and compares its fields with the descriptor's. */
function expectSameMessage(name: string, codec: CosmjsCodec): void {
  const writer = new BinaryWriter();
  writeSample(name, writer, 0);
  const bytes = writer.finish();
  const roundTrip = codec.encode(codec.decode(bytes)).finish();
  expect(Buffer.from(roundTrip).toString("hex")).toBe(Buffer.from(bytes).toString("hex"));
  // …and no field of the codec's message is left out (reflection would hide it).
  const codecFields = Object.keys(codec.fromPartial({})).map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).sort();
  const declared = [...messages.get(name)!.field.map((f) => f.name), ...(LEFT_OUT[name] ?? [])].sort();
  expect(codecFields).toEqual(declared);
}

describe("Cosmos .proto files match cosmjs-types on the wire", () => {
  it("declares the messages of the served Cosmos services", () => {
    expect(sdkMessages).toEqual(expect.arrayContaining(["cosmos.bank.v1beta1.QueryBalanceRequest", "cosmos.staking.v1beta1.Validator", "cosmos.gov.v1.Proposal"]));
  });

  it.each(sdkMessages)("%s", async (name) => {
    const codec = await cosmjsCodec(name);
    expect(codec, `cosmjs-types has no ${name}`).toBeDefined();
    expectSameMessage(name, codec!);
  });
});

describe("proto/gen/descriptors.binpb is current with proto/ogpu (else: bash proto/generate.sh)", () => {
  it.each(ogpuMessages)("%s", async (name) => {
    const mod = (await import(`../proto/gen/${fileOf.get(name)!.replace(/\.proto$/, ".js")}`)) as Record<string, unknown>;
    const codec = mod[name.slice(name.lastIndexOf(".") + 1)] as CosmjsCodec | undefined;
    expect(codec, `proto/gen has no ${name}`).toBeDefined();
    expectSameMessage(name, codec!);
  });
});
