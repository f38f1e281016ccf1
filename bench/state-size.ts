import { spawn } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { Level } from "level";
import { accountAddressString } from "../app/address.js";
import { OgpuApp } from "../app/app.js";
import { createAppWiring } from "../app/modules.js";
import { keyBytes } from "../app/store/keys.js";
import { MemStore } from "../app/store/kvstore.js";
import { testGenesis, testKey } from "../app/testkit.js";
import { TaskStatus } from "../proto/gen/ogpu/market/v1/market.js";
import { setAccount } from "../x/auth/keeper.js";
import { writeBalanceRecord } from "../x/bank/testing.js";
import { allTasks } from "../x/market/keeper.js";
import { gpu, OGPU, registerWorkerMsg, submitTaskMsg, writeTaskRecord } from "../x/market/testing.js";
import { getWorker, setWorker } from "../x/workers/keeper.js";
import { openBenchChain } from "./app-harness.js";
import { median, printFigures, printRatios, progress, type Benchmark } from "./report.js";
import { envInt } from "./tx-harness.js";

/**
 * State size: a node whose store holds ~1M entries (accounts with balances, workers, tasks with
 * their indexes, in the real encodings, written by the modules' own store functions) restarts
 * and answers a query. Each measurement is a fresh child process (so the heap and the JIT
 * start cold, as after a crash):
 *  - ours: OgpuApp.open (loads the whole key space into memory, app/store/committed.ts) and a
 *    bank Balance query of one of the accounts; RSS after a full GC;
 *  - reference: the same LevelDB read end to end by a bare `level` iterator in batches (the
 *    floor: every entry read once, nothing kept);
 *  - baseline: ours on the same chain before the entries were added (RSS not due to state).
 * Rounds interleave ours and the reference. Knobs: BENCH_STATE_ENTRIES (default 1,000,000),
 * BENCH_STATE_ROUNDS (default 3).
 */
const BENCH = "state-size";
/** Written to LevelDB in batches of this many entries. */
const BATCH = 20_000;

interface ChildReport {
  openMs: number;
  queryMs: number;
  rssMb: number;
  entries: number;
}

/** The seed chain: one client, one worker, one task, committed (templates for the rest). */
async function seedChain(): Promise<{ dir: string; dbPath: string; probe: string }> {
  const client = testKey(1);
  const worker = testKey(2);
  const chain = await openBenchChain(testGenesis({ [client.address]: 10_000n * OGPU, [worker.address]: 2_000n * OGPU }), "ogpu-bench-state-");
  await chain.block([chain.sign(worker, [registerWorkerMsg(worker.address, { gpus: [gpu("H100", 81_920)], region: "eu", price: 100n, maxConcurrent: 1 })])]);
  await chain.block([chain.sign(client, [submitTaskMsg(client.address, { bid: 1000n, units: 10n })])]);
  await chain.close(true);
  return { dir: chain.dir, dbPath: chain.dbPath, probe: client.address };
}

/**
 * Adds about `target` entries: per 10 entries ≈ 3 accounts (account + balance), 1 worker and
 * 1 task (record + its indexes), cloned from the seed's own records with fresh ids/addresses.
 * Returns the number of entries written and an account to query.
 */
async function inflate(dbPath: string, target: number): Promise<{ entries: number; probe: string }> {
  const app = await OgpuApp.open(dbPath, createAppWiring(), { minGasPrices: [], checkInvariants: false });
  const templateTask = [...allTasks(app.store)][0]!;
  const templateWorker = getWorker(app.store, testKey(2).address)!;
  await app.close();
  const db = new Level<Buffer, Buffer>(dbPath, { keyEncoding: "buffer", valueEncoding: "buffer" });
  await db.open();
  let entries = 0;
  let probe = "";
  let next = 1_000_000_000n;
  try {
    for (let group = 0; entries < target; group++) {
      const mem = new MemStore();
      for (let i = 0; i < BATCH / 10; i++, next++) {
        const address = (n: bigint) => {
          const bytes = new Uint8Array(20);
          new DataView(bytes.buffer).setBigUint64(12, n);
          return bytes;
        };
        for (let a = 0n; a < 3n; a++) {
          const addr = address(next * 4n + a);
          setAccount(mem, { address: addr, accountNumber: next * 4n + a, sequence: 0n });
          writeBalanceRecord(mem, addr, "uogpu", 1_000_000n + a);
          probe = accountAddressString(addr);
        }
        setWorker(mem, { ...templateWorker, operator: accountAddressString(address(next * 4n + 3n)) });
        writeTaskRecord(mem, { ...templateTask, id: next, status: i % 2 ? TaskStatus.TASK_STATUS_FINALIZED : templateTask.status });
      }
      const ops = [...mem.iterate("")].map(([k, v]) => ({ type: "put" as const, key: Buffer.concat([Buffer.from("s"), Buffer.from(keyBytes(k))]), value: Buffer.from(v) }));
      await db.batch(ops);
      entries += ops.length;
      if (group % 10 === 0) progress(BENCH, `${entries} entries written`);
    }
  } finally {
    await db.close();
  }
  return { entries, probe };
}

