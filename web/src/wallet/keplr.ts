/**
 * The Keplr wallet: the chain suggested from the node's own chain-info
 * (GET /ogpu/chain-info/v1/keplr, what `ogpud chain-info` prints), then enable and Keplr's
 * direct signer. Keplr signs raw bytes only as ADR-036 arbitrary data, so blob uploads use the
 * node's "adr036" signature form (sdk/blobs.ts), and the encryption key is derived from a
 * signature of a fixed, chain- and account-bound text (sdk/client-key.ts; trade-offs in docs/web.md).
 */
import { fromBase64 } from "@cosmjs/encoding";
import { adr036SignBytes, clientEncryptionKeyFromSignature, encryptionKeySigningText, verifySecp256k1Noble, type KemKeyPair } from "../../../sdk/browser";
import { getJson } from "../api";
import type { KeplrExtension } from "./keplr-extension";
import type { Wallet } from "./types";

export { keplrExtension, type KeplrExtension } from "./keplr-extension";

export const KEPLR_CHAIN_INFO_PATH = "/ogpu/chain-info/v1/keplr";

/** Keplr's ADR-036 signature of `data` by `address`, checked against the account key. */
async function signArbitrary(keplr: KeplrExtension, chainId: string, address: string, pubkey: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const { signature } = await keplr.signArbitrary(chainId, address, data);
  const bytes = fromBase64(signature);
  if (!verifySecp256k1Noble(pubkey, adr036SignBytes(address, data), bytes)) throw new Error(`Keplr returned a signature that is not ${address}'s over the requested data`);
  return bytes;
}

/** Suggests the node's chain to Keplr, enables it and wraps its signer as a Wallet. */
export async function connectKeplr(keplr: KeplrExtension): Promise<Wallet> {
  const chainInfo = await getJson<{ chainId: string }>(KEPLR_CHAIN_INFO_PATH);
  await keplr.experimentalSuggestChain(chainInfo);
  await keplr.enable(chainInfo.chainId);
  const signer = keplr.getOfflineSigner(chainInfo.chainId);
  const [account] = await signer.getAccounts();
  if (account === undefined) throw new Error(`Keplr has no account for ${chainInfo.chainId}`);
  if (account.algo !== "secp256k1") throw new Error(`Keplr's account uses ${account.algo}; oGPU accounts in Keplr are secp256k1`);
  const { address, pubkey } = account;
  let encryption: Promise<KemKeyPair> | undefined;
  return {
    kind: "keplr",
    address,
    signer,
    blobSigner: { account: address, pubkey, form: "adr036", sign: (claim) => signArbitrary(keplr, chainInfo.chainId, address, pubkey, claim) },
    encryptionKey: () => {
      const text = new TextEncoder().encode(encryptionKeySigningText(chainInfo.chainId, address));
      encryption ??= signArbitrary(keplr, chainInfo.chainId, address, pubkey, text).then(clientEncryptionKeyFromSignature);
      // A declined request may be asked again later.
      encryption.catch(() => (encryption = undefined));
      return encryption;
    },
  };
}
