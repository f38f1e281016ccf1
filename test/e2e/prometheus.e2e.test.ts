/**
 * Operations end to end: a real node (ogpud + cometbft, JSON logs at debug) with one real
 * `ogpu-worker`, scraped by Debian's real `prometheus` (make deps installs it) loaded with
 * ops/prometheus/alerts.yml:
 *  - every target (ogpud /metrics, CometBFT's own Prometheus port that `ogpud init` turned on,
 *    the worker's --metrics-port) is up, and market metrics read from state arrive;
 *  - `promtool check rules` accepts the rules; Prometheus evaluates every alert rule without an
 *    error, and every alert and dashboard (ops/grafana/ogpu.json) expression answers a vector
 *    through the query API;
 *  - /readyz: 200 on the running node, 503 with a reason while cometbft is frozen (SIGSTOP) and
 *    while it is not running at all (`ogpud start --no-cometbft`), /healthz 200 throughout.
 * Ports: TEST_PORTS.prometheus (testnet/ports.ts): the node (its CometBFT Prometheus at +6),
 * worker metrics +10, Prometheus +20.
 */
import { TEST_PORTS, portAt } from "../../testnet/ports.js";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { packageRoot } from "../../cmd/paths.js";
import { OgpuClient } from "../../sdk/client.js";
import { offsetPort, startTestNode, type Devnet, type TestNode } from "../../testnet/devnet.js";
import { cometbftPid, OGPU, PREFIX, restGet, TASK_TX_FEE as FEE, until as pollUntil } from "./helpers.js";

const PORT_BASE = TEST_PORTS.prometheus.base;
const WORKER_METRICS_PORT = offsetPort(portAt(TEST_PORTS.prometheus, 10));
const PROMETHEUS_PORT = offsetPort(portAt(TEST_PORTS.prometheus, 20));
const ALERTS = join(packageRoot(), "ops", "prometheus", "alerts.yml");
const DASHBOARD = join(packageRoot(), "ops", "grafana", "ogpu.json");

let testNode: TestNode | undefined;
let devnet: Devnet;
let worker: { proc: ChildProcess; exited: Promise<unknown> } | undefined;
let prometheus: { proc: ChildProcess; exited: Promise<unknown> } | undefined;
const promUrl = `http://127.0.0.1:${PROMETHEUS_PORT}`;

/** A child process whose output goes to `logFile`. */
function spawnLogged(command: string, args: string[], logFile: string) {
  const log = createWriteStream(logFile, { flags: "a" });
  const proc = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout!.pipe(log, { end: false });
  proc.stderr!.pipe(log, { end: false });
  return { proc, exited: new Promise((resolve) => proc.once("exit", resolve)) };
}

const logTails = async () => {
  const files = ["ogpud.log", "worker/worker.log", "prometheus.log"].map((f) => join(devnet.home, f));
  return (await Promise.all(files.map((f) => readFile(f, "utf8").catch(() => "")))).map((l, i) => `${files[i]}:\n${l.slice(-1500)}`).join("\n---\n");
};
const until = <T>(what: string, read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 60_000) => pollUntil(what, read, check, timeoutMs, logTails);

interface PromVector {
  status: string;
  error?: string;
  data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

async function promQuery(expr: string): Promise<PromVector> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await res.json()) as PromVector;
}

/** The expressions of every rule in a Prometheus rules file (the `expr:` lines this repo writes on one line). */
function ruleExpressions(yaml: string): string[] {
  return [...yaml.matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1]!.trim());
}

