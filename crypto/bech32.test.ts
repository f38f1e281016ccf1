import { describe, expect, it } from "vitest";
import { fromBech32 as cosmjsFromBech32, toBech32 as cosmjsToBech32 } from "@cosmjs/encoding";
import { ACCOUNT_PREFIX, fromBech32, isBech32, toBech32, VALCONS_PREFIX, VALOPER_PREFIX } from "./bech32.js";

const addr20 = Uint8Array.from({ length: 20 }, (_, i) => i);
const addr32 = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);

describe("bech32", () => {
  it("has the chain's prefixes", () => {
    expect([ACCOUNT_PREFIX, VALOPER_PREFIX, VALCONS_PREFIX]).toEqual(["ogpu", "ogpuvaloper", "ogpuvalcons"]);
  });

  it("round-trips and matches cosmjs", () => {
    const a = toBech32(ACCOUNT_PREFIX, addr20);
    expect(a).toBe(cosmjsToBech32("ogpu", addr20));
    expect(a.startsWith("ogpu1")).toBe(true);
    expect(fromBech32(a, ACCOUNT_PREFIX)).toEqual(addr20);
  });

  it("handles 32-byte payloads past the BIP-173 90-char limit", () => {
    const long = toBech32("ogpuvalconspub", new Uint8Array(60));
    expect(long.length).toBeGreaterThan(90);
    expect(fromBech32(long, "ogpuvalconspub")).toEqual(new Uint8Array(60));
    const v = toBech32(VALOPER_PREFIX, addr32);
    expect(cosmjsFromBech32(v).data).toEqual(addr32);
  });

  it("rejects a wrong prefix with a clear error", () => {
    const v = toBech32(VALOPER_PREFIX, addr20);
    expect(() => fromBech32(v, ACCOUNT_PREFIX)).toThrow(/expected prefix 'ogpu', got 'ogpuvaloper'/);
    expect(isBech32(v, ACCOUNT_PREFIX)).toBe(false);
  });

  it("rejects a bad checksum and garbage", () => {
    const a = toBech32(ACCOUNT_PREFIX, addr20);
    const flipped = a.slice(0, -1) + (a.endsWith("q") ? "p" : "q");
    expect(() => fromBech32(flipped, ACCOUNT_PREFIX)).toThrow(/invalid bech32 address/);
    expect(() => fromBech32("not-an-address", ACCOUNT_PREFIX)).toThrow(/invalid bech32 address 'not-an-address'/);
    expect(isBech32(a, ACCOUNT_PREFIX)).toBe(true);
  });
});
