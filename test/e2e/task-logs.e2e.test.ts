/**
 * Task logs on a real node with two real `ogpu-worker` processes (bench/e2e.ts
 * startComputeCluster): a job that fails (the hash kernel refuses its input) still leaves each
 * worker's log on chain (MsgPostTaskLog), encrypted to the client; `ogpud q market logs` opens
 * them with the client's key from the keyring and SDK client.logs sees the same text; without
 * the key the CLI says so in one line; `--follow` returns once the task has ended.
 * Ports: TEST_PORTS.taskLogs (testnet/ports.ts): the node, worker metrics at +10..+11.
 */
import { TEST_PORTS, portAt } from "../../testnet/ports.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startComputeCluster, type ComputeCluster } from "../../bench/e2e.js";
import { runOgpud } from "../../cmd/ogpud/run.js";
import { until } from "./helpers.js";

let cluster: ComputeCluster;
const bytesOf = (o: object) => new TextEncoder().encode(JSON.stringify(o));

beforeAll(async () => {
  cluster = await startComputeCluster({ portBase: TEST_PORTS.taskLogs.base, metricsPortBase: portAt(TEST_PORTS.taskLogs, 10), clients: 1 });
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

describe("task logs on a real node (q market logs, client.logs)", () => {
  it("a failing job's logs are posted by both workers and open only with the client's key", async () => {
    const client = cluster.clients[0]!;
    const { devnet } = cluster;
    const task = await client.submitTask({ kind: "hash", input: bytesOf({ rounds: 0, data: "bad" }), units: 10n, maxPricePerUnit: 200n, redundancy: 2 });
    expect(task.encrypted).toBe(true);
    const logs = await until(`two logs for task ${task.taskId}`, () => client.logs(task.taskId), (l) => l.length === 2, 90_000, () => cluster.workerLogs());
    expect(new Set(logs.map((l) => l.worker))).toEqual(new Set(cluster.workers));
    for (const l of logs) expect(l.text).toMatch(/^\[ogpu: job failed: bad_input: hash: field "rounds" must be in 1\.\.\d+, got 0\]\n$/);

    const base = ["q", "market", "logs", String(task.taskId), "--node", devnet.rpcUrl, "--rest", devnet.restUrl];
    const cli = await runOgpud([...base, "--from", "client0", "--home", devnet.home, "--keyring-backend", "test"]);
    expect(cli.code, cli.stderr).toBe(0);
    for (const w of cluster.workers) expect(cli.stdout).toContain(`worker ${w}`);
    expect(cli.stdout.match(/\[ogpu: job failed: bad_input: hash: field "rounds" must be in/g)).toHaveLength(2);

    const keyless = await runOgpud(base);
    expect(keyless.code).toBe(1);
    expect(keyless.stderr.trim().split("\n")).toHaveLength(1);
    expect(keyless.stderr).toMatch(/is encrypted: give --from <the client's key>/);
  }, 180_000);

  it("--follow waits until the task ends (built-in kernels print nothing: no logs)", async () => {
    const client = cluster.clients[0]!;
    const { devnet } = cluster;
    const task = await client.submitTask({ kind: "hash", input: bytesOf({ rounds: 1000, data: "ok" }), units: 10n, maxPricePerUnit: 200n, redundancy: 2 });
    const run = await runOgpud(["q", "market", "logs", String(task.taskId), "--follow", "--from", "client0", "--home", devnet.home, "--keyring-backend", "test", "--node", devnet.rpcUrl, "--rest", devnet.restUrl]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`task ${task.taskId} \\(TASK_STATUS_FINALIZED\\) has no logs yet`));
    expect(await client.logs(task.taskId)).toEqual([]);
  }, 180_000);
});
