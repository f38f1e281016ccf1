import { SdkCode, sdkError, type AppError } from "../../app/errors.js";

/**
 * The SDK's x/upgrade rejects bad plans with the generic ErrInvalidRequest (codespace sdk,
 * code 18) and wrong authorities with the gov ErrInvalidSigner (app/authority.ts); it has no
 * codes of its own on these paths, and neither do we.
 */
export const invalidPlan = (message: string): AppError => sdkError(SdkCode.InvalidRequest, message);
