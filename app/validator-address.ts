import type { Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { PubKey as Ed25519PubKeyProto } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { sha256 } from "../crypto/hash.js";
import { toBech32, VALCONS_PREFIX, VALOPER_PREFIX } from "../crypto/bech32.js";
import { parseBech32Address } from "./address.js";

/**
 * Validator address codecs (operator "ogpuvaloper…", consensus "ogpuvalcons…"). Shared by
 * x/staking, the modules that refer to validators, the CLI and the REST server.
 */
export const ED25519_PUBKEY_TYPE_URL = "/cosmos.crypto.ed25519.PubKey";

export const valoperString = (operator: Uint8Array) => toBech32(VALOPER_PREFIX, operator);
export const valconsString = (cons: Uint8Array) => toBech32(VALCONS_PREFIX, cons);

export const parseValoper = (text: string, field = "validator address"): Uint8Array => parseBech32Address(text, VALOPER_PREFIX, field);

/** CometBFT's validator address: sha256(ed25519 pubkey)[:20]. */
export function consAddressOf(ed25519Key: Uint8Array): Uint8Array {
  return sha256(ed25519Key).subarray(0, 20);
}

export function consensusKeyOf(v: Validator): Uint8Array {
  if (!v.consensusPubkey) throw new Error(`validator ${v.operatorAddress} has no consensus key`);
  return Ed25519PubKeyProto.decode(v.consensusPubkey.value).key;
}
