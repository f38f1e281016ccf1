/**
 * Shared shape and printing of benchmark results. Every benchmark prints a human-readable
 * table and, for machines (CI, regression tracking), one JSON object per figure on its own
 * line: `{"bench":"tx","figure":"committed_tps","value":2710,"unit":"tx/s"}`.
 */

/** One benchmark as registered in bench/run.ts. */
export interface Benchmark {
  name: string;
  description: string;
  run(): Promise<void>;
}

/** One measured (or configured) number. */
export interface Figure {
  figure: string;
  value: number;
  unit: string;
  /** Shown in the table only; the JSON line stays a fixed four-key shape. */
  note?: string;
}

/** A figure's JSON line. */
export function figureJson(bench: string, f: Figure): string {
  return JSON.stringify({ bench, figure: f.figure, value: f.value, unit: f.unit });
}

/** Numbers in tables: integers as-is, others with up to 3 significant decimals. */
function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  return value.toFixed(abs >= 100 ? 1 : abs >= 1 ? 2 : 4);
}

/** The human-readable table of figures, as lines. */
export function figureTable(figures: readonly Figure[]): string[] {
  const nameWidth = Math.max(6, ...figures.map((f) => f.figure.length)) + 2;
  const valueWidth = Math.max(5, ...figures.map((f) => formatValue(f.value).length)) + 2;
  const lines = [`${"figure".padEnd(nameWidth)}${"value".padStart(valueWidth)}  unit`];
  for (const f of figures) {
    const note = f.note ? `  (${f.note})` : "";
    lines.push(`${f.figure.padEnd(nameWidth)}${formatValue(f.value).padStart(valueWidth)}  ${f.unit}${note}`);
  }
  return lines;
}

/** Prints the table, then one JSON line per figure. */
export function printFigures(bench: string, figures: readonly Figure[]): void {
  for (const line of figureTable(figures)) console.log(line);
  for (const f of figures) console.log(figureJson(bench, f));
}

/**
 * A headline figure as a ratio to a reference measured in the same run (interleaved rounds
 * where the two cannot run at once): our figure, theirs, and ours ÷ theirs. Figures on this
 * shared machine move ±40 % between runs; the ratio of two measured together moves far less.
 */
export interface Ratio {
  /** e.g. "committed_tps_ratio_to_kvstore_socket". */
  figure: string;
  ours: number;
  reference: number;
  unit: string;
  /** What the reference is, for the table. */
  referenceName: string;
}

/** ours ÷ reference to 3 decimals (NaN when the reference is 0). */
export function ratioValue(r: Pick<Ratio, "ours" | "reference">): number {
  return r.reference === 0 ? Number.NaN : Number((r.ours / r.reference).toFixed(3));
}

/** A ratio's JSON line: `{"bench","figure","value","ours","reference","unit"}`. */
export function ratioJson(bench: string, r: Ratio): string {
  return JSON.stringify({ bench, figure: r.figure, value: ratioValue(r), ours: r.ours, reference: r.reference, unit: r.unit });
}

/** Prints each ratio as a table line, then its JSON line. */
export function printRatios(bench: string, ratios: readonly Ratio[]): void {
  for (const r of ratios) console.log(`${r.figure}: ${formatValue(ratioValue(r))} (ours ${formatValue(r.ours)} ${r.unit}, ${r.referenceName} ${formatValue(r.reference)} ${r.unit})`);
  for (const r of ratios) console.log(ratioJson(bench, r));
}

/** The median of some numbers (the middle one, or the mean of the two middle ones). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Progress on stderr, so stdout stays table + JSON lines. */
export function progress(bench: string, message: string): void {
  process.stderr.write(`[${bench}] ${message}\n`);
}

/** The q-quantile (0..1) of `sorted` ascending values, nearest-rank; NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}
