import { hex } from "./bytes.js";
import { describe, expect, it } from "vitest";
import { ripemd160, sha256 } from "./hash.js";

describe("hash", () => {
  it("sha256 matches the FIPS 180 'abc' vector", () => {
    expect(hex(sha256(new TextEncoder().encode("abc")))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("ripemd160 matches the reference 'abc' vector", () => {
    expect(hex(ripemd160(new TextEncoder().encode("abc")))).toBe("8eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
  });

  it("hashes a subarray view, not its whole backing buffer", () => {
    const backing = new TextEncoder().encode("xxabcxx");
    expect(hex(sha256(backing.subarray(2, 5)))).toBe(hex(sha256(new TextEncoder().encode("abc"))));
  });
});
