/**
 * The dashboard's amount text, integers only: OGPU typed in a form becomes the exact uogpu the
 * tx carries, and bps figures (multipliers, reliability) print as decimals.
 */
import { describe, expect, it } from "vitest";
import { formatBps, formatOgpu, parseOgpu } from "./api";

describe("amounts on the dashboard", () => {
  it("parses OGPU to uogpu exactly and refuses anything but a plain decimal of at most 6 places", () => {
    expect(parseOgpu("1000")).toBe(1_000_000_000n);
    expect(parseOgpu(" 12.5 ")).toBe(12_500_000n);
    expect(parseOgpu("0.000001")).toBe(1n);
    for (const bad of ["", "1.", ".5", "1e3", "-1", "0.0000001", "1,5", "12 OGPU"]) expect(() => parseOgpu(bad)).toThrow(/not an OGPU amount/);
    for (const uogpu of [0n, 1n, 12_500_000n, 1_000_000_000n, 123_456_789n]) expect(parseOgpu(formatOgpu(uogpu))).toBe(uogpu);
  });

  it("prints bps as a decimal (10000 = 1)", () => {
    expect([0n, 5000n, 10_000n, 12_500n, 25_000n, 7425n, 1n].map(formatBps)).toEqual(["0", "0.5", "1", "1.25", "2.5", "0.7425", "0.0001"]);
  });
});
