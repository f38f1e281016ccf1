/** Horizontal bars, each scaled to the largest value in its column (bigint-safe). */
export function Bar({ value, max, label }: { value: bigint; max: bigint; label: string }) {
  const pct = max === 0n ? 0 : Number((value * 1000n) / max) / 10;
  return (
    <div class="bar" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
      <span style={{ width: `${pct}%` }} />
    </div>
  );
}
