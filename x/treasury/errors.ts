import { moduleErrors } from "../../app/errors.js";

/** Codespace `treasury`: spend errors a proposal's execution reports. */
export const treasuryError = moduleErrors("treasury");
export const TreasuryCode = {
  /** MsgSpend amount empty, several coins, or a denom the treasury does not hold (malformed coins are the SDK's code 10). */
  InvalidAmount: 2,
  /** MsgSpend recipient is a module account (module accounts receive only through their module's logic). */
  InvalidRecipient: 3,
} as const;
