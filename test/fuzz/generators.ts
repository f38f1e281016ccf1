/**
 * fast-check generators shared by the issue-10 fuzz suites (test/fuzz/*.test.ts): protobuf
 * wire shapes, byte mutations, and signed txs carrying every registered Msg type. Every suite
 * runs with a fixed seed (fast-check prints seed and path of a failing case, so CI failures
 * replay exactly with `fc.assert(…, { seed, path })`).
 */
import fc from "fast-check";
import { toBech32 } from "@cosmjs/encoding";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { RegisteredMsg } from "../../app/module.js";
import { createAppWiring } from "../../app/modules.js";
import { signTx, type TestKey } from "../../app/testkit.js";
import { nestedGroups, tag, varint, WIRE } from "../support/adversarial-proto.js";

/** Byte concatenation without per-byte arrays (generated values reach 100 KB). */
function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const lengthDelimited = (field: number, payload: Uint8Array): Uint8Array => concat(tag(field, WIRE.bytes), varint(payload.length), payload);

/** Seed of every fuzz suite; change it to explore, never to make a failure go away. */
export const FUZZ_SEED = 0x0f22;

/** fc.assert parameters: fixed seed, `numRuns` cases. */
export const fuzzRuns = (numRuns: number, seedOffset = 0): fc.Parameters<unknown> => ({ seed: FUZZ_SEED + seedOffset, numRuns });

/** Every Msg type the app registers, from the module wiring (never a hand-kept list). */
export const registeredMsgs: readonly RegisteredMsg[] = createAppWiring().modules.flatMap((m) => m.msgs);

const encoder = new TextEncoder();

/** `key`'s operator (validator) address. */
export const valoperAddress = (key: TestKey): string => toBech32("ogpuvaloper", key.addressBytes);

/** Strings that exercise validation: real and broken addresses, amounts, denoms, oversize text. */
export function stringPool(key: TestKey): fc.Arbitrary<string> {
  const valoper = valoperAddress(key);
  const oversize = fc.constantFrom(129, 257, 1_025, 4_097, 65_537).map((n) => "x".repeat(n));
  const ordinary = fc.oneof(
    fc.constantFrom(
      key.address,
      key.address.toUpperCase(),
      valoper,
      toBech32("ogpu", new Uint8Array(0)),
      toBech32("ogpu", new Uint8Array(100).fill(7), 256),
      toBech32("cosmos", key.addressBytes),
      "uogpu",
      "1",
      "100",
      "0",
      "-5",
      "1.5",
      "1e9",
      "340282366920938463463374607431768211456",
      "H100",
      "",
    ),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 12 }),
  );
  return fc.oneof({ arbitrary: ordinary, weight: 15 }, { arbitrary: oversize, weight: 1 });
}

/**
 * A protobuf message of arbitrary shape: fields 1–12 with varint, fixed, string or nested
 * message payloads (nesting ≤ 3). Decoders see well-formed wire data with fields of any type,
 * which is what a "structurally valid" value of an unknown schema looks like.
 */
export function wireMessage(strings: fc.Arbitrary<string>): fc.Arbitrary<Uint8Array> {
  const { message } = fc.letrec<{ message: Uint8Array; field: Uint8Array }>((tie) => ({
    message: fc.array(tie("field"), { maxLength: 6, depthIdentifier: "wire" }).map((fields) => concat(...fields)),
    field: fc.oneof(
      { depthIdentifier: "wire", maxDepth: 3 },
      fc.tuple(fc.integer({ min: 1, max: 12 }), strings).map(([n, s]) => lengthDelimited(n, encoder.encode(s))),
      fc.tuple(fc.integer({ min: 1, max: 12 }), fc.nat()).map(([n, v]) => concat(tag(n, WIRE.varint), varint(v))),
      fc.tuple(fc.integer({ min: 1, max: 12 }), fc.uint8Array({ minLength: 8, maxLength: 8 })).map(([n, b]) => concat(tag(n, WIRE.fixed64), b)),
      fc.tuple(fc.integer({ min: 1, max: 12 }), tie("message")).map(([n, m]) => lengthDelimited(n, m)),
    ),
  }));
  return message;
}

