/**
 * What the pages need from a wallet, whichever kind holds the key (a local key kept encrypted in
 * this browser, or Keplr). Pages sign through this interface only, so a new wallet kind changes
 * no page. The implementations live beside this file (web/src/wallet/); the tx path
 * (account query, simulate, sign, broadcast through the node's LCD) in web/src/tx.ts.
 */
import type { EncodeObject, OfflineDirectSigner } from "@cosmjs/proto-signing";
import type { KemKeyPair } from "../../../crypto/kem";
import type { BlobSigner } from "../../../sdk/blobs";

export type WalletKind = "local" | "keplr";

export interface Wallet {
  readonly kind: WalletKind;
  /** bech32 account address (ogpu1…). */
  readonly address: string;
  /** Signs transactions (SIGN_MODE_DIRECT). */
  readonly signer: OfflineDirectSigner;
  /** Authorises blob uploads (sdk/blobs.ts: the node checks it before reading the body). */
  readonly blobSigner: BlobSigner;
  /** The client's encryption key (sdk/client-key.ts): seals task inputs, opens results. */
  encryptionKey(): Promise<KemKeyPair>;
}

/** A transaction the chain included: its hash, height and the events of its messages. */
export interface TxOutcome {
  txhash: string;
  height: bigint;
  code: number;
  rawLog: string;
  events: { type: string; attributes: { key: string; value: string }[] }[];
}

/** Signs `msgs` with the wallet, broadcasts through the node's REST API and waits for inclusion. */
export type SignAndBroadcast = (wallet: Wallet, msgs: EncodeObject[], memo?: string) => Promise<TxOutcome>;
