import { afterEach, describe, expect, it } from "vitest";
import { marketFixture, type MarketFixture } from "./fixture.js";
import { submitTaskMsg } from "./testing.js";
import { marketParams } from "./params.js";
import { inputKib } from "./msgs.js";

/** MsgSubmitTask's input_bytes declaration: bounded, and paid per KiB (docs/storage.md "Who pays"). */
let fx: MarketFixture | undefined;
afterEach(async () => {
  await fx?.chain.close();
  fx = undefined;
});

const DEFAULTS = marketParams.parse(undefined);

describe("MsgSubmitTask input_bytes", () => {
  it("charges submit_gas_per_kib per started KiB, so gas grows with the declared bytes; the task records the declaration", async () => {
    // Each submission on a fresh chain, so only the declaration differs between them.
    const gasOf = async (inputBytes: bigint) => {
      const f = await marketFixture();
      try {
        const id = f.nextTaskId();
        const [r] = await f.chain.block([f.client.tx([submitTaskMsg(f.client.address, { bid: 1000n, inputBytes })])]);
        expect(r!.log).toBe("");
        expect(f.task(id).inputBytes).toBe(inputBytes);
        return r!.gasUsed;
      } finally {
        await f.chain.close();
      }
    };
    const perKib = BigInt(DEFAULTS.submit_gas_per_kib);
    expect(perKib).toBeGreaterThan(0n);
    // Pairs of equal varint length, so the tx and task sizes (also paid for) are equal.
    expect((await gasOf(2049n)) - (await gasOf(2048n))).toBe(perKib);
    const eightMib = await gasOf(8n << 20n);
    expect((await gasOf((8n << 20n) + 1n)) - eightMib).toBe(perKib);
    expect(eightMib - (await gasOf(2048n))).toBeGreaterThanOrEqual(perKib * (8192n - 2n));
  });

  it("rounds up to whole KiB", () => {
    expect([1n, 1024n, 1025n, 2048n, 2049n].map(inputKib)).toEqual([1, 1, 2, 2, 3]);
  });

  it("refuses a missing (zero) declaration and one over max_input_bytes, with code and codespace, changing nothing", async () => {
    fx = await marketFixture({ market: { max_input_bytes: 4096 } });
    const id = fx.nextTaskId();
    // Two signers: the stateless refusal does not advance its signer's sequence.
    const [missing, over] = await fx.chain.block([
      fx.client.tx([submitTaskMsg(fx.client.address, { bid: 1000n, inputBytes: 0n })]),
      fx.other.tx([submitTaskMsg(fx.other.address, { bid: 1000n, inputBytes: 4097n })]),
    ]);
    expect(fx.nextTaskId()).toBe(id);
    const [atCap] = await fx.chain.block([fx.other.tx([submitTaskMsg(fx.other.address, { bid: 1000n, inputBytes: 4096n })])]);
    expect([missing!.codespace, missing!.code]).toEqual(["market", 16]);
    expect(missing!.log).toContain("input_bytes must declare");
    expect([over!.codespace, over!.code]).toEqual(["market", 16]);
    expect(over!.log).toContain("input_bytes 4097 exceeds max_input_bytes 4096");
    expect(atCap!.log).toBe("");
    expect(fx.task(id).inputBytes).toBe(4096n);
    expect(fx.nextTaskId()).toBe(id + 1n);
  });

  it("validates the new params", () => {
    expect(DEFAULTS.max_input_bytes).toBe(3 * 16 * 1024 * 1024);
    expect(() => marketParams.parse({ max_input_bytes: 1023 })).toThrow("max_input_bytes must be in 1024..1073741824");
    expect(() => marketParams.parse({ max_input_bytes: 2 ** 30 + 1 })).toThrow("max_input_bytes");
    expect(() => marketParams.parse({ submit_gas_per_kib: -1 })).toThrow("submit_gas_per_kib must be in 0..1000000");
    expect(() => marketParams.parse({ submit_gas_per_kib: 1_000_001 })).toThrow("submit_gas_per_kib");
    expect(() => marketParams.parse({ submit_gas_per_kib: "20" })).toThrow("must be of type number");
    expect(marketParams.parse({ submit_gas_per_kib: 0, max_input_bytes: 1024 })).toMatchObject({ submit_gas_per_kib: 0, max_input_bytes: 1024 });
  });
});
