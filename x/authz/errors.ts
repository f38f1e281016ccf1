import { moduleErrors } from "../../app/errors.js";

/** Codespace `authz`: the SDK's x/authz codes where it has one, ours from 100. */
export const authzError = moduleErrors("authz");
export const AuthzCode = {
  /** The SDK's ErrNoAuthorizationFound. */
  NotFound: 2,
  /** The SDK's ErrInvalidExpirationTime. */
  InvalidExpiration: 3,
  /** The SDK's ErrUnknownAuthorizationType. */
  UnknownAuthorizationType: 4,
  /** The SDK's ErrNoGrantKeyFound. */
  NoGrantKey: 5,
  /** The SDK's ErrAuthorizationExpired. */
  Expired: 6,
  /** The SDK's ErrGranteeIsGranter. */
  GranteeIsGranter: 7,
  /** The SDK's ErrAuthorizationNumOfSigners. */
  NumOfSigners: 9,
  /** The SDK's ErrNegativeMaxTokens / our spend limit rules. */
  InvalidSpendLimit: 12,
  /** A submission's escrow exceeds what the grant has left. */
  SpendLimitExceeded: 100,
  /** MsgExec inside MsgExec. */
  NestedExec: 101,
  /** A msg type this chain does not route. */
  UnroutableMsg: 102,
} as const;
