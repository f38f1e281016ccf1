import { MsgCreateValidator } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { PubKey as Ed25519PubKeyProto } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { accountAddressString } from "../../app/address.js";
import { ED25519_PUBKEY_TYPE_URL, valoperString } from "../../app/validator-address.js";

export interface CreateValidatorParams {
  /** Operator account address bytes (the key that signs). */
  operator: Uint8Array;
  /** 32-byte ed25519 consensus public key (priv_validator_key.json). */
  consensusKey: Uint8Array;
  /** Self-delegation in uogpu. */
  amount: bigint;
  moniker: string;
  /** Cosmos Dec atomics (18 decimals) as strings, as they go on the wire. */
  commissionRate: string;
  commissionMaxRate: string;
  commissionMaxChangeRate: string;
  minSelfDelegation: bigint;
  denom?: string;
}

export function createValidatorMsg(p: CreateValidatorParams): Any {
  const msg = MsgCreateValidator.fromPartial({
    description: { moniker: p.moniker, identity: "", website: "", securityContact: "", details: "" },
    commission: { rate: p.commissionRate, maxRate: p.commissionMaxRate, maxChangeRate: p.commissionMaxChangeRate },
    minSelfDelegation: p.minSelfDelegation.toString(),
    delegatorAddress: accountAddressString(p.operator),
    validatorAddress: valoperString(p.operator),
    pubkey: { typeUrl: ED25519_PUBKEY_TYPE_URL, value: Ed25519PubKeyProto.encode({ key: p.consensusKey }).finish() },
    value: { denom: p.denom ?? "uogpu", amount: p.amount.toString() },
  });
  return { typeUrl: "/cosmos.staking.v1beta1.MsgCreateValidator", value: MsgCreateValidator.encode(msg).finish() };
}

/** Gas limit of a gentx; genesis txs pay no fee (there is no fee market before block 1). */
export const GENTX_GAS = 200_000n;

/**
 * A signed genesis tx: SIGN_MODE_DIRECT over SignDoc{account_number 0, sequence 0}, the
 * numbers the SDK uses for txs executed at genesis.
 */
export async function signGentx(
  messages: Any[],
  signerPubKey: Any,
  chainId: string,
  sign: (signBytes: Uint8Array) => Promise<Uint8Array>,
  memo = "",
): Promise<Uint8Array> {
  const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages, memo })).finish();
  const authInfoBytes = AuthInfo.encode(
    AuthInfo.fromPartial({
      signerInfos: [{ publicKey: signerPubKey, modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } }, sequence: 0n }],
      fee: { amount: [], gasLimit: GENTX_GAS },
    }),
  ).finish();
  const signBytes = SignDoc.encode({ bodyBytes, authInfoBytes, chainId, accountNumber: 0n }).finish();
  return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [await sign(signBytes)] }).finish();
}
