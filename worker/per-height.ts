/**
 * A chain value that can only change when a block is committed (e.g. x/attest's published
 * auditor keys): loaded at most once per height however many tasks ask for it, and loaded again
 * once the height moves. Readers at the same height share one load, even while it is in flight;
 * a failed load is forgotten, so the next reader tries again.
 */
export class PerHeight<T> {
  private cached: { height: number; value: Promise<T> } | undefined;

  constructor(private readonly load: () => Promise<T>) {}

  get(height: number): Promise<T> {
    if (this.cached?.height === height) return this.cached.value;
    const entry = { height, value: this.load() };
    this.cached = entry;
    entry.value.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return entry.value;
  }
}
