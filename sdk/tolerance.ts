/**
 * Tolerances of `VERIFICATION_CLASS_TOLERANCE` tasks on chain: integers in parts per 10^12
 * (1e-6 = 1_000_000), never floats. Clients write them as decimal strings ("1e-6", "0.00001");
 * parseTolerance converts exactly and refuses anything finer than 10^-12.
 */
export const TOLERANCE_SCALE = 10n ** 12n;
const DECIMAL = /^(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/;

/** "1e-6" → 1_000_000n (parts per 10^12). Throws on negative, malformed or too-precise input. */
export function parseTolerance(text: string): bigint {
  const match = text.length <= 64 ? DECIMAL.exec(text.trim()) : null;
  if (!match) throw new Error(`tolerance ${JSON.stringify(text)} is not a non-negative decimal number`);
  const digits = `${match[1]}${match[2] ?? ""}`;
  // Value = digits · 10^(exponent − fractional digits); scaled by 10^12.
  const shift = 12 + Number(match[3] ?? "0") - (match[2] ?? "").length;
  const value = BigInt(digits);
  if (shift >= 0) return value * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  if (value % divisor !== 0n) throw new Error(`tolerance ${JSON.stringify(text)} is finer than 1e-12`);
  return value / divisor;
}

/** 1_000_000n → "0.000001": the exact decimal form of an on-chain tolerance. */
export function formatTolerance(partsPer1e12: bigint): string {
  const whole = partsPer1e12 / TOLERANCE_SCALE;
  const fraction = (partsPer1e12 % TOLERANCE_SCALE).toString().padStart(12, "0").replace(/0+$/, "");
  return fraction === "" ? whole.toString() : `${whole}.${fraction}`;
}
