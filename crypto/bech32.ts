import { bech32 } from "@scure/base";

export const ACCOUNT_PREFIX = "ogpu";
export const VALOPER_PREFIX = "ogpuvaloper";
export const VALCONS_PREFIX = "ogpuvalcons";

/**
 * BIP-173 caps strings at 90 chars, but Cosmos allows longer ones (32-byte module/ICA
 * addresses with long prefixes exceed it); 1023 is the limit the Go SDK's decoder uses.
 */
const MAX_LENGTH = 1023;

export function toBech32(prefix: string, bytes: Uint8Array): string {
  return bech32.encode(prefix, bech32.toWords(bytes), MAX_LENGTH);
}

/** Decodes and checks the prefix; throws an Error whose message names the address and problem. */
export function fromBech32(address: string, expectedPrefix: string): Uint8Array {
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32.decode(address, MAX_LENGTH);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`invalid bech32 address '${address}': ${reason}`);
  }
  if (decoded.prefix !== expectedPrefix) {
    throw new Error(`invalid bech32 address '${address}': expected prefix '${expectedPrefix}', got '${decoded.prefix}'`);
  }
  try {
    return bech32.fromWords(decoded.words);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`invalid bech32 address '${address}': ${reason}`);
  }
}

/** Boolean form of {@link fromBech32} for validation paths that map failure to an error code. */
export function isBech32(address: string, expectedPrefix: string): boolean {
  try {
    fromBech32(address, expectedPrefix);
    return true;
  } catch {
    return false;
  }
}
