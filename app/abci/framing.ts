/**
 * CometBFT v0.38 ABCI socket framing: every message is an unsigned protobuf varint (uvarint)
 * holding the byte length, followed by that many bytes of protobuf (`tendermint.abci.Request`
 * client→server, `tendermint.abci.Response` server→client).
 */

/** Largest frame accepted. CometBFT caps blocks at 100 MB but defaults to ~21 MB; 64 MiB is ample. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** A uvarint may use at most 10 bytes (64 bits / 7 bits per byte, rounded up). */
const MAX_UVARINT_BYTES = 10;

/** The byte stream cannot be parsed as frames; the connection it came from is unusable. */
export class FrameError extends Error {
  override readonly name = "FrameError";
}

/** Encodes a non-negative safe integer as a protobuf uvarint. */
export function encodeUvarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`uvarint must be a non-negative safe integer, got ${value}`);
  }
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80); // not `>>>`: lengths may exceed 32 bits in principle
  }
  out.push(rest);
  return Uint8Array.from(out);
}

/** Prefixes `message` with its uvarint length. */
export function encodeFrame(message: Uint8Array): Uint8Array {
  const prefix = encodeUvarint(message.length);
  const frame = new Uint8Array(prefix.length + message.length);
  frame.set(prefix, 0);
  frame.set(message, prefix.length);
  return frame;
}

/**
 * Incremental frame decoder: feed socket chunks of any size with `push`, get back the complete
 * message bodies they finish. Length prefixes and bodies may be split across chunks arbitrarily.
 *
 * A frame lying wholly inside one chunk is returned as a zero-copy view of that chunk, so callers
 * must not mutate chunks after pushing them (Node socket chunks are never reused, so this holds).
 * After a FrameError the decoder is poisoned and every later push throws too.
 */
export class FrameDecoder {
  private readonly maxFrameBytes: number;
  /** Length prefix being read: value so far, and how many varint bytes have been consumed. */
  private lengthSoFar = 0;
  private lengthBytes = 0;
  /** Length of the body being read, or -1 while reading a length prefix. */
  private bodyLength = -1;
  /** Body assembled across chunks; allocated only when a body spans chunks. */
  private body: Uint8Array | null = null;
  private bodyFilled = 0;
  private failure: FrameError | null = null;

  constructor(maxFrameBytes: number = MAX_FRAME_BYTES) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Bytes of an unfinished frame held so far: partial length prefix, or body bytes received. */
  get bufferedBytes(): number {
    return this.lengthBytes + this.bodyFilled;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failure) throw this.failure;
    const frames: Uint8Array[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.bodyLength < 0) {
        this.readLengthByte(chunk[pos] as number);
        pos++;
        if (this.bodyLength === 0) frames.push(this.finishBody(new Uint8Array(0)));
        continue;
      }
      const available = chunk.length - pos;
      if (this.body === null) {
        // Fast path: the whole body is in this chunk, so hand out a view instead of copying.
        if (available >= this.bodyLength) {
          const frame = chunk.subarray(pos, pos + this.bodyLength);
          pos += this.bodyLength;
          frames.push(this.finishBody(frame));
          continue;
        }
        this.body = new Uint8Array(this.bodyLength);
      }
      const take = Math.min(this.bodyLength - this.bodyFilled, available);
      this.body.set(chunk.subarray(pos, pos + take), this.bodyFilled);
      this.bodyFilled += take;
      pos += take;
      if (this.bodyFilled === this.bodyLength) frames.push(this.finishBody(this.body));
    }
    return frames;
  }

  /** Consumes one length-prefix byte; sets `bodyLength` once the prefix is complete. */
  private readLengthByte(byte: number): void {
    if (this.lengthBytes >= MAX_UVARINT_BYTES) {
      this.fail(`malformed length prefix: uvarint longer than ${MAX_UVARINT_BYTES} bytes`);
    }
    // Multiplication, not shifts: bitwise ops truncate to 32 bits. Precision loss past 2^53 is
    // harmless because such values are rejected as over-size below.
    this.lengthSoFar += (byte & 0x7f) * 2 ** (7 * this.lengthBytes);
    this.lengthBytes++;
    if (byte & 0x80) return;
    if (this.lengthSoFar > this.maxFrameBytes) {
      this.fail(`frame of ${this.lengthSoFar} bytes exceeds the ${this.maxFrameBytes}-byte limit`);
    }
    this.bodyLength = this.lengthSoFar;
    this.lengthSoFar = 0;
    this.lengthBytes = 0;
  }

  private finishBody(frame: Uint8Array): Uint8Array {
    this.bodyLength = -1;
    this.body = null;
    this.bodyFilled = 0;
    return frame;
  }

  private fail(reason: string): never {
    this.failure = new FrameError(reason);
    throw this.failure;
  }
}