/** Runs this file as a child in `mode`, returns its JSON report. */
function child(mode: "ours" | "reference", dbPath: string, probe: string): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--expose-gc", "--max-old-space-size=16384", fileURLToPath(import.meta.url), `--child-${mode}`, dbPath, probe], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (c: Buffer) => (out += c.toString()));
    proc.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!) as ChildReport) : reject(new Error(`state-size child (${mode}) exited ${code}`))));
  });
}

function rssMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round(process.memoryUsage().rss / 1e6);
}

async function childOurs(dbPath: string, probe: string): Promise<void> {
  const start = performance.now();
  const app = await OgpuApp.open(dbPath, createAppWiring(), { minGasPrices: [], checkInvariants: false });
  const openMs = performance.now() - start;
  const res = app.query({ path: "/cosmos.bank.v1beta1.Query/Balance", data: QueryBalanceRequest.encode({ address: probe, denom: "uogpu" }).finish(), height: 0n, prove: false });
  const queryMs = performance.now() - start - openMs;
  if (res.code !== 0 || !QueryBalanceResponse.decode(res.value).balance) throw new Error(`balance query failed: ${res.log}`);
  const entries = app.store.size;
  const report: ChildReport = { openMs, queryMs, rssMb: rssMb(), entries };
  await app.close();
  console.log(JSON.stringify(report));
}

async function childReference(dbPath: string): Promise<void> {
  const start = performance.now();
  const db = new Level<Buffer, Buffer>(dbPath, { keyEncoding: "buffer", valueEncoding: "buffer" });
  await db.open();
  let entries = 0;
  const iterator = db.iterator({ gte: Buffer.from("s"), lt: Buffer.from("t") });
  for (let batch = await iterator.nextv(4096); batch.length > 0; batch = await iterator.nextv(4096)) entries += batch.length;
  await iterator.close();
  const openMs = performance.now() - start;
  await db.close();
  console.log(JSON.stringify({ openMs, queryMs: 0, rssMb: rssMb(), entries } satisfies ChildReport));
}

async function runStateSize(): Promise<void> {
  const target = envInt("BENCH_STATE_ENTRIES", 1_000_000);
  const rounds = envInt("BENCH_STATE_ROUNDS", 3);
  const seed = await seedChain();
  try {
    const baseDb = join(seed.dir, "baseline");
    cpSync(seed.dbPath, baseDb, { recursive: true });
    const baseline = await child("ours", baseDb, seed.probe);
    progress(BENCH, `adding ~${target} entries`);
    const { entries, probe } = await inflate(seed.dbPath, target);
    const ours: ChildReport[] = [];
    const reference: ChildReport[] = [];
    for (let round = 1; round <= rounds; round++) {
      progress(BENCH, `round ${round}: restart + query, then a bare LevelDB scan`);
      ours.push(await child("ours", seed.dbPath, probe));
      reference.push(await child("reference", seed.dbPath, probe));
    }
    const restartMs = Math.round(median(ours.map((r) => r.openMs + r.queryMs)));
    const rss = median(ours.map((r) => r.rssMb));
    const perMillion = Math.round(((rss - baseline.rssMb) / Math.max(1, ours[0]!.entries - baseline.entries)) * 1e6);
    printFigures(BENCH, [
      { figure: "entries", value: ours[0]!.entries, unit: "entries", note: `${entries} added to the seed chain's ${baseline.entries}` },
      { figure: "restart_and_query_ms", value: restartMs, unit: "ms", note: "OgpuApp.open + first Balance query, fresh process" },
      { figure: "rss_mb", value: rss, unit: "MB", note: `after GC; ${baseline.rssMb} MB with the seed state alone` },
      { figure: "rss_mb_per_million_entries", value: perMillion, unit: "MB" },
      { figure: "leveldb_scan_ms", value: Math.round(median(reference.map((r) => r.openMs))), unit: "ms", note: "reference: bare iterator over the same entries" },
    ]);
    printRatios(BENCH, [
      { figure: "restart_ratio_to_leveldb_scan", ours: restartMs, reference: Math.round(median(reference.map((r) => r.openMs))), unit: "ms", referenceName: "bare LevelDB scan" },
      { figure: "restart_ratio_to_goal_5s", ours: restartMs, reference: 5000, unit: "ms", referenceName: "goal" },
    ]);
  } finally {
    rmSync(seed.dir, { recursive: true, force: true });
  }
}

export const stateSizeBenchmark: Benchmark = {
  name: BENCH,
  description: "restart + first query of a node holding ~1M state entries, and RSS per million entries, vs a bare LevelDB scan of the same data",
  run: runStateSize,
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [mode, dbPath, probe] = process.argv.slice(2);
  if (mode === "--child-ours") await childOurs(dbPath!, probe!);
  else if (mode === "--child-reference") await childReference(dbPath!);
}
