import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { finalizeRequest, sendMsg, signTx, startTestChain, testGenesis, testKey } from "../app/testkit.js";
import { printFigures, progress, type Benchmark } from "./report.js";

/**
 * The state machine alone, no CometBFT: how many bank sends per second CheckTx (first
 * check, and recheck) and FinalizeBlock + Commit process on one core. This is the app's
 * own ceiling; the `tx` benchmark shows what the whole node reaches.
 */
const ACCOUNTS = 200;
const TXS_PER_ACCOUNT = 50;

export const appTxBenchmark: Benchmark = {
  name: "app-tx",
  description: "in-process CheckTx / FinalizeBlock throughput of bank sends (no cometbft)",
  async run() {
    const keys = Array.from({ length: ACCOUNTS }, (_, i) => testKey(1000 + i));
    const chain = await startTestChain(testGenesis(Object.fromEntries(keys.map((k) => [k.address, 1_000_000_000n]))));
    try {
      await chain.block([]);
      progress("app-tx", `signing ${ACCOUNTS * TXS_PER_ACCOUNT} txs`);
      const txs: Uint8Array[] = [];
      for (let seq = 0; seq < TXS_PER_ACCOUNT; seq++) {
        keys.forEach((k, i) => {
          const to = keys[(i + 1) % keys.length]!.address;
          txs.push(signTx(k, [sendMsg(k.address, to, "1")], { accountNumber: BigInt(i + 1), sequence: BigInt(seq) }));
        });
      }
      const rate = (n: number, ns: bigint) => Math.round(n / (Number(ns) / 1e9));

      let start = process.hrtime.bigint();
      for (const tx of txs) if (chain.app.checkTx({ tx, type: CheckTxType.NEW }).code !== 0) throw new Error("CheckTx rejected a bench tx");
      const checkNs = process.hrtime.bigint() - start;

      start = process.hrtime.bigint();
      const res = chain.app.finalizeBlock(finalizeRequest(2n, txs));
      await chain.app.commit();
      const finalizeNs = process.hrtime.bigint() - start;
      if (res.txResults.some((r) => r.code !== 0)) throw new Error("a bench tx failed in FinalizeBlock");

      // Recheck: the same txs against the new committed state are now all stale (code 32),
      // which is the cost CometBFT pays for every tx left in the mempool after a block.
      start = process.hrtime.bigint();
      for (const tx of txs) chain.app.checkTx({ tx, type: CheckTxType.RECHECK });
      const recheckNs = process.hrtime.bigint() - start;

      printFigures("app-tx", [
        { figure: "checktx_per_s", value: rate(txs.length, checkNs), unit: "tx/s" },
        { figure: "finalize_commit_per_s", value: rate(txs.length, finalizeNs), unit: "tx/s", note: `${txs.length} txs in one block` },
        { figure: "recheck_stale_per_s", value: rate(txs.length, recheckNs), unit: "tx/s" },
      ]);
    } finally {
      await chain.close();
    }
  },
};
