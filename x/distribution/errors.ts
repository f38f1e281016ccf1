import { moduleErrors } from "../../app/errors.js";

/** Codespace `distribution`, with the Cosmos SDK x/distribution numbers. */
export const distributionError = moduleErrors("distribution");
export const DistributionCode = {
  NoValidatorCommission: 7,
  NoValidatorExists: 12,
  NoDelegationExists: 13,
} as const;
