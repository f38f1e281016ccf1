import { describe, expect, it } from "vitest";
import { coinsFromWire, coinsToString, parseCoins } from "./coins.js";
import { checkMinGasPrice, parseGasPrices, requiredFees } from "./tx/fees.js";

describe("coins", () => {
  it("parses, sorts and prints coin lists", () => {
    expect(coinsToString(parseCoins("5zeta,100uogpu"))).toBe("100uogpu,5zeta");
    expect(parseCoins("")).toEqual([]);
  });

  it("rejects what the SDK rejects: bad denoms, zero, duplicates, unsorted, non-integers", () => {
    expect(() => coinsFromWire([{ denom: "u", amount: "1" }])).toThrow(/invalid denom/);
    expect(() => coinsFromWire([{ denom: "uogpu", amount: "0" }])).toThrow(/not positive/);
    expect(() => coinsFromWire([{ denom: "uogpu", amount: "-1" }])).toThrow(/invalid amount/);
    expect(() => coinsFromWire([{ denom: "uogpu", amount: "1.5" }])).toThrow(/invalid amount/);
    expect(() => coinsFromWire([{ denom: "zz1", amount: "1" }, { denom: "aa1", amount: "1" }])).toThrow(/not sorted/);
    expect(() => coinsFromWire([{ denom: "uogpu", amount: "1" }, { denom: "uogpu", amount: "1" }])).toThrow(/duplicates/);
    expect(() => coinsFromWire([{ denom: "uogpu", amount: (1n << 256n).toString() }])).toThrow(/out of range/);
  });
});

describe("gas prices", () => {
  it("computes ceil(gas × price) exactly, without floats", () => {
    expect(requiredFees(200_000n, parseGasPrices("0.001uogpu"))).toEqual([{ denom: "uogpu", amount: 200n }]);
    expect(requiredFees(3n, parseGasPrices("0.333333333333333333uogpu"))).toEqual([{ denom: "uogpu", amount: 1n }]);
    expect(requiredFees(1n, parseGasPrices("0.000000000000000001uogpu"))).toEqual([{ denom: "uogpu", amount: 1n }]);
    expect(requiredFees(100n, parseGasPrices("0uogpu"))).toEqual([]);
  });

  it("accepts a fee meeting any one accepted denom", () => {
    const prices = parseGasPrices("0.01uogpu,1uatom");
    expect(() => checkMinGasPrice([{ denom: "uogpu", amount: 1000n }], 100_000n, prices)).not.toThrow();
    expect(() => checkMinGasPrice([{ denom: "uogpu", amount: 999n }], 100_000n, prices)).toThrow(/insufficient fees/);
    expect(() => parseGasPrices("abc")).toThrow(/invalid gas price/);
  });
});
