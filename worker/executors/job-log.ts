/**
 * A job's log: its stdout and stderr interleaved in arrival order (as a terminal shows them),
 * bounded by market `max_log_bytes`. A chatty job keeps its first and its last bytes — the
 * start says what ran, the end says how it failed — with one marker line in between naming
 * how much was dropped. Memory stays within the bound however much the job prints.
 */
export class JobLog {
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail = Buffer.alloc(0);
  private total = 0;
  private readonly notes: string[] = [];

  /** `maxBytes` bounds the whole log, marker and worker notes included. */
  constructor(readonly maxBytes: number) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 256) throw new Error("JobLog: maxBytes must be an integer of at least 256");
    // Room for the marker and the worker's notes (failure reason) is kept out of both halves.
    const body = maxBytes - NOTE_RESERVE;
    this.headLimit = Math.floor(body / 2);
    this.tailLimit = body - this.headLimit;
  }

  /** Appends what the job printed (either stream). */
  push(chunk: Uint8Array): void {
    this.total += chunk.length;
    let rest = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.headBytes < this.headLimit) {
      const take = rest.subarray(0, this.headLimit - this.headBytes);
      this.head.push(Buffer.from(take));
      this.headBytes += take.length;
      rest = rest.subarray(take.length);
    }
    if (rest.length === 0) return;
    this.tail = Buffer.concat([this.tail, rest]);
    if (this.tail.length > this.tailLimit) this.tail = this.tail.subarray(this.tail.length - this.tailLimit);
  }

  /** A line the worker adds after the job's output (e.g. why the job failed). */
  note(line: string): void {
    this.notes.push(line);
  }

  /** Bytes the job printed, before any truncation. */
  get printedBytes(): number {
    return this.total;
  }

  /** The log as uploaded: head ‖ marker (when truncated) ‖ tail ‖ worker notes; at most maxBytes. */
  bytes(): Uint8Array {
    const dropped = this.total - this.headBytes - this.tail.length;
    const parts = [...this.head];
    if (dropped > 0) parts.push(Buffer.from(`\n[ogpu: log truncated: ${dropped} of ${this.total} bytes dropped (max_log_bytes ${this.maxBytes})]\n`));
    parts.push(this.tail);
    let notes = this.notes.map((n) => `[ogpu: ${n}]\n`).join("");
    const last = lastByte(parts);
    if (notes !== "" && last !== undefined && last !== 0x0a) notes = `\n${notes}`;
    const all = Buffer.concat([...parts, Buffer.from(notes)]);
    return new Uint8Array(all.subarray(0, this.maxBytes));
  }
}

/** Bytes kept free for the truncation marker and the worker's notes. */
const NOTE_RESERVE = 512;

function lastByte(parts: readonly Buffer[]): number | undefined {
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i]!;
    if (p.length > 0) return p[p.length - 1];
  }
  return undefined;
}
