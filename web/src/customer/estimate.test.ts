import { describe, expect, it } from "vitest";
import type { WorkerView } from "../api";
import { estimate } from "./estimate";

/** A worker as the REST listing shows it. */
function worker(operator: string, price: string, openTasks: number, tier = 0): WorkerView {
  return {
    status: "WORKER_STATUS_ONLINE",
    tier,
    worker: {
      operator,
      gpus: [{ model: "RTX4090", vram_mb: "24576" }],
      region: "eu",
      price_per_unit: price,
      max_concurrent: 2,
      bond: "0",
      registered_height: "1",
      last_heartbeat_height: "1",
      open_tasks: openTasks,
      exit_height: "0",
      runtimes: [],
      enc_pubkey: btoa(String.fromCharCode(...new Uint8Array(1216))),
    },
  };
}

const prices = [{ tier: 0, base_price_per_unit: "10", utilization_bps: 0 }];
const base = { units: 10n, k: 2, requirements: { tier: 0 }, prices, pending: 0 };

describe("the customer page's live estimate", () => {
  it("escrow, base price and qualifying workers from the shared quote; free slots mean the next block", () => {
    const e = estimate({ ...base, maxPricePerUnit: 200n, workers: [worker("ogpu1a", "100", 0), worker("ogpu1b", "100", 1)] });
    expect(e).toEqual({ escrow: 4000n, basePrice: 10n, qualifying: 2, affordable: 2, wait: "assigned in the next block or so (3 free slots)" });
  });

  it("says what the task waits for: the base price, workers at its price, or the queue", () => {
    const workers = [worker("ogpu1a", "100", 2), worker("ogpu1b", "150", 2)];
    expect(estimate({ ...base, maxPricePerUnit: 5n, workers }).wait).toBe("waits until the tier 0 base price falls to your max price");
    expect(estimate({ ...base, maxPricePerUnit: 120n, workers }).wait).toBe("waits for 2 qualifying workers at your price (1 online)");
    expect(estimate({ ...base, maxPricePerUnit: 200n, workers, pending: 3 }).wait).toBe("queued behind 3 pending task(s): assigned as the 0 free slot(s) and running jobs allow");
  });
});
