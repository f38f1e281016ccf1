import { moduleErrors } from "../../app/errors.js";

/** Codespace `slashing`, with the Cosmos SDK x/slashing numbers. */
export const slashingError = moduleErrors("slashing");
export const SlashingCode = {
  NoValidatorForAddress: 2,
  BadValidatorAddr: 3,
  ValidatorJailed: 4,
  ValidatorNotJailed: 5,
  MissingSelfDelegation: 6,
  SelfDelegationTooLowToUnjail: 7,
  NoSigningInfoFound: 8,
  ValidatorTombstoned: 9,
} as const;
