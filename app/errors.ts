/**
 * Cosmos-style errors: every failure a client can see carries a codespace, a numeric code
 * and a one-line message. Codes in the `sdk` codespace are the Cosmos SDK's own numbers so
 * that cosmjs and explorers interpret them the same way.
 */
export class AppError extends Error {
  constructor(
    readonly codespace: string,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "AppError";
  }
}

/** Cosmos SDK `sdk` codespace error codes (types/errors/errors.go numbering). */
export const SdkCode = {
  TxDecode: 2,
  InvalidSequence: 3,
  Unauthorized: 4,
  InsufficientFunds: 5,
  UnknownRequest: 6,
  InvalidAddress: 7,
  InvalidPubKey: 8,
  UnknownAddress: 9,
  InvalidCoins: 10,
  OutOfGas: 11,
  MemoTooLarge: 12,
  InsufficientFee: 13,
  TooManySignatures: 14,
  NoSignatures: 15,
  InvalidRequest: 18,
  InvalidType: 29,
  TxTooLarge: 21,
  KeyNotFound: 22,
  WrongSequence: 32,
  UnknownExtensionOptions: 31,
  TxTimeoutHeight: 30,
  InvalidGasLimit: 41,
  Panic: 111222,
} as const;

/** Builds an error in the `sdk` codespace. */
export function sdkError(code: number, message: string): AppError {
  return new AppError("sdk", code, message);
}

/** Builds a constructor for one module's errors, e.g. `const bankError = moduleErrors("bank")`. */
export function moduleErrors(codespace: string): (code: number, message: string) => AppError {
  return (code, message) => new AppError(codespace, code, message);
}

/**
 * Turns anything thrown into an AppError. Unexpected exceptions become the SDK's "panic"
 * code so that a bug in one handler surfaces as a failed tx, not a crashed node.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AppError("sdk", SdkCode.Panic, `internal error: ${message}`);
}

/**
 * Query failures as the SDK's gRPC layer reports them over ABCI: the gRPC status is kept in
 * the log text (cosmjs matches "rpc error: code = NotFound") and mapped to an sdk code.
 */
export function notFound(description: string): AppError {
  return sdkError(SdkCode.KeyNotFound, `rpc error: code = NotFound desc = ${description}`);
}

export function invalidArgument(description: string): AppError {
  return sdkError(SdkCode.InvalidRequest, `rpc error: code = InvalidArgument desc = ${description}`);
}
