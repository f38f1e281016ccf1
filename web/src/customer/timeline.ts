/**
 * A task's state timeline with block heights: submitted → assigned → committed → revealed →
 * audited → finalized (or where it stopped). Submission, assignments and commits are on the task
 * itself; reveals and audit votes only in the txs that carried them (x/attest drops its record
 * when the task settles), read once per task state and kept.
 */
import { REVEAL_EVENT } from "../../../sdk/browser";
import type { Task } from "../api";
import { taskTxEvents } from "./chain";

export interface Step {
  /** "submitted", "assigned", "committed", "revealed", "audited", or the task's current state. */
  name: string;
  /** Heights the step happened at (one per worker or vote, distinct, ascending). */
  heights: number[];
}

interface AssignmentJson {
  assigned_height?: string;
  committed?: boolean;
  committed_height?: string;
}

const AFTER_REVEAL = new Set(["REVEALED", "AUDITING", "FINALIZED", "DISPUTED", "RESOLVED", "FAILED"]);
const known = new Map<string, { revealed: number[]; audited: number[] }>();

function distinct(heights: number[]): number[] {
  return [...new Set(heights.filter((h) => h > 0))].sort((a, b) => a - b);
}

/** The status name without its prefix: "FINALIZED". */
export const statusName = (task: Task): string => task.status.replace("TASK_STATUS_", "");

/** Reveal and audit-vote heights of a task that got that far (cached per id and state). */
async function attestHeights(task: Task): Promise<{ revealed: number[]; audited: number[] }> {
  if (!AFTER_REVEAL.has(statusName(task))) return { revealed: [], audited: [] };
  const key = `${task.id}@${String(task.updated_height)}`;
  const cached = known.get(key);
  if (cached) return cached;
  const taskId = BigInt(task.id);
  const [reveals, votes] = await Promise.all([taskTxEvents(taskId, REVEAL_EVENT), taskTxEvents(taskId, "attest_vote")]);
  const found = { revealed: distinct(reveals.map((r) => r.height)), audited: distinct(votes.map((v) => v.height)) };
  known.set(key, found);
  return found;
}

export async function taskTimeline(task: Task): Promise<Step[]> {
  const assignments = Array.isArray(task.assignments) ? (task.assignments as AssignmentJson[]) : [];
  const { revealed, audited } = await attestHeights(task);
  const steps: Step[] = [
    { name: "submitted", heights: [Number(task.submit_height ?? 0)] },
    { name: "assigned", heights: distinct(assignments.map((a) => Number(a.assigned_height ?? 0))) },
    { name: "committed", heights: distinct(assignments.filter((a) => a.committed).map((a) => Number(a.committed_height ?? 0))) },
    { name: "revealed", heights: revealed },
    { name: "audited", heights: audited },
  ].filter((s) => s.heights.length > 0);
  const state = statusName(task).toLowerCase();
  if (!steps.some((s) => s.name === state)) steps.push({ name: state, heights: [Number(task.updated_height ?? 0)] });
  return steps;
}

export const stepText = (s: Step): string => `${s.name} @${s.heights.join(",")}`;
