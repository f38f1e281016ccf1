/**
 * Provider page: one operator's worker (status, tier, GPUs, reliability, jail, bond), the jobs
 * assigned to it, what it earned per finalized job (chart), where its money is
 * (provider-earnings.tsx: balance, emission rewards, staking rewards to withdraw), its slashes
 * with their reasons, and, when the worker's /metrics is reachable from the browser, its
 * utilisation. With the wallet unlocked the operator registers, updates or exits its own worker
 * (provider-actions.tsx).
 */
import { useEffect, useState } from "preact/hooks";
import { api, formatOgpu, history, type Task } from "./api";
import { PriceChart } from "./price-chart";
import { ProviderActions } from "./provider-actions";
import { ProviderEarnings } from "./provider-earnings";
import { SlashesTable } from "./recent-events";
import { signAndBroadcast } from "./tx";
import { usePoll } from "./usePoll";
import { useWallet } from "./wallet/context";

const OPERATOR_KEY = "ogpu.operator";

interface AssignmentJson {
  worker: string;
  assigned_height: string;
  price_per_unit: string;
  committed: boolean;
}

function assignmentsOf(task: Task): AssignmentJson[] {
  return Array.isArray(task.assignments) ? (task.assignments as AssignmentJson[]) : [];
}

/** Earned per job: units × the price the worker was assigned at (finalized jobs only). */
function earnings(task: Task, operator: string): bigint {
  const mine = assignmentsOf(task).find((a) => a.worker === operator);
  if (mine === undefined || task.status !== "TASK_STATUS_FINALIZED") return 0n;
  return BigInt(String(task.units ?? "0")) * BigInt(mine.price_per_unit || "0");
}

/** Prometheus text → the samples whose names start with ogpu_worker_ (the sidecar's own metrics). */
function workerSamples(text: string): [string, string][] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("ogpu_worker_"))
    .map((line) => {
      const cut = line.lastIndexOf(" ");
      return [line.slice(0, cut), line.slice(cut + 1)] as [string, string];
    });
}

