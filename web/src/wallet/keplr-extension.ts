/**
 * Whether the Keplr extension is there (window.keplr), apart from keplr.ts: the wallet panel
 * asks on every page, while connecting (cosmjs, the SDK's crypto) is fetched only on a click.
 */
import type { OfflineDirectSigner } from "@cosmjs/proto-signing";

/** The part of the extension's window.keplr this wallet uses (see @keplr-wallet/types). */
export interface KeplrExtension {
  experimentalSuggestChain(chainInfo: object): Promise<void>;
  enable(chainId: string): Promise<void>;
  getOfflineSigner(chainId: string): OfflineDirectSigner;
  signArbitrary(chainId: string, signer: string, data: string | Uint8Array): Promise<{ signature: string; pub_key: { type: string; value: string } }>;
}

declare global {
  interface Window {
    keplr?: KeplrExtension;
  }
}

/** window.keplr when the extension (or anything speaking its API) is installed. */
export function keplrExtension(): KeplrExtension | undefined {
  return typeof window === "undefined" ? undefined : window.keplr;
}