/** One byte-level mutation: flip, truncate, insert, delete, stray field, groups, rewrap, noise. */
const mutation: fc.Arbitrary<(b: Uint8Array) => Uint8Array> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([at, bit]) => (b: Uint8Array) => {
    const c = b.slice();
    if (c.length > 0) c[at % c.length]! ^= 1 << bit;
    return c;
  }),
  fc.nat().map((at) => (b: Uint8Array) => b.slice(0, at % (b.length + 1))),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, ins]) => (b: Uint8Array) => {
    const i = at % (b.length + 1);
    return concat(b.subarray(0, i), ins, b.subarray(i));
  }),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 8 })).map(([at, n]) => (b: Uint8Array) => {
    const i = at % (b.length + 1);
    return concat(b.subarray(0, i), b.subarray(Math.min(b.length, i + n)));
  }),
  fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 7 }), fc.nat({ max: 300 })).map(([n, w, v]) => (b: Uint8Array) => concat(b, tag(n, w), varint(v))),
  fc.tuple(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 5000 })).map(([n, depth]) => (b: Uint8Array) => concat(b, nestedGroups(n, depth))),
  fc.integer({ min: 1, max: 4 }).map((n) => (b: Uint8Array) => lengthDelimited(n, b)),
  fc.uint8Array({ maxLength: 200 }).map((noise) => () => noise),
);

/** `base` after 1–3 mutations. */
export function mutated(base: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((ms) => ms.reduce((b, m) => m(b), base));
}

/**
 * Where a Msg type keeps its signer, found by asking the type itself: the field that, holding
 * `key`'s account or operator address, makes `signers()` return exactly that address.
 */
export function signerField(msg: RegisteredMsg, key: TestKey): { field: number; address: string } | undefined {
  for (const address of [key.address, valoperAddress(key)]) {
    for (let field = 1; field <= 12; field++) {
      try {
        const signers = msg.decode(lengthDelimited(field, encoder.encode(address))).signers();
        if (signers.length === 1 && signers[0] !== undefined && [key.address, address].includes(signers[0])) return { field, address };
      } catch {
        // Wrong wire type for this field: keep probing.
      }
    }
  }
  return undefined;
}

/**
 * A value for one registered Msg type: its signer field holds `key`'s address (so the signature
 * checks pass and validation and handlers are reached) followed by fields of arbitrary shape,
 * or the same mutated at the byte level.
 */
export function msgAny(key: TestKey): fc.Arbitrary<Any> {
  const strings = stringPool(key);
  const signerTags = new Map(registeredMsgs.map((m) => [m.typeUrl, signerField(m, key)]));
  return fc.tuple(fc.constantFrom(...registeredMsgs), wireMessage(strings), fc.boolean()).chain(([msg, body, flip]) => {
    const signer = signerTags.get(msg.typeUrl);
    const value = signer === undefined ? body : concat(lengthDelimited(signer.field, encoder.encode(signer.address)), body);
    return (flip ? mutated(value) : fc.constant(value)).map((v) => ({ typeUrl: msg.typeUrl, value: v }));
  });
}

/** Signed txs of 1–3 generated msgs (fees and gas varied); a quarter mutated after signing. */
export function signedMsgTx(key: TestKey, accountNumber: bigint, sequence = 0n): fc.Arbitrary<Uint8Array> {
  const tx = fc
    .record({
      msgs: fc.array(msgAny(key), { minLength: 1, maxLength: 3 }),
      fee: fc.constantFrom("200", "0", "1000000"),
      gas: fc.constantFrom(200_000n, 5_000_000n, 1n),
      memo: fc.constantFrom("", "fuzz", "m".repeat(300)),
    })
    .map(({ msgs, fee, gas, memo }) => signTx(key, msgs, { accountNumber, sequence, fee: [{ denom: "uogpu", amount: fee }], gas, memo }));
  return fc.oneof({ arbitrary: tx, weight: 3 }, { arbitrary: tx.chain(mutated), weight: 1 });
}
