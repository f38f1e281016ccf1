/**
 * One test per wire rule of app/proto-guard.ts, through the paths that use it: the tx
 * envelope (decodeTx), module Msgs (defineMsg) and query requests (defineQuery).
 */
import { describe, expect, it } from "vitest";
import { QueryBalanceRequest } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { AppError } from "./errors.js";
import { createAppWiring } from "./modules.js";
import type { RegisteredMsg } from "./module.js";
import { checkMessageWire, DEFAULT_WIRE_LIMITS, MAX_WIRE_DEPTH, ProtoWireError } from "./proto-guard.js";
import { QueryRouter } from "./query.js";
import { testKey } from "./testkit.js";
import { decodeTx } from "./tx/decode.js";
import { concat, lengthDelimited, nestedGroups, nestedModeInfo, sendAny, signRawTx, tag, varint, WIRE } from "../test/support/adversarial-proto.js";

const appModules = createAppWiring().modules;

const msgTypes = new Map<string, RegisteredMsg>(appModules.flatMap((m) => m.msgs).map((m) => [m.typeUrl, m]));
const key = testKey(1);
const to = testKey(2).address;
const tx = (parts: Partial<Parameters<typeof signRawTx>[0]>) =>
  signRawTx({ key, accountNumber: 0n, sequence: 0n, messages: [sendAny(key.address, to)], ...parts });

