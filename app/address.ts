import { ACCOUNT_PREFIX, fromBech32, toBech32 } from "../crypto/bech32.js";
import { invalidArgument, SdkCode, sdkError } from "./errors.js";

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

/** An address in a query request: a bad one is gRPC InvalidArgument, as the SDK reports it. */
export function parseQueryAddress(text: string): Uint8Array {
  if (text === "") throw invalidArgument("address cannot be empty");
  try {
    return parseAccountAddress(text);
  } catch (err) {
    throw invalidArgument((err as Error).message);
  }
}
