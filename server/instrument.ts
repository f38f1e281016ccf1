import type { AbciApplication } from "../app/abci/application.js";
import type { Event } from "cosmjs-types/tendermint/abci/types";
import type { NodeMetrics } from "./metrics.js";

/** Node-side observers of committed blocks (metrics, blob replication): never consensus code. */
export interface BlockObservers {
  /** A finalized block's events (block and tx events), before it is committed. */
  blockEvents?(events: readonly Event[]): void;
  /** After the block is committed: queries now answer at its height. */
  committed?(): void;
}

/**
 * Wraps the state machine with Prometheus timing and counters. Measuring happens here,
 * outside consensus code, so the app itself never reads a clock.
 */
export function instrumentApp(app: AbciApplication, metrics: NodeMetrics, observers: BlockObservers = {}): AbciApplication {
  const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
  return {
    info: (req) => app.info(req),
    initChain: (req) => app.initChain(req),
    query: (req) => app.query(req),
    prepareProposal: (req) => app.prepareProposal(req),
    processProposal: (req) => app.processProposal(req),
    extendVote: (req) => app.extendVote(req),
    verifyVoteExtension: (req) => app.verifyVoteExtension(req),
    checkTx(req) {
      const start = process.hrtime.bigint();
      return afterResult(app.checkTx(req), (res) => {
        metrics.checkTxSeconds.observe(seconds(start));
        if (res.code !== 0) metrics.mempoolRejections.inc({ codespace: res.codespace, code: String(res.code) });
      });
    },
    finalizeBlock(req) {
      const start = process.hrtime.bigint();
      return afterResult(app.finalizeBlock(req), (res) => {
      metrics.finalizeBlockSeconds.observe(seconds(start));
      metrics.txsPerBlock.observe(req.txs.length);
      metrics.txsCommitted.inc(req.txs.length);
      for (const r of res.txResults) {
        if (r.code !== 0) metrics.deliverTxFailures.inc({ codespace: r.codespace, code: String(r.code) });
      }
      metrics.height.set(Number(req.height));
      observers.blockEvents?.([...res.events, ...res.txResults.flatMap((r) => r.events)]);
      });
    },
    commit() {
      const start = process.hrtime.bigint();
      return afterResult(app.commit(), () => {
        metrics.commitSeconds.observe(seconds(start));
        observers.committed?.();
      });
    },
  };
}

/** Runs `observe` on a result that may or may not be a promise, without forcing one. */
function afterResult<T>(result: T | Promise<T>, observe: (value: T) => void): T | Promise<T> {
  if (result instanceof Promise) {
    return result.then((value) => {
      observe(value);
      return value;
    });
  }
  observe(result);
  return result;
}
