/**
 * Customer page (read-only for now): one client's tasks with their state timeline and heights,
 * a live price estimate for a task of given units, redundancy and tier, and the spend history
 * exported as CSV or JSON. Submitting, cancelling and opening results need the wallet (not yet).
 */
import { useState } from "preact/hooks";
import { api, formatOgpu, type Task } from "./api";
import { usePoll } from "./usePoll";

const CLIENT_KEY = "ogpu.client";

interface SpendRow {
  id: string;
  kind: string;
  status: string;
  units: string;
  redundancy: string;
  /** Finalized: paid to the workers (units × each assignment's price); otherwise the escrow still held. */
  cost_uogpu: string;
  submit_height: string;
  updated_height: string;
}

function field(task: Task, name: string): string {
  const value = task[name];
  return value === undefined || value === null ? "" : String(value);
}

function cost(task: Task): bigint {
  if (task.status !== "TASK_STATUS_FINALIZED") return BigInt(field(task, "escrow") || "0");
  const assignments = Array.isArray(task.assignments) ? (task.assignments as { price_per_unit: string }[]) : [];
  return assignments.reduce((sum, a) => sum + BigInt(field(task, "units") || "0") * BigInt(a.price_per_unit || "0"), 0n);
}

function spendRow(task: Task): SpendRow {
  return {
    id: task.id,
    kind: field(task, "kind") || field(task, "program_hash"),
    status: task.status.replace("TASK_STATUS_", ""),
    units: field(task, "units"),
    redundancy: field(task, "redundancy"),
    cost_uogpu: cost(task).toString(),
    submit_height: field(task, "submit_height"),
    updated_height: field(task, "updated_height"),
  };
}

/** The state timeline the chain records: submitted, each assignment, the latest state. */
function timeline(task: Task): string {
  const assigned = Array.isArray(task.assignments) ? (task.assignments as { assigned_height: string }[]).map((a) => `assigned @${a.assigned_height}`) : [];
  return [`submitted @${field(task, "submit_height")}`, ...assigned, `${task.status.replace("TASK_STATUS_", "").toLowerCase()} @${field(task, "updated_height")}`].join(" → ");
}

function toCsv(rows: readonly SpendRow[]): string {
  const header = Object.keys(rows[0] ?? spendRow({ id: "", client: "", status: "" })) as (keyof SpendRow)[];
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header.join(","), ...rows.map((r) => header.map((h) => quote(r[h])).join(","))].join("\n") + "\n";
}

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function Estimate() {
  const [units, setUnits] = useState("10");
  const [k, setK] = useState("2");
  const [tier, setTier] = useState("0");
  const prices = usePoll(api.basePrice, 3000);
  const workers = usePoll(api.workers, 3000);
  const price = prices.data?.prices.find((p) => String(p.tier) === tier);
  const valid = /^\d+$/.test(units) && /^\d+$/.test(k);
  const escrow = price && valid ? BigInt(units) * BigInt(k) * BigInt(price.base_price_per_unit) : undefined;
  const qualifying = (workers.data?.workers ?? []).filter((w) => w.status === "WORKER_STATUS_ONLINE" && w.tier >= Number(tier)).length;
  return (
    <form class="estimate" onSubmit={(e) => e.preventDefault()} aria-labelledby="estimate-title">
      <h2 id="estimate-title">Price estimate</h2>
      <label for="est-units">Units</label>
      <input id="est-units" inputMode="numeric" value={units} onInput={(e) => setUnits(e.currentTarget.value.trim())} />
      <label for="est-k">Workers (k)</label>
      <input id="est-k" inputMode="numeric" value={k} onInput={(e) => setK(e.currentTarget.value.trim())} />
      <label for="est-tier">Minimum tier</label>
      <select id="est-tier" value={tier} onChange={(e) => setTier(e.currentTarget.value)}>
        {(prices.data?.prices ?? []).map((p) => <option key={p.tier} value={String(p.tier)}>tier {p.tier}</option>)}
      </select>
      <output data-testid="estimate" for="est-units est-k est-tier">
        {escrow === undefined ? "—" : `escrow at base price: ${formatOgpu(escrow)} OGPU (${price?.base_price_per_unit} uogpu/unit base) · ${qualifying} qualifying workers online`}
      </output>
    </form>
  );
}

export function CustomerPage() {
  const [client, setClient] = useState(() => localStorage.getItem(CLIENT_KEY) ?? "");
  const tasks = usePoll(() => (client === "" ? Promise.resolve({ tasks: [] as Task[] }) : api.tasks(`&client=${encodeURIComponent(client)}`)), 3000, [client]);
  const list = tasks.data?.tasks ?? [];
  const rows = list.map(spendRow);
  const spent = rows.reduce((sum, r) => sum + BigInt(r.cost_uogpu || "0"), 0n);
  return (
    <section aria-labelledby="customer-title">
      <h1 id="customer-title">Customer</h1>
      <form class="inline" onSubmit={(e) => { e.preventDefault(); localStorage.setItem(CLIENT_KEY, client); }}>
        <label for="client">Client address</label>
        <input id="client" value={client} placeholder="ogpu1…" onInput={(e) => setClient(e.currentTarget.value.trim())} />
        <button type="submit">Remember</button>
      </form>
      <Estimate />
      <h2>Tasks</h2>
      {tasks.error && <p role="alert" class="error">{tasks.error}</p>}
      <table data-testid="client-tasks">
        <thead><tr><th scope="col">Task</th><th scope="col">Kind</th><th scope="col">State</th><th scope="col">Timeline (heights)</th></tr></thead>
        <tbody>
          {list.map((t) => (
            <tr key={t.id}><th scope="row">{t.id}</th><td>{spendRow(t).kind}</td><td>{spendRow(t).status}</td><td>{timeline(t)}</td></tr>
          ))}
        </tbody>
      </table>
      {list.length === 0 && <p>No tasks for this client.</p>}
      <h2>Spend history</h2>
      <p data-testid="spent">Paid or held in escrow over {rows.length} tasks: {formatOgpu(spent)} OGPU</p>
      <div class="inline">
        <button type="button" disabled={rows.length === 0} onClick={() => download("ogpu-spend.csv", "text/csv", toCsv(rows))}>Export CSV</button>
        <button type="button" disabled={rows.length === 0} onClick={() => download("ogpu-spend.json", "application/json", JSON.stringify(rows, null, 2))}>Export JSON</button>
      </div>
    </section>
  );
}
