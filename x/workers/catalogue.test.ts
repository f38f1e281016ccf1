import { afterEach, describe, expect, it } from "vitest";
import { startTestChain, testGenesis, type TestChain } from "../../app/testkit.js";
import { govAuthority } from "../../app/authority.js";
import { OGPU_MSG_TYPES } from "../../proto/msg-types.js";
import { workersParams, MAX_CATALOG_MODELS, type GpuCatalogEntry } from "./params.js";

let chain: TestChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

/** Replaces the catalogue through governance's message; returns the refusal message, if any. */
async function setCatalog(c: TestChain, catalog: unknown[]): Promise<string | undefined> {
  const params = JSON.stringify({ ...workersParams.get(c.app.store), gpu_catalog: catalog });
  const type = OGPU_MSG_TYPES.UpdateWorkersParams;
  const res = await c.execMsg({ typeUrl: type.typeUrl, value: type.codec.encode({ authority: govAuthority(), params }).finish() });
  return res.error?.message;
}

describe("the GPU catalogue is a governable workers param", () => {
  it("a proposal's MsgUpdateParams adds a GPU model: its tier is known from the next lookup on", async () => {
    const c = (chain = await startTestChain(testGenesis({}), { midBlockCalls: true }));
    expect(() => c.keepers.workers.gpuTier(c.app.store, "B200")).toThrow('unknown GPU model "B200"');
    const catalog: GpuCatalogEntry[] = [...workersParams.get(c.app.store).gpu_catalog, { vendor: "nvidia", model: "B200", tier: 3 }];
    expect(await setCatalog(c, catalog)).toBeUndefined();
    expect(c.keepers.workers.gpuTier(c.app.store, "B200")).toBe(3);
    expect(c.keepers.workers.hardwareMatcher(c.app.store)({ gpus: [{ vendor: "nvidia", model: "B200", vramMb: 192_000n, pciId: "", count: 1 }], runtimes: [] }, { minVramMb: 0n, models: [], tier: 3, runtime: "", gpus: 0 })).toBe(true);
  });

  it("catalogue bounds hold: tier ≤ MAX_TIER, no duplicates, only vendor/model/tier, bounded names and length", async () => {
    const c = (chain = await startTestChain(testGenesis({}), { midBlockCalls: true }));
    const before = workersParams.get(c.app.store);
    const h100 = { vendor: "nvidia", model: "H100", tier: 3 };
    const refusals: [unknown[], string][] = [
      [[{ ...h100, tier: 4 }], "invalid workers params: gpu_catalog H100: tier must be in 0..3"],
      [[h100, h100], "invalid workers params: gpu_catalog lists H100 twice"],
      [[{ ...h100, price: 1 }], "invalid workers params: gpu_catalog entries have only vendor, model and tier, not price"],
      [[{ ...h100, model: "X".repeat(65) }], `invalid workers params: gpu_catalog ${"X".repeat(64)}: vendor and model are at most 64 characters`],
      [[{ ...h100, vendor: "" }], "invalid workers params: gpu_catalog entries need vendor and model strings"],
      [["H100"], "invalid workers params: gpu_catalog entries must be objects"],
      [
        Array.from({ length: MAX_CATALOG_MODELS + 1 }, (_, i) => ({ vendor: "v", model: `M${i}`, tier: 0 })),
        `invalid workers params: gpu_catalog lists ${MAX_CATALOG_MODELS + 1} models, at most ${MAX_CATALOG_MODELS}`,
      ],
    ];
    for (const [catalog, message] of refusals) expect(await setCatalog(c, catalog)).toBe(message);
    expect(workersParams.get(c.app.store)).toEqual(before);
  });
});
