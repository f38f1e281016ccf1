/**
 * Cosmos `LegacyDec` values as exact bigints with 18 decimals ("atomics"). On the protobuf
 * wire a Dec is the decimal string of its atomics ("100000000000000000" = 0.1), which is what
 * cosmjs sends; the CLI and JSON accept the human form with a point ("0.1"). No floats.
 */
export const DEC_DECIMALS = 18;
export const DEC_ONE = 10n ** 18n;

export function parseDec(text: string): bigint {
  if (/^[0-9]{1,80}$/.test(text)) return BigInt(text);
  const m = /^([0-9]{1,60})\.([0-9]{1,18})$/.exec(text);
  if (!m) throw new Error(`invalid decimal '${text}'`);
  return BigInt(m[1]!) * DEC_ONE + BigInt(m[2]!.padEnd(DEC_DECIMALS, "0"));
}

/** Human form, e.g. 0.100000000000000000 (as the SDK prints a Dec). */
export function decToString(atomics: bigint): string {
  const whole = atomics / DEC_ONE;
  const frac = (atomics % DEC_ONE).toString().padStart(DEC_DECIMALS, "0");
  return `${whole}.${frac}`;
}

/**
 * A Dec in the human form gov v1 strings use (the SDK's LegacyNewDecFromStr): "1" is one,
 * "0.25" a quarter. Unlike parseDec, a string without a point is a whole number, not atomics.
 */
export function parseDecText(text: string): bigint {
  const m = /^([0-9]{1,60})(?:\.([0-9]{1,18}))?$/.exec(text);
  if (!m) throw new Error(`invalid decimal '${text}'`);
  return BigInt(m[1]!) * DEC_ONE + BigInt((m[2] ?? "").padEnd(DEC_DECIMALS, "0"));
}
