/**
 * The worker's Prometheus metrics (prom-client, its own registry so tests and several workers
 * in one process never share counters), served as text on GET /metrics of --metrics-port.
 */
import { createServer, type Server } from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type JobState = "started" | "committed" | "revealed" | "failed" | "declined" | "abandoned";

export class WorkerMetrics {
  readonly registry = new Registry();
  readonly jobs = new Counter({ name: "ogpu_worker_jobs_total", help: "Jobs by state reached", labelNames: ["state", "kind"] as const, registers: [this.registry] });
  readonly running = new Gauge({ name: "ogpu_worker_jobs_running", help: "Jobs executing now", registers: [this.registry] });
  readonly duration = new Histogram({
    name: "ogpu_worker_job_duration_seconds",
    help: "Executor run time per job (fetch to output ready)",
    labelNames: ["kind"] as const,
    // GPU jobs run from seconds to a day: 1 s … 24 h, with sub-second buckets for CPU-only checks.
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800, 57600, 86400],
    registers: [this.registry],
  });
  readonly txs = new Counter({ name: "ogpu_worker_txs_total", help: "Transactions by message and outcome", labelNames: ["msg", "outcome"] as const, registers: [this.registry] });
  readonly gpuUtilisation = new Gauge({ name: "ogpu_worker_gpu_utilisation_ratio", help: "GPU utilisation from nvidia-smi, 0–1", labelNames: ["gpu"] as const, registers: [this.registry] });
  readonly earnings = new Counter({ name: "ogpu_worker_earnings_uogpu_total", help: "uogpu paid to this worker by task settlements (net of the market fee), as transferred from the market escrow", registers: [this.registry] });
  readonly height = new Gauge({ name: "ogpu_worker_chain_height", help: "Last block height seen on the websocket", registers: [this.registry] });
  readonly votes = new Counter({
    name: "ogpu_auditor_votes_total",
    help: "Auditor duties by outcome: VERDICT_MATCH / VERDICT_MISMATCH / VERDICT_UNEXECUTABLE sent, missed, rejected, already_voted, closed",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly reconnects = new Counter({ name: "ogpu_worker_ws_reconnects_total", help: "Websocket sessions started after the first", registers: [this.registry] });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  job(state: JobState, kind: string): void {
    this.jobs.inc({ state, kind });
  }

  /** Serves /metrics on 127.0.0.1:`port` (0 = any free port); resolves with the bound port. */
  async serve(port: number, host = "127.0.0.1"): Promise<{ server: Server; port: number }> {
    const server = createServer((req, res) => {
      if (req.url !== "/metrics") {
        res.writeHead(404).end("not found\n");
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": this.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    });
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, host, resolve));
    const address = server.address();
    return { server, port: typeof address === "object" && address ? address.port : port };
  }
}