beforeAll(async () => {
  testNode = await startTestNode({
    portBase: PORT_BASE,
    homePrefix: "ogpu-e2e-prometheus-",
    accounts: [{ name: "val", coins: `${100_000n * OGPU}uogpu` }],
    validator: { stake: `${10_000n * OGPU}uogpu` },
    // Logs as a log shipper reads them, with the REST request lines (debug).
    beforeStart: async (d) => {
      const path = join(d.home, "config", "app.json");
      await writeFile(path, JSON.stringify({ ...JSON.parse(await readFile(path, "utf8")), log_format: "json", log_level: "debug" }, null, 2));
    },
  });
  devnet = testNode.devnet;

  const script = join(packageRoot(), "dist", "worker", "main.js");
  const home = join(devnet.home, "worker");
  const init = spawnSync(process.execPath, [script, "init", "--home", home, "--keyring-backend", "test"], { encoding: "utf8" });
  if (init.status !== 0) throw new Error(`ogpu-worker init failed: ${init.stderr}`);
  const address = /address:\s+(\S+)/.exec(init.stdout)![1]!;
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(devnet.accounts[0]!.mnemonic, { prefix: PREFIX });
  const val = await OgpuClient.connect(devnet.rpcUrl, wallet, { fee: FEE, broadcastPollIntervalMs: 200 });
  await val.broadcast([{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: val.address, toAddress: address, amount: [{ denom: "uogpu", amount: String(1200n * OGPU) }] } }]);
  worker = spawnLogged(process.execPath, [script, "start", "--home", home, "--keyring-backend", "test", "--node", devnet.rpcUrl, "--rest", devnet.restUrl, "--metrics-port", String(WORKER_METRICS_PORT), "--log-format", "json"], join(home, "worker.log"));
  await until("the worker online", () => val.listWorkers({ status: "online" }), (ws) => ws.length === 1);
  val.disconnect();

  const config = [
    "global: { scrape_interval: 1s, evaluation_interval: 1s }",
    `rule_files: [${JSON.stringify(ALERTS)}]`,
    "scrape_configs:",
    `  - { job_name: ogpud, static_configs: [{ targets: ["127.0.0.1:${devnet.ports.rest}"] }] }`,
    `  - { job_name: cometbft, static_configs: [{ targets: ["127.0.0.1:${devnet.ports.prometheus}"] }] }`,
    `  - { job_name: ogpu-worker, static_configs: [{ targets: ["127.0.0.1:${WORKER_METRICS_PORT}"] }] }`,
  ].join("\n");
  await writeFile(join(devnet.home, "prometheus.yml"), config + "\n");
  prometheus = spawnLogged("prometheus", [
    `--config.file=${join(devnet.home, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(devnet.home, "prometheus-data")}`,
    `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`,
  ], join(devnet.home, "prometheus.log"));
}, 120_000);

