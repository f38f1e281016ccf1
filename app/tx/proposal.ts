import { toAppError } from "../errors.js";
import type { RegisteredMsg } from "../module.js";
import { decodeTx } from "./decode.js";

/**
 * Block-level admission of txs: what PrepareProposal packs and ProcessProposal accepts.
 * Only stateless facts count here (decoding, each message's own validation, the declared
 * gas limit), since a proposal is judged before its block runs; everything that depends on
 * state (signatures against accounts, balances, sequences) fails the tx with its code when
 * the block executes. The gas bound is the sum of gas_wanted, as CometBFT's mempool counts
 * it, so a block's work is bounded before any of it is done.
 */

/** Why a tx can never succeed, or its gas_wanted. */
export type StatelessVerdict = { ok: true; gasWanted: bigint } | { ok: false; problem: string };

export function statelessCheck(tx: Uint8Array, msgTypes: ReadonlyMap<string, RegisteredMsg>): StatelessVerdict {
  try {
    const decoded = decodeTx(tx, msgTypes);
    for (const msg of decoded.msgs) msg.validate();
    return { ok: true, gasWanted: decoded.authInfo.fee?.gasLimit ?? 0n };
  } catch (err) {
    const e = toAppError(err);
    return { ok: false, problem: `${e.codespace} code ${e.code}: ${e.message}` };
  }
}

export interface BlockLimits {
  maxBytes: bigint;
  /** undefined = no gas limit (consensus_params.block.max_gas −1). */
  maxGas: bigint | undefined;
}

/**
 * The txs a proposer packs, in the given order: those that pass the stateless checks, while
 * the block's bytes and summed gas_wanted stay within the limits (a tx that does not fit is
 * skipped, so a later smaller one may still fit). `used` accounts for txs already placed.
 */
export function packTxs(txs: readonly Uint8Array[], msgTypes: ReadonlyMap<string, RegisteredMsg>, limits: BlockLimits, used: { bytes: bigint; gas: bigint }): Uint8Array[] {
  const out: Uint8Array[] = [];
  let { bytes, gas } = used;
  for (const tx of txs) {
    const size = BigInt(tx.length);
    if (bytes + size > limits.maxBytes) continue;
    const verdict = statelessCheck(tx, msgTypes);
    if (!verdict.ok) continue;
    if (limits.maxGas !== undefined && gas + verdict.gasWanted > limits.maxGas) continue;
    bytes += size;
    gas += verdict.gasWanted;
    out.push(tx);
  }
  return out;
}

/** Why a proposal's txs must be rejected (first problem), or null. */
export function checkProposalTxs(txs: readonly Uint8Array[], msgTypes: ReadonlyMap<string, RegisteredMsg>, maxGas: bigint | undefined): string | null {
  let gas = 0n;
  for (let i = 0; i < txs.length; i++) {
    const verdict = statelessCheck(txs[i]!, msgTypes);
    if (!verdict.ok) return `tx ${i} fails stateless checks: ${verdict.problem}`;
    gas += verdict.gasWanted;
    if (maxGas !== undefined && gas > maxGas) return `txs want ${gas}+ gas, over the block's max_gas ${maxGas}`;
  }
  return null;
}
