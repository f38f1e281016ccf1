import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newSalt, resultDigest, seal } from "./digest.js";

const sha = (...parts: Uint8Array[]) => new Uint8Array(createHash("sha256").update(Buffer.concat(parts)).digest());

describe("digest and seal", () => {
  it("digest is sha256 of the output bytes", () => {
    const out = new TextEncoder().encode("result");
    expect(Buffer.from(resultDigest(out))).toEqual(Buffer.from(sha(out)));
  });

  it("seal = sha256(u64be task id ‖ address ‖ digest ‖ salt)", () => {
    const address = new Uint8Array(20).fill(7);
    const digest = resultDigest(new TextEncoder().encode("r"));
    const salt = newSalt();
    const taskId = 0x0102030405060708n;
    const expected = sha(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), address, digest, salt);
    expect(Buffer.from(seal(taskId, address, digest, salt))).toEqual(Buffer.from(expected));
    // A different worker address opens a different seal: copying another worker's seal is useless.
    expect(Buffer.from(seal(taskId, new Uint8Array(20).fill(8), digest, salt))).not.toEqual(Buffer.from(expected));
  });

  it("rejects malformed arguments", () => {
    const digest = new Uint8Array(32);
    expect(() => seal(-1n, new Uint8Array(20), digest, newSalt())).toThrow(/unsigned 64-bit/);
    expect(() => seal(1n, new Uint8Array(20), new Uint8Array(31), newSalt())).toThrow(/digest must be 32 bytes/);
    expect(() => seal(1n, new Uint8Array(20), digest, new Uint8Array(8))).toThrow(/salt must be/);
  });
});