afterAll(async () => {
  for (const p of [prometheus, worker]) {
    if (p && p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill("SIGTERM");
    await p?.exited;
  }
  await testNode?.cleanup();
});

describe("Prometheus against a devnet", () => {
  it("scrapes ogpud, CometBFT and the worker (up == 1 each) and gets market metrics read from state", async () => {
    const up = await until("every target up", () => promQuery("up"), (r) => ["ogpud", "cometbft", "ogpu-worker"].every((job) => r.data.result.some((s) => s.metric.job === job && s.value[1] === "1")));
    expect(up.data.result.map((s) => s.metric.job).sort()).toEqual(["cometbft", "ogpu-worker", "ogpud"]);
    // From chain state (Query/Workers): the one worker is online; and CometBFT's own consensus height.
    const online = await until("ogpu_workers online", () => promQuery('sum(ogpu_workers{status="online"})'), (r) => r.data.result[0]?.value[1] === "1");
    expect(online.status).toBe("success");
    const tasks = await promQuery("ogpu_market_tasks");
    expect(tasks.data.result.map((s) => s.metric.status)).toEqual(expect.arrayContaining(["pending", "assigned", "finalized"]));
    await until("cometbft's consensus height", () => promQuery("cometbft_consensus_height"), (r) => Number(r.data.result[0]?.value[1] ?? 0) > 1);
    // ogpud's readiness as a metric (what /readyz answers), which the not-ready and catching-up alerts read.
    await until("ogpu_node_ready 1 and not catching up", () => promQuery("ogpu_node_ready + ogpu_node_catching_up"), (r) => r.data.result[0]?.value[1] === "1");
    await until("the worker's chain height", () => promQuery("ogpu_worker_chain_height"), (r) => Number(r.data.result[0]?.value[1] ?? 0) > 1);
  }, 90_000);

  it("promtool accepts the alert rules; Prometheus evaluates each without error and each expression returns a vector", async () => {
    const check = spawnSync("promtool", ["check", "rules", ALERTS], { encoding: "utf8" });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const expressions = ruleExpressions(await readFile(ALERTS, "utf8"));
    type Rules = { data: { groups: { rules: { name: string; query: string; health: string; lastError?: string }[] }[] } };
    const loaded = await until(
      "every rule evaluated",
      async () => ((await (await fetch(`${promUrl}/api/v1/rules`)).json()) as Rules).data.groups.flatMap((g) => g.rules),
      (rules) => rules.length === expressions.length && rules.every((r) => r.health !== "unknown"),
    );
    expect(loaded.filter((r) => r.health !== "ok").map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
    for (const expr of expressions) {
      const r = await promQuery(expr);
      expect(r.status, `${expr}: ${r.error}`).toBe("success");
      expect(r.data.resultType, expr).toBe("vector");
    }
  }, 90_000);

  it("every Grafana dashboard expression is valid PromQL over these targets", async () => {
    type Dashboard = { panels: { targets?: { expr: string }[] }[] };
    const dashboard = JSON.parse(await readFile(DASHBOARD, "utf8")) as Dashboard;
    const expressions = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr.replaceAll("$instance", ".*"));
    expect(expressions.length).toBeGreaterThan(20);
    for (const expr of expressions) {
      const r = await promQuery(expr);
      expect(r.status, `${expr}: ${r.error}`).toBe("success");
    }
  });

  it("ogpud logs JSON lines with its REST requests at debug", async () => {
    await restGet(devnet, "/readyz");
    const lines = (await readFile(join(devnet.home, "ogpud.log"), "utf8")).split("\n").filter((l) => l.startsWith("{"));
    const entries = lines.map((l) => JSON.parse(l) as { level: number; name: string; msg: string; module?: string; url?: string });
    expect(entries.some((e) => e.name === "ogpud" && e.msg.startsWith("state at height"))).toBe(true);
    expect(entries.some((e) => e.level === 20 && e.module === "rest" && e.msg === "request" && e.url === "/metrics")).toBe(true);
  });
});

describe("/readyz on a real node", () => {
  type Ready = { status: string; reasons: string[] };

  it("is ready while cometbft runs; 503 with a reason while it is frozen; ready again when it resumes", async () => {
    const ready = await until("/readyz 200", () => restGet<Ready>(devnet, "/readyz"), (r) => r.status === 200);
    expect(ready.body).toMatchObject({ status: "ready", reasons: [] });
    const comet = await cometbftPid(testNode!.node.proc.pid!);
    process.kill(comet, "SIGSTOP");
    try {
      const frozen = await until("/readyz 503", () => restGet<Ready>(devnet, "/readyz"), (r) => r.status === 503);
      expect(frozen.body.status).toBe("not_ready");
      expect(frozen.body.reasons.join("; ")).toMatch(/cometbft unreachable|last block .* old/);
      expect((await restGet(devnet, "/healthz")).status).toBe(200);
    } finally {
      process.kill(comet, "SIGCONT");
    }
    await until("/readyz 200 again", () => restGet<Ready>(devnet, "/readyz"), (r) => r.status === 200);
  }, 60_000);

  it("answers 503 'cometbft unreachable' when ogpud runs without cometbft, while /healthz stays 200", async () => {
    await testNode!.node.stop();
    testNode!.restart(["--no-cometbft"]);
    await until("/healthz 200", () => restGet(devnet, "/healthz"), (r) => r.status === 200);
    const r = await restGet<Ready>(devnet, "/readyz");
    expect(r.status).toBe(503);
    expect(r.body.reasons).toEqual([expect.stringMatching(new RegExp(`^cometbft unreachable at http://127\\.0\\.0\\.1:${devnet.ports.rpc}: `))]);
  }, 60_000);
});
