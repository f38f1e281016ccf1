import { describe, expect, it } from "vitest";
import { pubkeyToAddress } from "@cosmjs/amino";
import { toBase64 } from "@cosmjs/encoding";
import { PubKey as PubKeyProto } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { toBech32 } from "./bech32.js";
import { sha256 } from "./hash.js";
import { mlDsa65KeyPair, signMlDsa65 } from "./mldsa65.js";
import {
  addressOf,
  decodePubKeyAny,
  encodePubKeyAny,
  MLDSA65_PUBKEY_TYPE_URL,
  SECP256K1_PUBKEY_TYPE_URL,
  sigVerifyGas,
  verifySignature,
  type PubKey,
} from "./pubkey.js";
import { secp256k1PublicKey, signSecp256k1 } from "./secp256k1.js";

const secpPriv = sha256(new TextEncoder().encode("pubkey test"));
const secp: PubKey = { typeUrl: SECP256K1_PUBKEY_TYPE_URL, key: secp256k1PublicKey(secpPriv) };
const pq = mlDsa65KeyPair(new Uint8Array(32).fill(1));
const mldsa: PubKey = { typeUrl: MLDSA65_PUBKEY_TYPE_URL, key: pq.publicKey };
const msg = new TextEncoder().encode("doc");

describe("pubkey", () => {
  it("round-trips both key types through Any", () => {
    for (const pk of [secp, mldsa]) {
      const any = encodePubKeyAny(pk);
      expect(any.typeUrl).toBe(pk.typeUrl);
      expect(decodePubKeyAny(any)).toEqual(pk);
    }
  });

  it("encodes secp256k1 exactly like cosmjs-types", () => {
    expect(encodePubKeyAny(secp).value).toEqual(PubKeyProto.encode({ key: secp.key }).finish());
  });

  it("rejects unknown types, wrong lengths and bad protobuf", () => {
    expect(() => decodePubKeyAny({ typeUrl: "/cosmos.crypto.ed25519.PubKey", value: new Uint8Array() })).toThrow(/unsupported pubkey type/);
    const short = PubKeyProto.encode({ key: secp.key.subarray(1) }).finish();
    expect(() => decodePubKeyAny({ typeUrl: SECP256K1_PUBKEY_TYPE_URL, value: short })).toThrow(/must be 33 bytes, got 32/);
    expect(() => decodePubKeyAny({ typeUrl: MLDSA65_PUBKEY_TYPE_URL, value: PubKeyProto.encode({ key: secp.key }).finish() })).toThrow(/1952/);
    expect(() => decodePubKeyAny({ typeUrl: SECP256K1_PUBKEY_TYPE_URL, value: Uint8Array.of(0x0a, 0x21, 1) })).toThrow(/malformed/);
  });

  it("derives secp256k1 addresses exactly like cosmjs", () => {
    const cosmjs = pubkeyToAddress({ type: "tendermint/PubKeySecp256k1", value: toBase64(secp.key) }, "ogpu");
    expect(toBech32("ogpu", addressOf(secp))).toBe(cosmjs);
  });

  it("derives ML-DSA-65 addresses as sha256(key)[0:20]", () => {
    expect(addressOf(mldsa)).toEqual(sha256(mldsa.key).subarray(0, 20));
    expect(addressOf(mldsa).length).toBe(20);
  });

  it("dispatches verification on the key type", () => {
    expect(verifySignature(secp, msg, signSecp256k1(secpPriv, msg))).toBe(true);
    expect(verifySignature(mldsa, msg, signMlDsa65(pq.secretKey, msg))).toBe(true);
    expect(verifySignature(mldsa, msg, signSecp256k1(secpPriv, msg))).toBe(false);
    expect(verifySignature(secp, msg, signMlDsa65(pq.secretKey, msg))).toBe(false);
    expect(verifySignature({ typeUrl: "/x" as typeof SECP256K1_PUBKEY_TYPE_URL, key: secp.key }, msg, new Uint8Array(64))).toBe(false);
  });

  it("charges 1000 gas per secp256k1 signature and more for ML-DSA-65", () => {
    expect(sigVerifyGas(secp)).toBe(1000n);
    expect(sigVerifyGas(mldsa)).toBeGreaterThan(1000n);
  });
});
