import { describe, expect, it } from "vitest";
import { Secp256k1 } from "@cosmjs/crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "./hash.js";
import {
  SECP256K1_KEY_CACHE_LIMIT,
  secp256k1KeyCacheSize,
  secp256k1PublicKey,
  signSecp256k1,
  verifySecp256k1,
  verifySecp256k1Native,
  verifySecp256k1Noble,
  verifySecp256k1Node,
} from "./secp256k1.js";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const privkey = sha256(new TextEncoder().encode("ogpu test key"));
const pubkey = secp256k1PublicKey(privkey);
const msg = new TextEncoder().encode("sign doc bytes");
const sig = signSecp256k1(privkey, msg);

function toBytes32(n: bigint): Uint8Array {
  return Buffer.from(n.toString(16).padStart(64, "0"), "hex");
}

function withS(signature: Uint8Array, s: bigint): Uint8Array {
  const out = signature.slice();
  out.set(toBytes32(s), 32);
  return out;
}

const sValue = BigInt("0x" + Buffer.from(sig.subarray(32)).toString("hex"));
const highS = withS(sig, N - sValue);

const cases: Array<{ name: string; pubkey: Uint8Array; msg: Uint8Array; sig: Uint8Array; valid: boolean }> = [
  { name: "valid", pubkey, msg, sig, valid: true },
  { name: "high-S twin of a valid signature", pubkey, msg, sig: highS, valid: false },
  { name: "tampered message", pubkey, msg: new TextEncoder().encode("sign doc bytez"), sig, valid: false },
  { name: "tampered signature", pubkey, msg, sig: (() => { const s = sig.slice(); s[5] ^= 1; return s; })(), valid: false },
  { name: "other key", pubkey: secp256k1PublicKey(sha256(privkey)), msg, sig, valid: false },
  { name: "65-byte uncompressed pubkey", pubkey: secp256k1.getPublicKey(privkey, false), msg, sig, valid: false },
  { name: "32-byte pubkey", pubkey: pubkey.subarray(1), msg, sig, valid: false },
  { name: "bad pubkey prefix", pubkey: Uint8Array.from([0x04, ...pubkey.subarray(1)]), msg, sig, valid: false },
  { name: "x not on the curve", pubkey: Uint8Array.from([0x02, ...new Uint8Array(32).fill(0xff)]), msg, sig, valid: false },
  { name: "63-byte signature", pubkey, msg, sig: sig.subarray(0, 63), valid: false },
  { name: "65-byte signature", pubkey, msg, sig: Uint8Array.from([...sig, 1]), valid: false },
  { name: "r = 0", pubkey, msg, sig: Uint8Array.from([...new Uint8Array(32), ...sig.subarray(32)]), valid: false },
  { name: "s = 0", pubkey, msg, sig: withS(sig, 0n), valid: false },
  { name: "r = n (out of range)", pubkey, msg, sig: Uint8Array.from([...toBytes32(N), ...sig.subarray(32)]), valid: false },
  { name: "empty everything", pubkey: new Uint8Array(), msg: new Uint8Array(), sig: new Uint8Array(), valid: false },
];

describe("secp256k1", () => {
  it("loads the native libsecp256k1 verifier on this platform (linux-x64 prebuild)", () => {
    expect(verifySecp256k1Native).not.toBeNull();
    expect(verifySecp256k1).toBe(verifySecp256k1Native);
  });

  it("produces 33-byte compressed keys and 64-byte low-S signatures", () => {
    expect(pubkey.length).toBe(33);
    expect([0x02, 0x03]).toContain(pubkey[0]);
    expect(sig.length).toBe(64);
    expect(sValue <= N >> 1n).toBe(true);
  });

  it("signs deterministically and identically to cosmjs (RFC 6979 over sha256)", () => {
    expect(signSecp256k1(privkey, msg)).toEqual(sig);
    const cosmjs = Secp256k1.createSignature(sha256(msg), privkey);
    expect(Buffer.from(cosmjs.toFixedLength().subarray(0, 64))).toEqual(Buffer.from(sig));
  });

  it("the high-S case is otherwise a mathematically valid signature", () => {
    expect(secp256k1.verify(highS, sha256(msg), pubkey, { prehash: false, lowS: false })).toBe(true);
  });

  for (const c of cases) {
    it(`native, node and noble agree: ${c.name} → ${c.valid}`, () => {
      expect(verifySecp256k1Native?.(c.pubkey, c.msg, c.sig)).toBe(c.valid);
      expect(verifySecp256k1Node(c.pubkey, c.msg, c.sig)).toBe(c.valid);
      expect(verifySecp256k1Noble(c.pubkey, c.msg, c.sig)).toBe(c.valid);
      expect(verifySecp256k1(c.pubkey, c.msg, c.sig)).toBe(c.valid);
    });
  }

  it("accepts s exactly at floor(n/2) and rejects floor(n/2)+1 (Cosmos boundary)", () => {
    // Not valid signatures either way; what matters is that low-S never rejects before the
    // curve check for s = n/2 and always rejects for s = n/2 + 1 in both verifiers.
    const atHalf = withS(sig, N >> 1n);
    const aboveHalf = withS(sig, (N >> 1n) + 1n);
    expect(verifySecp256k1Node(pubkey, msg, atHalf)).toBe(verifySecp256k1Noble(pubkey, msg, atHalf));
    expect(verifySecp256k1Native?.(pubkey, msg, atHalf)).toBe(verifySecp256k1Noble(pubkey, msg, atHalf));
    expect(verifySecp256k1Native?.(pubkey, msg, aboveHalf)).toBe(false);
    expect(verifySecp256k1Node(pubkey, msg, aboveHalf)).toBe(false);
    expect(verifySecp256k1Noble(pubkey, msg, aboveHalf)).toBe(false);
  });

  it("agrees with noble on many random keys and messages", () => {
    for (let i = 0; i < 50; i++) {
      const sk = sha256(Uint8Array.of(i, 7));
      const pk = secp256k1PublicKey(sk);
      const m = sha256(Uint8Array.of(i));
      const s = signSecp256k1(sk, m);
      expect(verifySecp256k1Native?.(pk, m, s)).toBe(true);
      expect(verifySecp256k1Node(pk, m, s)).toBe(true);
      expect(verifySecp256k1Noble(pk, m, s)).toBe(true);
      expect(verifySecp256k1Node(pk, Uint8Array.of(i, 1), s)).toBe(false);
    }
  });

  it("never throws on non-Uint8Array garbage", () => {
    const junk = "junk" as unknown as Uint8Array;
    expect(verifySecp256k1Node(junk, msg, sig)).toBe(false);
    expect(verifySecp256k1Noble(pubkey, msg, junk)).toBe(false);
    expect(verifySecp256k1Native?.(pubkey, junk, sig)).toBe(false);
  });

  it("keeps the KeyObject cache bounded", () => {
    // Consecutive multiples of G are distinct valid keys and far cheaper than fresh scalars.
    // r = 0 passes our pre-checks (so a KeyObject is built) and OpenSSL rejects it at once.
    const cheapReject = Uint8Array.from([...new Uint8Array(32), ...sig.subarray(32)]);
    let point = secp256k1.Point.BASE;
    for (let i = 0; i < SECP256K1_KEY_CACHE_LIMIT + 20; i++) {
      point = point.add(secp256k1.Point.BASE);
      expect(verifySecp256k1Node(point.toBytes(true), msg, cheapReject)).toBe(false);
    }
    expect(secp256k1KeyCacheSize()).toBe(SECP256K1_KEY_CACHE_LIMIT);
  });
});
