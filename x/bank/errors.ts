import { moduleErrors } from "../../app/errors.js";

/** Codespace `bank`: our own rules beyond the SDK's sdk-codespace errors. */
export const bankError = moduleErrors("bank");
export const BankCode = {
  SendDisabled: 5,
  MaxWalletExceeded: 100,
  SupplyCapExceeded: 101,
  BlockedRecipient: 102,
} as const;
