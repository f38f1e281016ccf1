/**
 * One task's result or logs, opened in the browser (result.ts): the result shows "verified"
 * with the digest it hashes to and offers the plaintext as a download; logs are shown per worker.
 */
import { useEffect, useState } from "preact/hooks";
import type { OpenedTaskLog } from "../../../sdk/browser";
import type { Task } from "../api";
import type { Wallet } from "../wallet/types";
import { openLogs, openResult, type OpenedResult } from "./result";
import { downloadUrl } from "./spend";

export type DetailKind = "result" | "logs";

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function ResultView({ task, result }: { task: Task; result: OpenedResult }) {
  const [url] = useState(() => downloadUrl(result.output, "application/octet-stream"));
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <>
      <p data-testid="result-verified" class="verified">
        verified: {result.output.length} bytes{result.encrypted ? ", decrypted in this browser," : ""} hash to the finalised digest sha256 {result.digest}
      </p>
      <p><a href={url} download={`task-${task.id}-output.bin`}>Download the result of task {task.id}</a></p>
    </>
  );
}

export function TaskDetail({ task, kind, wallet, onClose }: { task: Task; kind: DetailKind; wallet?: Wallet; onClose: () => void }) {
  const [state, setState] = useState<{ result?: OpenedResult; logs?: OpenedTaskLog[]; error?: string }>({});
  useEffect(() => {
    let live = true;
    const open = kind === "result" ? openResult(task, wallet).then((result) => ({ result })) : openLogs(task, wallet).then((logs) => ({ logs }));
    open.then((s) => live && setState(s), (err: unknown) => live && setState({ error: message(err) }));
    return () => {
      live = false;
    };
  }, [task.id, kind, wallet?.address]);
  return (
    <section class="detail" aria-labelledby="detail-title" data-testid="task-detail">
      <h3 id="detail-title">{kind === "result" ? "Result" : "Logs"} of task {task.id}</h3>
      {!state.result && !state.logs && !state.error && <p aria-live="polite">opening…</p>}
      {state.error && <p role="alert" class="error" data-testid="detail-error">{state.error}</p>}
      {state.result && <ResultView task={task} result={state.result} />}
      {state.logs && state.logs.length === 0 && <p>No logs posted yet.</p>}
      {state.logs?.map((log) => (
        <figure key={log.logCid}>
          <figcaption>worker {log.worker}, posted at height {log.height.toString()}</figcaption>
          <pre data-testid="log-text">{log.text}</pre>
        </figure>
      ))}
      <button type="button" onClick={onClose}>Close</button>
    </section>
  );
}
