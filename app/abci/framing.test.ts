import { concatBytes } from "../../crypto/bytes.js";
import { describe, expect, it } from "vitest";
import { FrameDecoder, FrameError, MAX_FRAME_BYTES, encodeFrame, encodeUvarint } from "./framing.js";

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

function filled(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

describe("encodeUvarint", () => {
  it("encodes protobuf unsigned varints (not zigzag)", () => {
    expect(encodeUvarint(0)).toEqual(bytes(0x00));
    expect(encodeUvarint(1)).toEqual(bytes(0x01)); // zigzag would give 0x02
    expect(encodeUvarint(127)).toEqual(bytes(0x7f));
    expect(encodeUvarint(128)).toEqual(bytes(0x80, 0x01));
    expect(encodeUvarint(300)).toEqual(bytes(0xac, 0x02));
    expect(encodeUvarint(2 ** 32)).toEqual(bytes(0x80, 0x80, 0x80, 0x80, 0x10));
  });

  it("rejects negative and non-integer values", () => {
    expect(() => encodeUvarint(-1)).toThrow(RangeError);
    expect(() => encodeUvarint(1.5)).toThrow(RangeError);
  });
});

describe("encodeFrame", () => {
  it("prefixes the message with its uvarint length", () => {
    expect(encodeFrame(bytes(9, 8, 7))).toEqual(bytes(3, 9, 8, 7));
    const big = filled(200, 1);
    expect(encodeFrame(big)).toEqual(concatBytes(bytes(0xc8, 0x01), big));
    expect(encodeFrame(new Uint8Array(0))).toEqual(bytes(0));
  });
});

describe("FrameDecoder", () => {
  it("decodes several frames delivered in one chunk", () => {
    const messages = [filled(5, 1), new Uint8Array(0), filled(130, 2), filled(1, 3)];
    const decoder = new FrameDecoder();
    expect(decoder.push(concatBytes(...messages.map(encodeFrame)))).toEqual(messages);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("decodes frames fed one byte at a time, including a split length prefix", () => {
    const messages = [filled(300, 4), filled(2, 5), filled(128, 6)]; // 300 and 128 need 2-byte prefixes
    const stream = concatBytes(...messages.map(encodeFrame));
    const decoder = new FrameDecoder();
    const out: Uint8Array[] = [];
    for (const b of stream) out.push(...decoder.push(bytes(b)));
    expect(out).toEqual(messages);
  });

  it("decodes the same stream under every two-way split point", () => {
    const messages = [filled(20, 7), filled(140, 8), filled(3, 9)];
    const stream = concatBytes(...messages.map(encodeFrame));
    for (let cut = 0; cut <= stream.length; cut++) {
      const decoder = new FrameDecoder();
      const out = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
      expect(out).toEqual(messages);
    }
  });

  it("keeps a partially received frame until its last byte arrives", () => {
    const message = filled(1000, 10);
    const frame = encodeFrame(message);
    const decoder = new FrameDecoder();
    expect(decoder.push(frame.subarray(0, 600))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(598); // 600 minus the 2-byte length prefix
    expect(decoder.push(frame.subarray(600, 1001))).toEqual([]);
    expect(decoder.push(frame.subarray(1001))).toEqual([message]);
  });

  it("handles multi-byte lengths near the size limit", () => {
    const limit = 3 * 1024 * 1024;
    const message = filled(limit, 11); // needs a 4-byte uvarint
    const decoder = new FrameDecoder(limit);
    const frame = encodeFrame(message);
    expect(frame.length - message.length).toBe(4);
    const out = [...decoder.push(frame.subarray(0, 2)), ...decoder.push(frame.subarray(2))];
    expect(out).toHaveLength(1);
    // Buffer.equals: element-wise toEqual on megabytes is needlessly slow.
    expect(Buffer.from(out[0]!).equals(message)).toBe(true);
  });

  it("rejects a frame longer than the limit before buffering its body", () => {
    const decoder = new FrameDecoder(1024);
    expect(() => decoder.push(encodeUvarint(1025))).toThrow(/exceeds the 1024-byte limit/);
    expect(new FrameDecoder().push(encodeUvarint(MAX_FRAME_BYTES))).toEqual([]);
    expect(() => new FrameDecoder().push(encodeUvarint(MAX_FRAME_BYTES + 1))).toThrow(FrameError);
  });

  it("rejects absurd 64-bit lengths", () => {
    // 2^63 as a 10-byte uvarint.
    const huge = bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
    expect(() => new FrameDecoder().push(huge)).toThrow(/exceeds/);
  });

  it("rejects a varint longer than 10 bytes, even when split across chunks", () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(new Uint8Array(6).fill(0x80))).toEqual([]);
    expect(() => decoder.push(new Uint8Array(5).fill(0x80))).toThrow(/longer than 10 bytes/);
    // Once broken, the stream stays broken: there is no way to resynchronise.
    expect(() => decoder.push(bytes(1, 0))).toThrow(FrameError);
  });
});
