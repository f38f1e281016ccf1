import { ACCOUNT_PREFIX, fromBech32, toBech32 } from "../crypto/bech32.js";
import { SdkCode, sdkError } from "./errors.js";

/**
 * Decodes an account address from a message field; a bad one is the SDK's code 7 with the
 * field named, e.g. "invalid from address: decoding bech32 failed: …".
 */
export function parseAccountAddress(text: string, field = "address"): Uint8Array {
  if (text === "") throw sdkError(SdkCode.InvalidAddress, `invalid ${field}: empty address string is not allowed`);
  try {
    return fromBech32(text, ACCOUNT_PREFIX);
  } catch (err) {
    throw sdkError(SdkCode.InvalidAddress, `invalid ${field}: ${(err as Error).message}`);
  }
}

export function accountAddressString(address: Uint8Array): string {
  return toBech32(ACCOUNT_PREFIX, address);
}
