import { accountAddressString, moduleAddress, parseAccountAddress } from "./address.js";
import { AppError } from "./errors.js";

/**
 * Governance is the one authority over chain-wide changes: every module's MsgUpdateParams,
 * treasury spends and software-upgrade plans name it as `authority`, and x/gov executes a
 * passed proposal's messages with its module account as their only signer (as the SDK does).
 */
export const GOV_MODULE_NAME = "gov";

/** The gov module account's bech32 address, the `authority` field every gated Msg must carry. */
export function govAuthority(): string {
  return accountAddressString(moduleAddress(GOV_MODULE_NAME));
}

/** The SDK's x/gov ErrInvalidSigner (codespace gov, code 12), which its modules return for a wrong authority. */
export const INVALID_AUTHORITY_CODE = 12;

/**
 * Stateless check of an `authority` field (every gated Msg's validate): a malformed address is
 * the SDK's ErrInvalidAddress (sdk code 7), as its ValidateBasic reports it, whoever it names.
 */
export function validateAuthority(given: string): void {
  parseAccountAddress(given, "authority");
}

/**
 * Throws unless `given` is the gov authority; called by every authority-gated handler. A
 * malformed address is code 7 before the comparison, so it is never reported as a wrong signer.
 */
export function requireGovAuthority(given: string): void {
  validateAuthority(given);
  const expected = govAuthority();
  if (given !== expected) {
    throw new AppError(GOV_MODULE_NAME, INVALID_AUTHORITY_CODE, `invalid authority; expected ${expected}, got ${given}`);
  }
}
