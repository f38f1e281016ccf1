import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { OgpuApp } from "../app/app.js";
import { createAppWiring } from "../app/modules.js";
import { finalizeRequest, initChainRequest, signTx, type TestKey } from "../app/testkit.js";
import { getAccount } from "../x/auth/keeper.js";

/**
 * An in-process chain for benchmarks that time blocks without cometbft (market-finalize,
 * state-size): a LevelDB-backed OgpuApp in a temp dir, invariants off as on a production
 * node, blocks run and committed one call at a time, txs signed with each key's next sequence.
 */
export interface BenchChain {
  app: OgpuApp;
  dbPath: string;
  /** Runs and commits the next block; returns FinalizeBlock's wall time in ms. Throws on a failed tx. */
  block(txs: Uint8Array[]): Promise<number>;
  /** Signs `msgs` as `key` with its next sequence (fee 1000 uogpu, gas 2,000,000). */
  sign(key: TestKey, msgs: Any[]): Uint8Array;
  /** Closes the app; `keep` leaves the database on disk (the caller removes `dir`). */
  close(keep?: boolean): Promise<void>;
  dir: string;
}

export async function openBenchChain(genesis: Record<string, unknown>, prefix = "ogpu-bench-chain-"): Promise<BenchChain> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const dbPath = join(dir, "db");
  const app = await OgpuApp.open(dbPath, createAppWiring(), { minGasPrices: [], checkInvariants: false });
  let height = 0n;
  const sequences = new Map<string, bigint>();
  app.initChain(initChainRequest(genesis));
  const chain: BenchChain = {
    app,
    dbPath,
    dir,
    async block(txs) {
      height += 1n;
      const start = performance.now();
      const res = app.finalizeBlock(finalizeRequest(height, txs));
      const ms = performance.now() - start;
      await app.commit();
      const failed = res.txResults.find((r) => r.code !== 0);
      if (failed) throw new Error(`tx failed at height ${height}: ${failed.log}`);
      return ms;
    },
    sign(key, msgs) {
      const sequence = sequences.get(key.address) ?? 0n;
      sequences.set(key.address, sequence + 1n);
      return signTx(key, msgs, { accountNumber: getAccount(app.store, key.addressBytes)!.accountNumber, sequence, fee: [{ denom: "uogpu", amount: "1000" }], gas: 2_000_000n });
    },
    async close(keep = false) {
      await app.close();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
  await chain.block([]);
  return chain;
}
