import { type Coin, coinsToString, isValidDenom } from "../coins.js";
import { SdkCode, sdkError } from "../errors.js";

/** A gas price such as "0.001uogpu", kept as an exact fraction amount / 10^18. */
export interface GasPrice {
  denom: string;
  /** price × 10^18 */
  scaled: bigint;
}

const SCALE = 10n ** 18n;

/** Parses a node's minimum gas prices setting, e.g. "0.001uogpu" or "0.001uogpu,1ufoo". */
export function parseGasPrices(text: string): GasPrice[] {
  if (text.trim() === "") return [];
  return text.split(",").map((part) => {
    const m = /^\s*([0-9]+)(?:\.([0-9]{1,18}))?([a-zA-Z][a-zA-Z0-9/:._-]*)\s*$/.exec(part);
    if (!m || !isValidDenom(m[3]!)) throw new Error(`invalid gas price: ${part}`);
    const frac = (m[2] ?? "").padEnd(18, "0");
    return { denom: m[3]!, scaled: BigInt(m[1]!) * SCALE + BigInt(frac) };
  });
}

/** ceil(gasLimit × price) per denom — the fee a tx must offer. */
export function requiredFees(gasLimit: bigint, prices: readonly GasPrice[]): Coin[] {
  return prices
    .map((p) => ({ denom: p.denom, amount: (gasLimit * p.scaled + SCALE - 1n) / SCALE }))
    .filter((c) => c.amount > 0n);
}

/**
 * The SDK's mempool fee check (CheckTx only, node-local setting): the fee must reach the
 * required amount in at least one of the accepted denoms.
 */
export function checkMinGasPrice(fee: readonly Coin[], gasLimit: bigint, prices: readonly GasPrice[]): void {
  const required = requiredFees(gasLimit, prices);
  if (required.length === 0) return;
  const ok = required.some((r) => (fee.find((c) => c.denom === r.denom)?.amount ?? 0n) >= r.amount);
  if (!ok) {
    throw sdkError(SdkCode.InsufficientFee, `insufficient fees; got: ${coinsToString(fee) || "0"} required: ${coinsToString(required)}: insufficient fee`);
  }
}