export function ProviderPage() {
  const { wallet } = useWallet();
  const [operator, setOperator] = useState(() => localStorage.getItem(OPERATOR_KEY) ?? wallet?.address ?? "");
  // A wallet unlocked while the box is empty names the operator.
  useEffect(() => {
    if (operator === "" && wallet !== undefined) setOperator(wallet.address);
  }, [wallet]);
  // The wallet's own worker from the list (a Worker query for an unregistered address is a 404 the console would report).
  const workers = usePoll(api.workers, 3000);
  const own = wallet === undefined ? undefined : workers.data?.workers.find((w) => w.worker.operator === wallet.address);
  const slashes = usePoll(() => (operator === "" ? Promise.resolve(undefined) : history.slashes(20, operator)), 6000, [operator]);
  const [metricsUrl, setMetricsUrl] = useState("");
  const [metrics, setMetrics] = useState<{ samples?: [string, string][]; error?: string }>({});
  const registered = operator !== "" && (workers.data?.workers ?? []).some((w) => w.worker.operator === operator);
  const worker = usePoll(() => (registered ? api.worker(operator) : Promise.resolve(undefined)), 3000, [operator, registered]);
  const tasks = usePoll(() => api.tasks(), 3000);
  const jobs = (tasks.data?.tasks ?? []).filter((t) => assignmentsOf(t).some((a) => a.worker === operator));
  const view = worker.data?.worker;
  const finalized = jobs.filter((t) => t.status === "TASK_STATUS_FINALIZED");
  let total = 0n;
  const cumulative = finalized.map((t) => {
    total += earnings(t, operator);
    return Number(total);
  });

  const readMetrics = async (event: Event) => {
    event.preventDefault();
    try {
      const response = await fetch(metricsUrl);
      setMetrics({ samples: workerSamples(await response.text()) });
    } catch (err) {
      setMetrics({ error: `not reachable from this browser (${err instanceof Error ? err.message : String(err)})` });
    }
  };

  return (
    <section aria-labelledby="provider-title">
      <h1 id="provider-title">Provider</h1>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          localStorage.setItem(OPERATOR_KEY, operator);
        }}
      >
        <label for="operator">Operator address</label>
        <input id="operator" name="operator" value={operator} placeholder="ogpu1…" onInput={(e) => setOperator(e.currentTarget.value.trim())} />
        <button type="submit">Remember</button>
      </form>
      {operator !== "" && worker.error && <p role="alert" class="error">{worker.error}</p>}
      {view && (
        <dl class="stats" data-testid="worker">
          <div><dt>Status</dt><dd data-testid="worker-status">{view.status.replace("WORKER_STATUS_", "")}</dd></div>
          <div><dt>Tier</dt><dd>{view.tier}</dd></div>
          <div><dt>GPUs</dt><dd>{view.worker.gpus.map((g) => `${g.count ?? 1}× ${g.model}`).join(", ") || "none"}</dd></div>
          <div><dt>Bond</dt><dd>{formatOgpu(view.worker.bond || "0")} OGPU</dd></div>
          <div><dt>Jail</dt><dd>{view.status === "WORKER_STATUS_JAILED" ? "jailed" : "not jailed"}</dd></div>
          <div><dt>Open tasks</dt><dd>{view.worker.open_tasks}</dd></div>
          <div><dt>Last heartbeat</dt><dd>{view.worker.last_heartbeat_height}</dd></div>
          <div><dt>Reliability</dt><dd>{Object.entries(view.worker.reliability ?? {}).map(([k, v]) => `${k}: ${v}`).join(", ") || "—"}</dd></div>
        </dl>
      )}

      {wallet !== undefined && (
        <>
          <h2>Your worker</h2>
          <ProviderActions wallet={wallet} send={signAndBroadcast} view={own} />
        </>
      )}
      {wallet === undefined && <p class="note">Unlock or import a key in the wallet panel to register, update or exit a worker and withdraw rewards from this page.</p>}

      <h2>Jobs</h2>
      <table data-testid="jobs">
        <thead><tr><th scope="col">Task</th><th scope="col">State</th><th scope="col">Assigned at</th><th scope="col">Earned (uogpu)</th></tr></thead>
        <tbody>
          {jobs.map((t) => (
            <tr key={t.id}>
              <th scope="row">{t.id}</th>
              <td>{t.status.replace("TASK_STATUS_", "")}</td>
              <td>{assignmentsOf(t).find((a) => a.worker === operator)?.assigned_height}</td>
              <td>{earnings(t, operator).toString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {jobs.length === 0 && <p>No jobs for this operator.</p>}

      <h2>Earnings</h2>
      <p data-testid="earnings-total">Total earned on finalized jobs: {formatOgpu(total)} OGPU</p>
      {finalized.length > 0 && (
        <PriceChart
          series={{ heights: finalized.map((t) => Number(t.id)), tiers: new Map([[0, cumulative]]) }}
          width={Math.min(window.innerWidth - 48, 900)}
          label="Cumulative earnings by task id"
          xLabel="task id"
          yLabel="uogpu"
          seriesLabel={() => "earned"}
        />
      )}

      {operator !== "" && <ProviderEarnings operator={operator} wallet={wallet} send={signAndBroadcast} />}

      <h2>Slashes</h2>
      {slashes.error && <p class="error">Cannot read slashes: {slashes.error}</p>}
      <SlashesTable slashes={slashes.data?.slashes ?? []} label="Slashes of this operator" />
      {(slashes.data?.slashes.length ?? 0) === 0 && <p>No slashes recorded for this operator.</p>}

      <h2>Utilisation</h2>
      <form class="inline" onSubmit={readMetrics}>
        <label for="metrics-url">Worker /metrics URL</label>
        <input id="metrics-url" value={metricsUrl} placeholder="http://worker:9464/metrics" onInput={(e) => setMetricsUrl(e.currentTarget.value.trim())} />
        <button type="submit">Read</button>
      </form>
      {metrics.error && <p class="error">{metrics.error}</p>}
      {metrics.samples && (
        <table>
          <tbody>
            {metrics.samples.map(([name, value]) => <tr key={name}><th scope="row">{name}</th><td>{value}</td></tr>)}
          </tbody>
        </table>
      )}
    </section>
  );
}
