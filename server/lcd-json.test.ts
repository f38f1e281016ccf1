import { describe, expect, it } from "vitest";
import { ValidatorSigningInfo } from "cosmjs-types/cosmos/slashing/v1beta1/slashing";
import { Params } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { MLDSA65PubKey } from "../proto/gen/ogpu/crypto/v1/keys.js";
import { TaskStatus } from "../proto/gen/ogpu/market/v1/market.js";
import { TierPrice } from "../proto/gen/ogpu/market/v1/query.js";
import { anyJson, durationJson, messageJson, snakeCase, timestampJson } from "./lcd-json.js";
import { parseEnum } from "./routes-table.js";

describe("generic gateway JSON", () => {
  it("formats Timestamps and Durations with 0, 3, 6 or 9 fractional digits", () => {
    expect(timestampJson({ seconds: 1_700_000_000n, nanos: 0 })).toBe("2023-11-14T22:13:20Z");
    expect(timestampJson({ seconds: 0n, nanos: 5_000_000 })).toBe("1970-01-01T00:00:00.005Z");
    expect(timestampJson({ seconds: 0n, nanos: 1 })).toBe("1970-01-01T00:00:00.000000001Z");
    expect(durationJson({ seconds: 1_814_400n, nanos: 0 })).toBe("1814400s");
    expect(durationJson({ seconds: 1n, nanos: 500_000_000 })).toBe("1.500s");
  });

  it("clamps a 'forever' Timestamp (int64 max seconds) instead of failing the response", () => {
    const info = ValidatorSigningInfo.fromPartial({ address: "ogpuvalcons1x", jailedUntil: { seconds: 9_223_372_036_854_775_807n, nanos: 0 }, tombstoned: true });
    expect(messageJson(info, ValidatorSigningInfo)).toMatchObject({ jailed_until: "9999-12-31T23:59:59Z", tombstoned: true, start_height: "0" });
  });

  it("tells a Duration from a Timestamp through the codec's toJSON", () => {
    const params = Params.fromPartial({ unbondingTime: { seconds: 100n, nanos: 0 }, minCommissionRate: "50000000000000000" });
    expect(messageJson(params, Params, { decimals: ["min_commission_rate"] })).toMatchObject({ unbonding_time: "100s", min_commission_rate: "0.050000000000000000" });
  });

  it("names ts-proto enums through hints and leaves other numbers alone", () => {
    const price = TierPrice.fromPartial({ tier: 2, basePricePerUnit: "7", utilizationBps: 5000 });
    expect(messageJson(price)).toEqual({ tier: 2, base_price_per_unit: "7", utilization_bps: 5000 });
    expect(messageJson({ status: TaskStatus.TASK_STATUS_ASSIGNED, retries: 2 }, undefined, { enums: { status: TaskStatus } })).toEqual({ status: "TASK_STATUS_ASSIGNED", retries: 2 });
  });

  it("expands an ML-DSA-65 pubkey Any", () => {
    const key = new Uint8Array(1952).fill(9);
    expect(anyJson({ typeUrl: "/ogpu.crypto.v1.MLDSA65PubKey", value: MLDSA65PubKey.encode({ key }).finish() })).toEqual({
      "@type": "/ogpu.crypto.v1.MLDSA65PubKey",
      key: Buffer.from(key).toString("base64"),
    });
  });

  it("maps camelCase to proto field names", () => {
    expect(snakeCase("unbondingOnHoldRefCount")).toBe("unbonding_on_hold_ref_count");
    expect(snakeCase("vramMb")).toBe("vram_mb");
  });

  it("parses enum query parameters by name or number, refusing UNRECOGNIZED", () => {
    const parse = parseEnum(TaskStatus);
    expect(parse("status", "TASK_STATUS_PENDING")).toBe(TaskStatus.TASK_STATUS_PENDING);
    expect(parse("status", "2")).toBe(TaskStatus.TASK_STATUS_ASSIGNED);
    expect(() => parse("status", "UNRECOGNIZED")).toThrow(/invalid enum value/);
    expect(() => parse("status", "-1")).toThrow(/invalid enum value/);
  });
});
