/**
 * The types an `Any` may carry in what the LCD renders, by type URL: accounts and public keys
 * (queries), gov proposal contents, and — for the tx service — the tx itself, every Msg the
 * chain accepts and every Msg response (simulate's msg_responses). Cosmos types come from the
 * cosmjs-types modules of the SDK modules the chain implements (each codec carries its own
 * type URL), oGPU's from proto/msg-types.ts, so no type URL is spelled twice.
 */
import { BaseAccount, ModuleAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { GenericAuthorization } from "cosmjs-types/cosmos/authz/v1beta1/authz";
import * as authzTx from "cosmjs-types/cosmos/authz/v1beta1/tx";
import * as bankTx from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { PubKey as Secp256k1PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import * as distributionTx from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import * as govV1Tx from "cosmjs-types/cosmos/gov/v1/tx";
import { TextProposal } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import * as govV1beta1Tx from "cosmjs-types/cosmos/gov/v1beta1/tx";
import * as slashingTx from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import * as stakingTx from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { Tx } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import * as upgradeTx from "cosmjs-types/cosmos/upgrade/v1beta1/tx";
import { MLDSA65PubKey } from "../proto/gen/ogpu/crypto/v1/keys.js";
import { SubmitTaskAuthorization } from "../proto/gen/ogpu/authz/v1/authz.js";
import { DeclineReason, VerificationClass } from "../proto/gen/ogpu/market/v1/market.js";
import { OGPU_MSG_TYPES, SUBMIT_TASK_AUTHORIZATION_TYPE_URL } from "../proto/msg-types.js";
import type { MessageCodec, RenderHints } from "./lcd-json.js";

export const PUBKEY_TYPE_URLS = {
  secp256k1: "/cosmos.crypto.secp256k1.PubKey",
  ed25519: "/cosmos.crypto.ed25519.PubKey",
  mldsa65: "/ogpu.crypto.v1.MLDSA65PubKey",
} as const;
export const BASE_ACCOUNT_TYPE_URL = "/cosmos.auth.v1beta1.BaseAccount";
export const MODULE_ACCOUNT_TYPE_URL = "/cosmos.auth.v1beta1.ModuleAccount";

export interface AnyPayload {
  readonly codec: MessageCodec<object>;
  readonly hints?: RenderHints;
}

/** A cosmjs-types codec: it names its own type URL. */
interface SelfNamedCodec extends MessageCodec<object> {
  readonly typeUrl: string;
}

function isSelfNamedCodec(value: unknown): value is SelfNamedCodec {
  return typeof value === "object" && value !== null && typeof (value as { typeUrl?: unknown }).typeUrl === "string" && typeof (value as { decode?: unknown }).decode === "function";
}

/** Every message (and response) codec a cosmjs-types module exports, by type URL. */
function cosmosModule(module: Record<string, unknown>, hints?: RenderHints): [string, AnyPayload][] {
  return Object.values(module)
    .filter(isSelfNamedCodec)
    .map((codec): [string, AnyPayload] => [codec.typeUrl, { codec, ...(hints ? { hints } : {}) }]);
}

/** LegacyDec fields of the staking and gov Msgs (commission rates, vote weights). */
const STAKING_MSG_HINTS: RenderHints = { decimals: ["rate", "max_rate", "max_change_rate", "commission_rate"] };
const GOV_MSG_HINTS: RenderHints = { decimals: ["weight"] };
/** Our ts-proto codecs have no toJSON: their enums are named here. */
const OGPU_MSG_HINTS: RenderHints = { enums: { verification: VerificationClass, reason: DeclineReason } };

const ANY_PAYLOADS: ReadonlyMap<string, AnyPayload> = new Map<string, AnyPayload>([
  [PUBKEY_TYPE_URLS.secp256k1, { codec: Secp256k1PubKey }],
  [PUBKEY_TYPE_URLS.ed25519, { codec: Ed25519PubKey }],
  [PUBKEY_TYPE_URLS.mldsa65, { codec: MLDSA65PubKey }],
  [BASE_ACCOUNT_TYPE_URL, { codec: BaseAccount }],
  [MODULE_ACCOUNT_TYPE_URL, { codec: ModuleAccount }],
  ["/cosmos.gov.v1beta1.TextProposal", { codec: TextProposal }],
  ["/cosmos.tx.v1beta1.Tx", { codec: Tx }],
  // x/authz's authorizations (grants in queries and MsgGrant) and its Msgs.
  [GenericAuthorization.typeUrl, { codec: GenericAuthorization }],
  [SUBMIT_TASK_AUTHORIZATION_TYPE_URL, { codec: SubmitTaskAuthorization }],
  ...cosmosModule(authzTx),
  ...cosmosModule(bankTx),
  ...cosmosModule(distributionTx),
  ...cosmosModule(govV1Tx, GOV_MSG_HINTS),
  ...cosmosModule(govV1beta1Tx, GOV_MSG_HINTS),
  ...cosmosModule(slashingTx),
  ...cosmosModule(stakingTx, STAKING_MSG_HINTS),
  ...cosmosModule(upgradeTx),
  // oGPU's own Msgs and their responses (every module's MsgUpdateParams among them).
  ...Object.values(OGPU_MSG_TYPES).flatMap((t): [string, AnyPayload][] => [
    [t.typeUrl, { codec: t.codec as MessageCodec<object>, hints: OGPU_MSG_HINTS }],
    [t.responseTypeUrl, { codec: t.response as MessageCodec<object>, hints: OGPU_MSG_HINTS }],
  ]),
]);

/** The payload for a type URL, or undefined when this node cannot render it. */
export function anyPayload(typeUrl: string): AnyPayload | undefined {
  return ANY_PAYLOADS.get(typeUrl);
}
