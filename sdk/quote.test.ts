import { describe, expect, it } from "vitest";
import { WorkerStatus } from "../proto/gen/ogpu/workers/v1/workers.js";
import { quoteTask } from "./quote.js";
import type { CandidateWorker } from "./task-io.js";

const worker = (operator: string, tier: number, status = WorkerStatus.WORKER_STATUS_ONLINE): CandidateWorker => ({
  status,
  tier,
  worker: { operator, encPubkey: new Uint8Array(1216), runtimes: ["process"], gpus: [{ model: "RTX4090", vramMb: 24_576n }] },
});
const basePrices = [
  { tier: 0, basePricePerUnit: "10" },
  { tier: 1, basePricePerUnit: "40" },
];

describe("quoteTask (the CLI prompt's and the web page's estimate)", () => {
  it("escrows max price × units × k and counts the online workers meeting the requirements", () => {
    const workers = [worker("ogpu1a", 0), worker("ogpu1b", 1), worker("ogpu1c", 1, WorkerStatus.WORKER_STATUS_OFFLINE)];
    const q = quoteTask({ units: 10n, redundancy: 2, maxPricePerUnit: "50", requirements: { tier: 1 }, basePrices, workers });
    expect(q).toEqual({ escrow: 1000n, tier: 1, basePrice: 40n, qualifying: ["ogpu1b"], belowBase: false });
    expect(quoteTask({ units: 3, maxPricePerUnit: 5n, basePrices, workers }).escrow).toBe(15n);
  });

  it("flags a bid below the tier's base price, and an unknown tier has no base price", () => {
    expect(quoteTask({ units: 1, maxPricePerUnit: 39, requirements: { tier: 1 }, basePrices, workers: [] }).belowBase).toBe(true);
    const unknown = quoteTask({ units: 1, maxPricePerUnit: 1, requirements: { tier: 3 }, basePrices, workers: [] });
    expect(unknown.basePrice).toBeUndefined();
    expect(unknown.belowBase).toBe(false);
  });
});
