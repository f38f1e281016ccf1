/**
 * Replays a genesis and a list of blocks in a fresh process and prints, per block, the app
 * hash and each tx's result code and gas: what CometBFT's AppHash and LastResultsHash cover.
 * Determinism tests run it under different `node --stack-size` values and JIT warm-ups and
 * compare the lines, because a divergence that only shows across processes (stack depth,
 * optimisation state) is invisible to an in-process test.
 *
 *   node [--stack-size=N] dist/app/replay-blocks.js <plan.json>
 *
 * plan.json: { appState, blocks: [[base64 tx, …], …], warmup?: { txs: [base64…], rounds } }.
 * Warm-up simulates the given txs `rounds` times first, so hot decode paths get optimised.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "@cosmjs/encoding";
import { OgpuApp } from "./app.js";
import { createAppWiring } from "./modules.js";
import { finalizeRequest, initChainRequest } from "./testkit.js";

export interface ReplayPlan {
  appState: Record<string, unknown>;
  blocks: string[][];
  warmup?: { txs: string[]; rounds: number };
}

export interface ReplayedBlock {
  height: string;
  appHash: string;
  results: { code: number; codespace: string; gasUsed: string }[];
}

const fromBase64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64"));

async function replay(plan: ReplayPlan): Promise<ReplayedBlock[]> {
  const dir = mkdtempSync(join(tmpdir(), "ogpu-replay-"));
  const app = await OgpuApp.open(join(dir, "db"), createAppWiring(), { minGasPrices: [], checkInvariants: true });
  try {
    app.initChain(initChainRequest(plan.appState));
    const warmupTxs = (plan.warmup?.txs ?? []).map(fromBase64);
    for (let round = 0; round < (plan.warmup?.rounds ?? 0); round++) for (const tx of warmupTxs) app.simulate(tx);
    const out: ReplayedBlock[] = [];
    for (const [i, txs] of plan.blocks.entries()) {
      const height = BigInt(i + 1);
      const res = app.finalizeBlock(finalizeRequest(height, txs.map(fromBase64)));
      await app.commit();
      const results = res.txResults.map((r) => ({ code: r.code, codespace: r.codespace, gasUsed: r.gasUsed.toString() }));
      out.push({ height: height.toString(), appHash: toHex(res.appHash), results });
    }
    return out;
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const planPath = process.argv[2];
if (planPath === undefined) {
  console.error("usage: replay-blocks <plan.json>");
  process.exit(2);
}
const plan = JSON.parse(readFileSync(planPath, "utf8")) as ReplayPlan;
for (const block of await replay(plan)) console.log(JSON.stringify(block));
