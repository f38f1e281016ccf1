import { SdkCode, sdkError } from "./errors.js";

/**
 * Counts gas for one tx. Gas is a plain number: limits fit well inside 2^53 and number
 * arithmetic keeps the hot path cheap; it becomes a bigint only at the ABCI boundary.
 */
export class GasMeter {
  private used = 0;

  /** `limit` undefined = unmetered (simulation, block hooks). */
  constructor(readonly limit?: number) {}

  get consumed(): number {
    return this.used;
  }

  consume(amount: number, descriptor: string): void {
    this.used += amount;
    if (this.limit !== undefined && this.used > this.limit) {
      throw sdkError(
        SdkCode.OutOfGas,
        `out of gas in location: ${descriptor}; gasWanted: ${this.limit}, gasUsed: ${this.used}: out of gas`,
      );
    }
  }
}