/** The AppError decodeTx throws, or undefined when it decodes. */
function decodeError(bytes: Uint8Array): AppError | undefined {
  try {
    decodeTx(bytes, msgTypes);
    return undefined;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
}

function expectParseError(bytes: Uint8Array, message: RegExp): void {
  const err = decodeError(bytes);
  expect(err, "expected a tx parse error").toBeDefined();
  expect([err!.codespace, err!.code]).toEqual(["sdk", 2]);
  expect(err!.message).toMatch(message);
  expect(err!.message).toMatch(/tx parse error$/);
}

describe("tx envelope: the SDK's unknown-field rules", () => {
  it("an honest tx decodes", () => {
    expect(decodeError(tx({}))).toBeUndefined();
  });

  it("rejects an unknown critical field in TxBody, naming it", () => {
    expectParseError(tx({ bodyTrailer: lengthDelimited(5, [1, 2, 3]) }), /unknown field in cosmos\.tx\.v1beta1\.TxBody: \{TagNum: 5, WireType:"bytes"\}/);
  });

  it("allows an unknown non-critical field (bit 11 set) in TxBody", () => {
    expect(decodeError(tx({ bodyTrailer: lengthDelimited(1030, [1, 2, 3]) }))).toBeUndefined();
    expect(decodeError(tx({ bodyTrailer: concat(tag(1025, WIRE.varint), varint(7)) }))).toBeUndefined();
  });

  it("rejects unknown fields in AuthInfo and TxRaw, non-critical ones included", () => {
    expectParseError(tx({ authInfoTrailer: lengthDelimited(1030, [1]) }), /unknown field in cosmos\.tx\.v1beta1\.AuthInfo: \{TagNum: 1030/);
    expectParseError(concat(tx({}), lengthDelimited(4, [1])), /unknown field in cosmos\.tx\.v1beta1\.TxRaw: \{TagNum: 4/);
  });

  it("rejects a known field with the wrong wire type", () => {
    expectParseError(tx({ bodyTrailer: concat(tag(2, WIRE.varint), varint(1)) }), /field 2 of cosmos\.tx\.v1beta1\.TxBody has wire type varint, want bytes/);
  });
});

describe("groups and depth", () => {
  it("rejects group wire types in the envelope, even in a non-critical field", () => {
    expectParseError(tx({ bodyTrailer: nestedGroups(1031, 1) }), /group wire type \(field 1031\) is not allowed/);
    expectParseError(tx({ bodyTrailer: nestedGroups(15, 10_600) }), /group wire type/);
  });

  it("rejects deep nesting through a known recursive field (ModeInfo.multi), accepts shallow", () => {
    expectParseError(tx({ modeInfo: nestedModeInfo(2_000) }), new RegExp(`nesting deeper than ${MAX_WIRE_DEPTH} levels`));
    // Shallow nesting passes the wire check (the ante handler judges multisig itself).
    expect(decodeError(tx({ modeInfo: nestedModeInfo(3) }))).toBeUndefined();
  });

  it("rejects a group at the top of a module Msg, and deep groups anywhere inside one", () => {
    expectParseError(tx({ messages: [sendAny(key.address, to, "1", nestedGroups(15, 1))] }), /failed to decode \/cosmos\.bank\.v1beta1\.MsgSend: group wire type/);
    const coinWithGroups = lengthDelimited(3, concat(lengthDelimited(1, [0x75]), nestedGroups(15, 5_000)));
    expectParseError(tx({ messages: [sendAny(key.address, to, "1", coinWithGroups)] }), /nesting deeper than/);
  });

  it("treats bytes that merely look like a group as opaque bytes (no false rejection)", () => {
    const bytesField = lengthDelimited(4, nestedGroups(1, 3));
    expect(() => checkMessageWire(bytesField, DEFAULT_WIRE_LIMITS)).not.toThrow();
    const notAMessage = lengthDelimited(4, [0x0b, 0xff]);
    expect(() => checkMessageWire(notAMessage, DEFAULT_WIRE_LIMITS)).not.toThrow();
    // Strings whose characters are start-group tags ("s" = 0x73, "[" = 0x5b, "c" = 0x63), far
    // deeper than the limit but never closed: not a message, so opaque, never a false rejection.
    for (const text of ["s".repeat(40), "[".repeat(500), "cs[k".repeat(100)]) {
      expect(() => checkMessageWire(lengthDelimited(4, [...new TextEncoder().encode(text)]), DEFAULT_WIRE_LIMITS)).not.toThrow();
    }
    // The same depth, closed so that it parses as a message, is rejected.
    expect(() => checkMessageWire(lengthDelimited(4, nestedGroups(14, MAX_WIRE_DEPTH + 1)), DEFAULT_WIRE_LIMITS)).toThrow(/nesting deeper than/);
  });

  it("is iterative: a million nested groups end in a ProtoWireError, not a stack overflow", () => {
    const huge = lengthDelimited(4, nestedGroups(1, 1_000_000));
    expect(() => checkMessageWire(huge, DEFAULT_WIRE_LIMITS)).toThrow(ProtoWireError);
  });

  it("bounds total size", () => {
    expect(() => checkMessageWire(new Uint8Array(101), { maxBytes: 100, maxDepth: 4 })).toThrow(/101 bytes, over the 100-byte limit/);
  });
});

describe("query requests", () => {
  const ctx = { store: { get: () => undefined }, block: { chainId: "t", height: 1n, timeSeconds: 0n, beacon: new Uint8Array() } } as never;
  const router = new QueryRouter(appModules.flatMap((m) => m.queries), () => {
    throw new Error("no simulate here");
  });
  const query = (data: Uint8Array) => router.query(ctx, { path: "/cosmos.bank.v1beta1.Query/Balance", data, height: 0n, prove: false });

  it("a group or malformed request is an invalid request (code 18, InvalidArgument), not a panic", () => {
    const valid = QueryBalanceRequest.encode({ address: key.address, denom: "uogpu" }).finish();
    for (const data of [concat(valid, nestedGroups(3, 1)), concat(valid, nestedGroups(3, 20_000)), Uint8Array.from([0x0a, 0x05, 1])]) {
      const res = query(data);
      expect([res.codespace, res.code]).toEqual(["sdk", 18]);
      expect(res.log).toMatch(/^rpc error: code = InvalidArgument desc = invalid request: /);
    }
  });
});
