/**
 * The market as Prometheus sees it, read from committed state at scrape time through the app's
 * own queries (the same ones REST and the SDK use — nothing re-derived here), plus counters of
 * the audit outcomes and slashes the chain reports in its block events.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { Event } from "cosmjs-types/tendermint/abci/types";
import { accountAddressString, moduleAddress } from "../app/address.js";
import { BASE_DENOM } from "../app/coins.js";
import type { Logger } from "../app/log.js";
import { TaskStatus } from "../proto/gen/ogpu/market/v1/market.js";
import { WorkerStatus } from "../proto/gen/ogpu/workers/v1/workers.js";
import { basePrices, countTasks, getBalance, listWorkers, taskStateName, type AbciQuerier } from "../sdk/queries.js";
import { MARKET_ESCROW } from "../x/market/keeper.js";

/** Scrapes in parallel (one per gauge) share one read of state this young. */
const SNAPSHOT_MAX_AGE_MS = 1000;

const TASK_STATUSES = Object.values(TaskStatus).filter((s): s is TaskStatus => typeof s === "number" && s > TaskStatus.TASK_STATUS_UNSPECIFIED);

/** Attest event types that end an audit or a task's verification, by the `outcome` label they count under. */
const ATTEST_OUTCOMES: Record<string, string> = {
  attest_finalized: "finalized",
  attest_resolved: "resolved",
  attest_failed: "failed",
  attest_wrong_result: "wrong_result",
  attest_auditor_wrong: "auditor_wrong",
  attest_auditor_absent: "auditor_absent",
  attest_reveal_timeout: "reveal_timeout",
};

/** Block events that take stake or bond away: x/workers' bond slashes and x/slashing's validator slashes. */
const SLASH_EVENTS: Record<string, string> = { worker_slashed: "workers", slash: "slashing" };

interface MarketSnapshot {
  tasks: Map<string, bigint>;
  escrow: bigint;
  /** "tier/status" → workers */
  workers: Map<string, number>;
  prices: { tier: number; price: bigint; utilizationBps: number }[];
}

export interface MarketMetrics {
  /** Counts the audit outcomes, slashes and jailings among a committed block's events. */
  observeBlockEvents(events: readonly Event[]): void;
}

const workerStatusName = (s: WorkerStatus) => WorkerStatus[s].replace("WORKER_STATUS_", "").toLowerCase();

async function readSnapshot(rpc: AbciQuerier): Promise<MarketSnapshot> {
  const tasks = new Map<string, bigint>();
  for (const status of TASK_STATUSES) tasks.set(taskStateName(status), await countTasks(rpc, status));
  const escrow = await getBalance(rpc, accountAddressString(moduleAddress(MARKET_ESCROW)), BASE_DENOM);
  const workers = new Map<string, number>();
  for (const w of await listWorkers(rpc)) {
    const key = `${w.tier}/${workerStatusName(w.status)}`;
    workers.set(key, (workers.get(key) ?? 0) + 1);
  }
  const prices = (await basePrices(rpc)).map((p) => ({ tier: p.tier, price: BigInt(p.basePricePerUnit), utilizationBps: p.utilizationBps }));
  return { tasks, escrow, workers, prices };
}

/** Registers the market gauges and event counters on `registry`; state is read through `rpc` when scraped. */
export function createMarketMetrics(registry: Registry, rpc: AbciQuerier, log: Logger): MarketMetrics {
  const registers = [registry];
  let cached: { at: number; snapshot: Promise<MarketSnapshot | undefined> } | undefined;
  const snapshot = (): Promise<MarketSnapshot | undefined> => {
    const now = Date.now();
    if (cached && now - cached.at < SNAPSHOT_MAX_AGE_MS) return cached.snapshot;
    const read = readSnapshot(rpc).catch((err: unknown) => {
      log.warn({ err }, "market metrics: reading state failed");
      return undefined;
    });
    cached = { at: now, snapshot: read };
    return read;
  };
  /** A gauge refilled from the snapshot on every scrape (label sets that vanished are dropped). */
  const stateGauge = <L extends string>(name: string, help: string, labelNames: L[], fill: (g: Gauge<L>, s: MarketSnapshot) => void) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        const s = await snapshot();
        this.reset();
        if (s) fill(this, s);
      },
    });

  stateGauge("ogpu_market_tasks", "Tasks held in state by status (ended ones until task_retention_blocks prunes them)", ["status"], (g, s) => {
    for (const [status, n] of s.tasks) g.set({ status }, Number(n));
  });
  stateGauge("ogpu_market_escrow_uogpu", "uogpu held in the market escrow account for open tasks", [], (g, s) => g.set(Number(s.escrow)));
  stateGauge("ogpu_workers", "Registered workers by GPU tier and status (online, offline, jailed, exiting)", ["tier", "status"], (g, s) => {
    for (const [key, n] of s.workers) {
      const [tier, status] = key.split("/") as [string, string];
      g.set({ tier, status }, n);
    }
  });
  stateGauge("ogpu_market_base_price_uogpu", "Base price per compute unit of each GPU tier, in uogpu", ["tier"], (g, s) => {
    for (const p of s.prices) g.set({ tier: String(p.tier) }, Number(p.price));
  });
  stateGauge("ogpu_market_utilization_ratio", "Last utilisation of each GPU tier's capacity (0–1), which moves its base price", ["tier"], (g, s) => {
    for (const p of s.prices) g.set({ tier: String(p.tier) }, p.utilizationBps / 10_000);
  });

  const audits = new Counter({ name: "ogpu_attest_outcomes_total", help: "Verification outcomes in committed blocks: finalized, resolved, failed, wrong_result, auditor_wrong, auditor_absent, reveal_timeout", labelNames: ["outcome"], registers });
  const slashes = new Counter({ name: "ogpu_slashes_total", help: "Slashes in committed blocks by module (workers: bonds; slashing: validators) and reason", labelNames: ["module", "reason"], registers });
  const jailings = new Counter({ name: "ogpu_workers_jailed_total", help: "Workers jailed in committed blocks, by reason", labelNames: ["reason"], registers });
  const attribute = (e: Event, key: string) => e.attributes.find((a) => a.key === key)?.value ?? "";
  return {
    observeBlockEvents(events) {
      for (const e of events) {
        const outcome = ATTEST_OUTCOMES[e.type];
        if (outcome) audits.inc({ outcome });
        const module = SLASH_EVENTS[e.type];
        if (module) slashes.inc({ module, reason: attribute(e, "reason") });
        if (e.type === "worker_jailed") jailings.inc({ reason: attribute(e, "reason") });
      }
    },
  };
}
