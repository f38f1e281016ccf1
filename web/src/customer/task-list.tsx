/**
 * The client's tasks: state (with why it waits or ended), the state timeline with heights, and
 * per task what can be done with it — open the verified result, read the job logs, cancel.
 */
import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Task } from "../api";
import type { SignAndBroadcast, Wallet } from "../wallet/types";
import { cancelFromPage } from "./submit";
import { statusName, stepText, taskTimeline, type Step } from "./timeline";
import { TaskDetail, type DetailKind } from "./task-detail";
import { kindOf } from "./spend";

const CANCELLABLE = new Set(["PENDING", "ASSIGNED"]);
const WITH_RESULT = new Set(["FINALIZED", "RESOLVED"]);
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Timelines of the listed tasks, refreshed whenever a task's state or height changes. */
function useTimelines(tasks: readonly Task[]): Map<string, Step[]> {
  const [timelines, setTimelines] = useState(new Map<string, Step[]>());
  // A failed read is retried after a pause (a settled task's key never changes again).
  const [retries, setRetries] = useState(0);
  const key = tasks.map((t) => `${t.id}:${t.status}:${String(t.updated_height)}`).join(",");
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    void Promise.all(tasks.map(async (t) => [t.id, await taskTimeline(t)] as const)).then(
      (pairs) => live && setTimelines(new Map(pairs)),
      () => {
        if (live) timer = setTimeout(() => setRetries((n) => n + 1), 3000);
      },
    );
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key, retries]);
  return timelines;
}

function reason(task: Task): string {
  const why = statusName(task) === "PENDING" ? task.pending_reason : task.status_reason;
  // "finalized (finalized)" says nothing; a reason that differs from the state does.
  return typeof why === "string" && why !== "" && why !== statusName(task).toLowerCase() ? ` (${why})` : "";
}

function cancellable(task: Task, wallet: Wallet | undefined): boolean {
  const assignments = Array.isArray(task.assignments) ? (task.assignments as { committed?: boolean }[]) : [];
  return wallet?.address === task.client && CANCELLABLE.has(statusName(task)) && !assignments.some((a) => a.committed);
}

export function TaskList({ tasks, wallet, sign }: { tasks: readonly Task[]; wallet?: Wallet; sign: SignAndBroadcast }) {
  const timelines = useTimelines(tasks);
  const [detail, setDetail] = useState<{ id: string; kind: DetailKind } | undefined>();
  const [notice, setNotice] = useState<{ text?: string; error?: string }>({});
  const cancel = async (task: Task) => {
    setNotice({ text: `cancelling task ${task.id}…` });
    try {
      const refunded = await cancelFromPage(wallet!, sign, task.id);
      setNotice({ text: `task ${task.id} cancelled: ${refunded} uogpu refunded` });
    } catch (err) {
      setNotice({ error: `cancelling task ${task.id} failed: ${message(err)}` });
    }
  };
  const shown = detail && tasks.find((t) => t.id === detail.id);
  return (
    <>
      <div class="table-scroll">
      <table class="tasks" data-testid="client-tasks">
        <thead><tr><th scope="col">Task</th><th scope="col">Kind</th><th scope="col">State</th><th scope="col">Timeline (heights)</th><th scope="col">Actions</th></tr></thead>
        <tbody>
          {tasks.map((t) => (
            <tr key={t.id}>
              <th scope="row">{t.id}</th>
              <td>{kindOf(t)}</td>
              <td>{statusName(t)}{reason(t)}</td>
              <td class="timeline">{(timelines.get(t.id) ?? []).map((s, i) => <Fragment key={s.name}>{i > 0 && " → "}<span>{stepText(s)}</span></Fragment>)}</td>
              <td><div class="actions">
                {WITH_RESULT.has(statusName(t)) && <button type="button" onClick={() => setDetail({ id: t.id, kind: "result" })} aria-label={`Open result of task ${t.id}`}>Result</button>}
                {Array.isArray(t.logs) && t.logs.length > 0 && <button type="button" onClick={() => setDetail({ id: t.id, kind: "logs" })} aria-label={`Logs of task ${t.id}`}>Logs</button>}
                {cancellable(t, wallet) && <button type="button" onClick={() => void cancel(t)} aria-label={`Cancel task ${t.id}`}>Cancel</button>}
              </div></td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      <p aria-live="polite" data-testid="task-notice">{notice.text}</p>
      {notice.error && <p role="alert" class="error">{notice.error}</p>}
      {shown && <TaskDetail key={`${shown.id}:${detail!.kind}`} task={shown} kind={detail!.kind} wallet={wallet} onClose={() => setDetail(undefined)} />}
    </>
  );
}
