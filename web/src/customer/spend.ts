/**
 * Spend history: per task what the client paid (finalized: units × each assignment's price) or
 * still has in escrow, exported as CSV or JSON, and the browser download helpers.
 */
import type { Task } from "../api";

export interface SpendRow {
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

/** The built-in kind, or the program's bundle CID for a program task. */
export const kindOf = (task: Task): string => (field(task, "kind") === "program" ? `program ${field(task, "program_hash")}` : field(task, "kind") || field(task, "program_hash"));

function cost(task: Task): bigint {
  if (task.status !== "TASK_STATUS_FINALIZED") return BigInt(field(task, "escrow") || "0");
  const assignments = Array.isArray(task.assignments) ? (task.assignments as { price_per_unit: string }[]) : [];
  return assignments.reduce((sum, a) => sum + BigInt(field(task, "units") || "0") * BigInt(a.price_per_unit || "0"), 0n);
}

export function spendRow(task: Task): SpendRow {
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

export function toCsv(rows: readonly SpendRow[]): string {
  const header = Object.keys(rows[0] ?? spendRow({ id: "", client: "", status: "" })) as (keyof SpendRow)[];
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header.join(","), ...rows.map((r) => header.map((h) => quote(r[h])).join(","))].join("\n") + "\n";
}

/** An object URL for bytes or text (the caller revokes it). */
export function downloadUrl(data: Uint8Array | string, type: string): string {
  return URL.createObjectURL(new Blob([data as BlobPart], { type }));
}

/** Offers `data` as a file download. */
export function download(name: string, type: string, data: Uint8Array | string): void {
  const url = downloadUrl(data, type);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
