/**
 * Hand-built protobuf wire bytes for attack tests: nested groups and deep nesting that a
 * schema-driven encoder would never produce. Every tx here is validly signed (SIGN_MODE_DIRECT
 * over the raw body/auth-info bytes), so only decoding can stop it.
 */
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { signSecp256k1 } from "../../crypto/secp256k1.js";
import { TEST_CHAIN_ID, type TestKey } from "../../app/testkit.js";
import { wireTag as tag, wireVarint as varint } from "../../app/proto-guard.js";

export const WIRE = { varint: 0, fixed64: 1, bytes: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

/** Varints and field keys come from the one wire-format helper (app/proto-guard.ts). */
export { tag, varint };

export function lengthDelimited(field: number, payload: Uint8Array | number[]): Uint8Array {
  return Uint8Array.from([...tag(field, WIRE.bytes), ...varint(payload.length), ...payload]);
}

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

/** `depth` group starts then as many ends, all under field `field` (2 bytes/level for field ≤ 15). */
export function nestedGroups(field: number, depth: number): Uint8Array {
  const start = tag(field, WIRE.startGroup);
  const end = tag(field, WIRE.endGroup);
  const out = new Uint8Array(depth * (start.length + end.length));
  for (let i = 0; i < depth; i++) out.set(start, i * start.length);
  for (let i = 0; i < depth; i++) out.set(end, depth * start.length + i * end.length);
  return out;
}

/**
 * A ModeInfo nested `depth` times through the known recursive path
 * ModeInfo.multi(2) → Multi.mode_infos(2) → ModeInfo…, innermost a plain `single`.
 */
export function nestedModeInfo(depth: number): Uint8Array {
  let modeInfo = lengthDelimited(1, [...tag(1, WIRE.varint), SignMode.SIGN_MODE_DIRECT]);
  for (let i = 0; i < depth; i++) modeInfo = lengthDelimited(2, lengthDelimited(2, modeInfo));
  return modeInfo;
}

export function sendAny(from: string, to: string, amount = "1", trailer?: Uint8Array): Any {
  const msg = MsgSend.encode({ fromAddress: from, toAddress: to, amount: [{ denom: "uogpu", amount }] }).finish();
  return { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: trailer ? concat(msg, trailer) : msg };
}

export interface RawTxParts {
  key: TestKey;
  accountNumber: bigint;
  sequence: bigint;
  messages: Any[];
  /** Bytes appended to the encoded TxBody (unknown or hand-made fields). */
  bodyTrailer?: Uint8Array;
  /** Replaces the signer's ModeInfo bytes. */
  modeInfo?: Uint8Array;
  /** Bytes appended to the encoded AuthInfo. */
  authInfoTrailer?: Uint8Array;
}

/** Signs whatever body/auth-info bytes the parts describe, exactly as a wallet would. */
export function signRawTx(p: RawTxParts): Uint8Array {
  const body = TxBody.encode(TxBody.fromPartial({ messages: p.messages })).finish();
  const bodyBytes = p.bodyTrailer ? concat(body, p.bodyTrailer) : body;
  const fee = AuthInfo.encode(AuthInfo.fromPartial({ fee: { amount: [{ denom: "uogpu", amount: "500" }], gasLimit: 200_000n } })).finish();
  const modeInfo = p.modeInfo ?? lengthDelimited(1, [...tag(1, WIRE.varint), SignMode.SIGN_MODE_DIRECT]);
  const signerInfo = concat(lengthDelimited(1, concat(lengthDelimited(1, [...new TextEncoder().encode(p.key.pubKey.typeUrl)]), lengthDelimited(2, p.key.pubKey.value))), lengthDelimited(2, modeInfo), tag(3, WIRE.varint), varint(Number(p.sequence)));
  const authInfoBytes = concat(lengthDelimited(1, signerInfo), fee, p.authInfoTrailer ?? []);
  const signDoc = SignDoc.encode({ bodyBytes, authInfoBytes, chainId: TEST_CHAIN_ID, accountNumber: p.accountNumber }).finish();
  return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [signSecp256k1(p.key.privateKey, signDoc)] }).finish();
}
