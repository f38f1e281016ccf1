/**
 * Customer page: submit a task (built-in kind or program folder, input file, encrypted by
 * default) with a live estimate; follow the client's tasks along their state timeline; open
 * each verified result in the browser, read its logs, cancel what is still cancellable; spend
 * history as CSV or JSON. Signs with the header's wallet (useWallet, web/src/tx.ts); without one
 * it shows any address's tasks read-only. The parts live in web/src/customer/.
 */
import { useState } from "preact/hooks";
import { api, formatOgpu, type Task } from "./api";
import { usePoll } from "./usePoll";
import { signAndBroadcast } from "./tx";
import { useWallet } from "./wallet/context";
import { SubmitForm } from "./customer/submit-form";
import { TaskList } from "./customer/task-list";
import { download, spendRow, toCsv } from "./customer/spend";
import "./customer/customer.css";

const CLIENT_KEY = "ogpu.client";

export function CustomerPage() {
  const { wallet } = useWallet();
  const [typed, setTyped] = useState(() => localStorage.getItem(CLIENT_KEY) ?? "");
  // The wallet's account when one is unlocked; otherwise the address typed in (read-only).
  const client = wallet?.address ?? typed;
  const tasks = usePoll(() => (client === "" ? Promise.resolve({ tasks: [] as Task[] }) : api.tasks(`&client=${encodeURIComponent(client)}`)), 2000, [client]);
  const list = [...(tasks.data?.tasks ?? [])].reverse();
  const rows = list.map(spendRow);
  const spent = rows.reduce((sum, r) => sum + BigInt(r.cost_uogpu || "0"), 0n);
  return (
    <section aria-labelledby="customer-title">
      <h1 id="customer-title">Customer</h1>
      {wallet ? (
        <p data-testid="client">Signed in as <code>{wallet.address}</code></p>
      ) : (
        <form class="inline" onSubmit={(e) => { e.preventDefault(); localStorage.setItem(CLIENT_KEY, typed); }}>
          <label for="client">Client address</label>
          <input id="client" value={typed} placeholder="ogpu1…" onInput={(e) => setTyped(e.currentTarget.value.trim())} />
          <button type="submit">Remember</button>
        </form>
      )}
      <SubmitForm wallet={wallet} sign={signAndBroadcast} onSubmitted={() => undefined} />
      <h2>Tasks</h2>
      {tasks.error && <p role="alert" class="error">{tasks.error}</p>}
      <TaskList tasks={list} wallet={wallet} sign={signAndBroadcast} />
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
