/**
 * Network page: height and block time live, validators (validators.tsx: stake, compute bonus,
 * reliability, the multiplier power / stake, stake vs compute share), base price per tier over
 * the heights seen since the page opened, tasks by state, workers online per tier, jailed
 * validators and workers, recent slashes and audits (recent-events.tsx).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type LatestBlock, type TierPrice } from "./api";
import { PriceChart, type PriceSeries } from "./price-chart";
import { usePoll } from "./usePoll";
import { ValidatorsTable } from "./validators";
import { RecentEvents } from "./recent-events";

const POLL_MS = 2000;
/** Points the price chart keeps (one per height seen). */
const MAX_POINTS = 300;

function shortStatus(status: string, prefix: string): string {
  return status.startsWith(prefix) ? status.slice(prefix.length) : status;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Height, and seconds per block averaged over the blocks seen since the page opened. */
function useChainHead() {
  const [head, setHead] = useState<{ height: bigint; blockSeconds?: number; chainId: string }>();
  const first = useRef<{ height: bigint; ms: number } | undefined>(undefined);
  const block = usePoll<LatestBlock>(api.latestBlock, POLL_MS);
  useEffect(() => {
    const header = block.data?.block.header;
    if (header === undefined) return;
    const height = BigInt(header.height);
    const ms = Date.parse(header.time);
    if (first.current === undefined) first.current = { height, ms };
    const blocks = Number(height - first.current.height);
    setHead({ height, chainId: header.chain_id, blockSeconds: blocks > 0 ? (ms - first.current.ms) / 1000 / blocks : undefined });
  }, [block.data]);
  return { head, error: block.error };
}

/** Appends the base prices to the series whenever the height moves. */
function usePriceSeries(height: bigint | undefined): PriceSeries {
  const [series, setSeries] = useState<PriceSeries>({ heights: [], tiers: new Map() });
  useEffect(() => {
    if (height === undefined) return;
    let live = true;
    api.basePrice().then(({ prices }: { prices: TierPrice[] }) => {
      if (!live) return;
      setSeries((old) => {
        if (old.heights.at(-1) === Number(height)) return old;
        const heights = [...old.heights, Number(height)].slice(-MAX_POINTS);
        const tiers = new Map<number, (number | null)[]>();
        const allTiers = new Set([...old.tiers.keys(), ...prices.map((p) => p.tier)]);
        for (const tier of allTiers) {
          const before = old.tiers.get(tier) ?? old.heights.map(() => null);
          const price = prices.find((p) => p.tier === tier);
          tiers.set(tier, [...before, price === undefined ? null : Number(price.base_price_per_unit)].slice(-MAX_POINTS));
        }
        return { heights, tiers };
      });
    }, () => undefined);
    return () => {
      live = false;
    };
  }, [height]);
  return series;
}

function useWidth(): number {
  const [width, setWidth] = useState(() => Math.min(window.innerWidth - 48, 900));
  useEffect(() => {
    const onResize = () => setWidth(Math.min(window.innerWidth - 48, 900));
    window.addEventListener("resize", onResize);
    return () => window.removeEventListener("resize", onResize);
  }, []);
  return width;
}

export function NetworkPage() {
  const { head, error } = useChainHead();
  const validators = usePoll(api.validators, POLL_MS * 3);
  const prices = usePoll(api.basePrice, POLL_MS);
  const tasks = usePoll(() => api.tasks(), POLL_MS * 2);
  const workers = usePoll(api.workers, POLL_MS * 2);
  const series = usePriceSeries(head?.height);
  const width = useWidth();

  const vals = validators.data?.validators ?? [];
  const workerList = workers.data?.workers ?? [];
  const online = workerList.filter((w) => w.status === "WORKER_STATUS_ONLINE");
  const jailedWorkers = workerList.filter((w) => w.status === "WORKER_STATUS_JAILED");
  const jailedValidators = vals.filter((v) => v.jailed);

  return (
    <section aria-labelledby="network-title">
      <h1 id="network-title">Network</h1>
      {error && <p role="alert" class="error">Cannot reach the node: {error}</p>}
      <dl class="stats">
        <div><dt>Chain</dt><dd data-testid="chain-id">{head?.chainId ?? "…"}</dd></div>
        <div><dt>Height</dt><dd data-testid="height">{head?.height.toString() ?? "…"}</dd></div>
        <div><dt>Block time</dt><dd data-testid="block-time">{head?.blockSeconds === undefined ? "…" : `${head.blockSeconds.toFixed(2)} s`}</dd></div>
        <div><dt>Workers online</dt><dd>{online.length}</dd></div>
      </dl>

      <ValidatorsTable />

      <h2>Base price per tier</h2>
      <PriceChart series={series} width={width} />
      <table data-testid="prices">
        <thead><tr><th scope="col">Tier</th><th scope="col">Base price (uogpu / unit)</th><th scope="col">Utilisation</th></tr></thead>
        <tbody>
          {(prices.data?.prices ?? []).map((p) => (
            <tr key={p.tier}><th scope="row">{p.tier}</th><td>{p.base_price_per_unit}</td><td>{(p.utilization_bps / 100).toFixed(2)} %</td></tr>
          ))}
        </tbody>
      </table>

      <div class="columns">
        <div>
          <h2>Tasks by state</h2>
          <table data-testid="tasks-by-state">
            <tbody>
              {countBy(tasks.data?.tasks ?? [], (t) => shortStatus(t.status, "TASK_STATUS_")).map(([state, n]) => (
                <tr key={state}><th scope="row">{state}</th><td>{n}</td></tr>
              ))}
            </tbody>
          </table>
          {(tasks.data?.tasks.length ?? 0) === 0 && <p>No tasks yet.</p>}
        </div>
        <div>
          <h2>Workers online per tier</h2>
          <table data-testid="workers-per-tier">
            <tbody>
              {countBy(online, (w) => `tier ${w.tier}`).map(([tier, n]) => (
                <tr key={tier}><th scope="row">{tier}</th><td>{n}</td></tr>
              ))}
            </tbody>
          </table>
          {online.length === 0 && <p>No worker online.</p>}
        </div>
      </div>

      <h2>Jailed</h2>
      <ul data-testid="jailed">
        {jailedValidators.map((v) => <li key={v.operator_address}>validator {v.description.moniker || v.operator_address}</li>)}
        {jailedWorkers.map((w) => <li key={w.worker.operator}>worker {w.worker.operator}</li>)}
        {jailedValidators.length + jailedWorkers.length === 0 && <li>Nobody is jailed.</li>}
      </ul>

      <RecentEvents />
    </section>
  );
}
