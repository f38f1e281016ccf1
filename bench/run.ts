import { pathToFileURL } from "node:url";
import { appTxBenchmark } from "./app-tx.js";
import { cryptoBenchmark } from "./crypto.js";
import { e2eBenchmark } from "./e2e.js";
import { envelopeBenchmark } from "./envelope.js";
import { govTallyBenchmark } from "./gov-tally.js";
import { marketFinalizeBenchmark } from "./market-finalize.js";
import { posBenchmark } from "./pos.js";
import type { Benchmark } from "./report.js";
import { schedulerBenchmark } from "./scheduler.js";
import { stateSizeBenchmark } from "./state-size.js";
import { txBenchmark } from "./tx.js";
import { testnetTxBenchmark } from "./testnet-tx.js";
import { testnetE2eBenchmark } from "./testnet-e2e.js";
import { worstBlockBenchmark } from "./worst-block.js";

/**
 * Benchmark runner: `npm run bench -- <name>` runs one benchmark, `npm run bench` runs all of
 * them in the order below (cheap ones first). Benchmarks are compiled by `npm run build`.
 */
export const BENCHMARKS: readonly Benchmark[] = [cryptoBenchmark, envelopeBenchmark, schedulerBenchmark, appTxBenchmark, marketFinalizeBenchmark, govTallyBenchmark, worstBlockBenchmark, posBenchmark, stateSizeBenchmark, txBenchmark, testnetTxBenchmark, e2eBenchmark, testnetE2eBenchmark];

function usage(): string {
  const width = Math.max(...BENCHMARKS.map((b) => b.name.length)) + 2;
  return ["usage: npm run bench [-- <name>]", "benchmarks:", ...BENCHMARKS.map((b) => `  ${b.name.padEnd(width)}${b.description}`)].join("\n");
}

/** Runs the named benchmarks (all when none are named); returns the process exit code. */
export async function runBenchmarks(names: readonly string[]): Promise<number> {
  const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length > 0) {
    console.error(`unknown benchmark: ${unknown.join(", ")}\n${usage()}`);
    return 1;
  }
  const selected = names.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => names.includes(b.name));
  for (const bench of selected) {
    console.log(`== ${bench.name}: ${bench.description}`);
    await bench.run();
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log(usage());
  } else {
    process.exitCode = await runBenchmarks(args);
  }
}
