import { SdkCode, sdkError } from "./errors.js";

/** A coin with an exact integer amount. Amounts are bigint everywhere; never floats. */
export interface Coin {
  denom: string;
  amount: bigint;
}

/** The chain's native denom: 10^6 uogpu = 1 OGPU. */
export const BASE_DENOM = "uogpu";
export const MICRO_PER_OGPU = 1_000_000n;
/** The display unit (10^6 uogpu) and its ticker, as wallets and explorers show them. */
export const DISPLAY_DENOM = "ogpu";
export const DISPLAY_EXPONENT = 6;
export const TICKER = "OGPU";
/** 21,000,000 OGPU hard cap, in uogpu. */
export const MAX_SUPPLY = 21_000_000n * MICRO_PER_OGPU;

const DENOM_RE = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;
const AMOUNT_RE = /^[0-9]+$/;
/** Cosmos' sdk.Int is bounded at 256 bits; so are we. */
const MAX_AMOUNT = (1n << 256n) - 1n;

export function isValidDenom(denom: string): boolean {
  return DENOM_RE.test(denom);
}

/** Parses a decimal integer amount string; throws InvalidCoins on anything else. */
export function parseAmount(text: string): bigint {
  if (!AMOUNT_RE.test(text) || text.length > 78) throw sdkError(SdkCode.InvalidCoins, `invalid amount: ${text}`);
  const n = BigInt(text);
  if (n > MAX_AMOUNT) throw sdkError(SdkCode.InvalidCoins, `amount out of range: ${text}`);
  return n;
}

/**
 * Converts wire coins ({denom, amount: string}) into validated coins: valid denoms,
 * strictly positive amounts, sorted by denom with no duplicates — the SDK's `Coins.Validate`.
 */
export function coinsFromWire(wire: readonly { denom: string; amount: string }[]): Coin[] {
  const coins: Coin[] = [];
  for (const c of wire) {
    if (!isValidDenom(c.denom)) throw sdkError(SdkCode.InvalidCoins, `invalid denom: ${c.denom}`);
    const amount = parseAmount(c.amount);
    if (amount === 0n) throw sdkError(SdkCode.InvalidCoins, `coin ${c.amount}${c.denom} amount is not positive`);
    const prev = coins[coins.length - 1];
    if (prev && prev.denom >= c.denom) {
      throw sdkError(SdkCode.InvalidCoins, `${coinsToString(wireToCoins(wire))}: coins are not sorted by denom or have duplicates`);
    }
    coins.push({ denom: c.denom, amount });
  }
  return coins;
}

function wireToCoins(wire: readonly { denom: string; amount: string }[]): Coin[] {
  return wire.map((c) => ({ denom: c.denom, amount: AMOUNT_RE.test(c.amount) ? BigInt(c.amount) : 0n }));
}

export function coinsToWire(coins: readonly Coin[]): { denom: string; amount: string }[] {
  return coins.map((c) => ({ denom: c.denom, amount: c.amount.toString() }));
}

/** "100uogpu,5foo" — the SDK's Coins.String(). */
export function coinsToString(coins: readonly Coin[]): string {
  return coins.map((c) => `${c.amount}${c.denom}`).join(",");
}

/** Parses "100uogpu,5foo" (CLI input); result is sorted and validated. */
export function parseCoins(text: string): Coin[] {
  if (text.trim() === "") return [];
  const wire = text.split(",").map((part) => {
    const m = /^\s*([0-9]+)\s*([a-zA-Z][a-zA-Z0-9/:._-]*)\s*$/.exec(part);
    if (!m) throw sdkError(SdkCode.InvalidCoins, `invalid coin expression: ${part}`);
    return { denom: m[2]!, amount: m[1]! };
  });
  wire.sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
  return coinsFromWire(wire);
}

/** The amount of one denom in a coin list (wire strings or bigints), 0 when absent. */
export function amountOf(coins: readonly { denom: string; amount: string | bigint }[], denom: string): bigint {
  return coins.reduce((sum, c) => sum + (c.denom === denom ? BigInt(c.amount) : 0n), 0n);
}
