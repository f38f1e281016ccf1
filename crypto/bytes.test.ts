import { describe, expect, it } from "vitest";
import { bytesEqual, compareBytes, concatBytes, fromHex, hex, hexUpper } from "./bytes.js";

describe("byte helpers", () => {
  it("hex reads only the view it is given, not the whole underlying buffer", () => {
    const whole = Uint8Array.from([0x00, 0xab, 0xcd, 0xff]);
    expect(hex(whole.subarray(1, 3))).toBe("abcd");
    expect(hexUpper(whole.subarray(1, 3))).toBe("ABCD");
    expect(fromHex("00AbcDff")).toEqual(whole);
  });

  it("compares in byte order, a prefix before its extensions", () => {
    expect(compareBytes(Uint8Array.from([1, 2]), Uint8Array.from([1, 3]))).toBeLessThan(0);
    expect(compareBytes(Uint8Array.from([2]), Uint8Array.from([1, 255]))).toBeGreaterThan(0);
    expect(compareBytes(Uint8Array.from([1]), Uint8Array.from([1, 0]))).toBeLessThan(0);
    expect(compareBytes(Uint8Array.from([4, 5]), Buffer.from([4, 5]))).toBe(0);
    expect(bytesEqual(Uint8Array.from([7, 8]), Buffer.from([7, 8]))).toBe(true);
    expect(bytesEqual(Uint8Array.from([7, 8]), Uint8Array.from([7]))).toBe(false);
  });

  it("concatenates into a plain Uint8Array", () => {
    const out = concatBytes(Uint8Array.from([1]), Buffer.from([2, 3]));
    expect(out).toEqual(Uint8Array.from([1, 2, 3]));
    expect(Buffer.isBuffer(out)).toBe(false);
  });
});
