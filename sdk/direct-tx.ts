/**
 * SIGN_MODE_DIRECT transactions for any account key x/auth accepts. cosmjs' signing client only
 * encodes secp256k1 pubkeys into AuthInfo, so ML-DSA-65 keys (post-quantum accounts, workers and
 * auditors) sign here: the same TxBody / AuthInfo / SignDoc bytes as cosmjs makes, the signature
 * from the key's own algorithm (crypto/pubkey.ts signWithKey). Used by `ogpud tx` for ML-DSA keys
 * and by the worker and auditor for every key.
 */
import { makeAuthInfoBytes, makeSignBytes, makeSignDoc, type EncodeObject, type Registry } from "@cosmjs/proto-signing";
import { BroadcastTxError, type StdFee } from "@cosmjs/stargate";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { SdkCode } from "../app/errors.js";
import { encodePubKeyAny, type PubKey } from "../crypto/pubkey.js";
import type { AbciQuerier } from "./queries.js";

/** An account key that signs raw sign bytes (a keyring key, a worker's key). */
export interface AccountKey {
  /** bech32 account address (ogpu1…). */
  address: string;
  pubkey: PubKey;
  sign(signBytes: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** Account number, sequence and chain id: everything a SignDoc binds besides the tx itself. */
export interface SignerData {
  accountNumber: bigint;
  sequence: bigint;
  chainId: string;
}

/** Signs `messages` with `key` and returns TxRaw bytes ready to broadcast. */
export async function signDirectTx(registry: Registry, key: Pick<AccountKey, "pubkey" | "sign">, messages: readonly EncodeObject[], fee: StdFee, memo: string, data: SignerData): Promise<Uint8Array> {
  return TxRaw.encode(await signDirectBody(key, registry.encodeTxBody({ messages: [...messages], memo }), fee, data)).finish();
}

/**
 * Signs an already encoded TxBody (offline signing of a tx read from a file keeps its body
 * bytes exactly): AuthInfo with this key's pubkey, sequence and the fee, then the SignDoc.
 */
export async function signDirectBody(key: Pick<AccountKey, "pubkey" | "sign">, bodyBytes: Uint8Array, fee: StdFee, data: SignerData): Promise<TxRaw> {
  const signerInfo = [{ pubkey: encodePubKeyAny(key.pubkey), sequence: data.sequence }];
  const authInfoBytes = makeAuthInfoBytes(signerInfo, fee.amount, Number(fee.gas), fee.granter, fee.payer, SignMode.SIGN_MODE_DIRECT);
  const signature = await key.sign(makeSignBytes(makeSignDoc(bodyBytes, authInfoBytes, data.chainId, data.accountNumber)));
  return { bodyBytes, authInfoBytes, signatures: [signature] };
}

/** SDK error code 22 / gRPC NotFound: the address has never received funds. */
const KEY_NOT_FOUND_CODE = 22;

/**
 * An account's number and sequence; undefined when the chain has none. Read without cosmjs'
 * accountFromAny, which rejects pubkey types it does not know (ML-DSA-65 once the key has signed).
 */
export async function accountSequence(rpc: AbciQuerier, address: string): Promise<{ accountNumber: bigint; sequence: bigint } | undefined> {
  const path = "/cosmos.auth.v1beta1.Query/Account";
  const answer = await rpc.abciQuery({ path, data: QueryAccountRequest.encode({ address }).finish() });
  if (answer.code) {
    if (answer.code === KEY_NOT_FOUND_CODE || /NotFound/.test(answer.log ?? "")) return undefined;
    throw new Error(`${path} ${address}: ${answer.log ?? `code ${answer.code}`}`);
  }
  const any = QueryAccountResponse.decode(answer.value).account;
  if (any?.typeUrl !== "/cosmos.auth.v1beta1.BaseAccount") return undefined;
  const base = BaseAccount.decode(any.value);
  return { accountNumber: base.accountNumber, sequence: base.sequence };
}

/** CheckTx refused a tx for its account sequence (sdk code 32): another tx of the key took it, or the account read trailed the mempool. */
export function isWrongSequence(err: unknown): err is BroadcastTxError {
  return err instanceof BroadcastTxError && err.codespace === "sdk" && err.code === SdkCode.WrongSequence;
}
