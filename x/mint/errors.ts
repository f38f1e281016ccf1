import { moduleErrors } from "../../app/errors.js";

/** Codespace `mint`. */
export const mintError = moduleErrors("mint");
export const MintCode = {
  /** A schedule whose total (from now on) would not fit under the cap. */
  ScheduleExceedsCap: 2,
} as const;
