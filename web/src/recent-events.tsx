/**
 * Recent slashes (validators and workers: reason, height, amount) and recent audit and dispute
 * committees (task, members, outcome so far), from the node's event index
 * (/ogpu/history/v1/…, server/routes-history.ts).
 */
import { Fragment } from "preact";
import { formatOgpu, history, type AuditEntry, type SlashEntry } from "./api";
import { usePoll } from "./usePoll";

const POLL_MS = 6000;

/** A long bech32 address kept readable: its prefix and last characters, the whole in the title. */
export function ShortAddress({ address }: { address: string }) {
  const short = address.length > 24 ? `${address.slice(0, 12)}…${address.slice(-6)}` : address;
  return <span title={address}>{short}</span>;
}

export function SlashesTable({ slashes, label }: { slashes: SlashEntry[]; label: string }) {
  return (
    <div class="scroll">
    <table data-testid="slashes" aria-label={label}>
      <thead><tr><th scope="col">Height</th><th scope="col">Who</th><th scope="col">Reason</th><th scope="col">Amount (OGPU)</th><th scope="col">Task</th></tr></thead>
      <tbody>
        {slashes.map((s) => (
          <tr key={`${s.height}-${s.subject}-${s.address}-${s.reason}-${s.task_id}`}>
            <th scope="row">{s.height}</th>
            <td>{s.subject} <ShortAddress address={s.address} /></td>
            <td data-testid="slash-reason">{s.reason}</td>
            <td>{formatOgpu(s.amount || "0")}</td>
            <td>{s.task_id || "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
    </div>
  );
}

function AuditsTable({ audits }: { audits: AuditEntry[] }) {
  return (
    <div class="scroll">
    <table data-testid="audits" aria-label="Recent audits">
      <thead><tr><th scope="col">Height</th><th scope="col">Task</th><th scope="col">Committee</th><th scope="col">Outcome</th></tr></thead>
      <tbody>
        {audits.map((a) => (
          <tr key={`${a.height}-${a.task_id}-${a.kind}`}>
            <th scope="row">{a.height}</th>
            <td>{a.task_id} ({a.kind})</td>
            <td>{a.members.map((m, i) => <Fragment key={m}>{i > 0 && ", "}<ShortAddress address={m} /></Fragment>)}{a.members.length === 0 && "nobody eligible"}</td>
            <td>{a.task_status.replace("TASK_STATUS_", "") || "gone"}</td>
          </tr>
        ))}
      </tbody>
    </table>
    </div>
  );
}

export function RecentEvents() {
  const slashes = usePoll(() => history.slashes(), POLL_MS);
  const audits = usePoll(() => history.audits(), POLL_MS);
  return (
    <div class="columns">
      <div>
        <h2>Recent slashes</h2>
        {slashes.error && <p class="error">Cannot read slashes: {slashes.error}</p>}
        <SlashesTable slashes={slashes.data?.slashes ?? []} label="Recent slashes" />
        {slashes.data?.slashes.length === 0 && <p>No slashes recorded.</p>}
      </div>
      <div>
        <h2>Recent audits</h2>
        {audits.error && <p class="error">Cannot read audits: {audits.error}</p>}
        <AuditsTable audits={audits.data?.audits ?? []} />
        {audits.data?.audits.length === 0 && <p>No audits yet.</p>}
      </div>
    </div>
  );
}
