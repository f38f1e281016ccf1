import { sha256 } from "../crypto/hash.js";
import { mlDsa65KeyPair, signMlDsa65, verifyMlDsa65 } from "../crypto/mldsa65.js";
import {
  secp256k1PublicKey,
  signSecp256k1,
  verifySecp256k1Native,
  verifySecp256k1Noble,
  verifySecp256k1Node,
} from "../crypto/secp256k1.js";
import { printFigures, type Benchmark, type Figure } from "./report.js";

/**
 * Signature-verification throughput, single thread: the node verifies every tx twice
 * (CheckTx, FinalizeBlock), so this bounds tx/s. Prints a table and one JSON line per figure.
 */

const SECONDS_PER_FIGURE = 1.5;

/** Runs `fn` in batches until the time budget is spent; returns calls per second. */
function opsPerSecond(fn: () => boolean): number {
  if (!fn()) throw new Error("benchmark input does not verify");
  const budgetMs = SECONDS_PER_FIGURE * 1000;
  const start = performance.now();
  let calls = 0;
  let elapsed = 0;
  while (elapsed < budgetMs) {
    for (let i = 0; i < 20; i++) fn();
    calls += 20;
    elapsed = performance.now() - start;
  }
  return Math.round((calls * 1000) / elapsed);
}

export async function benchCrypto(): Promise<void> {
  // A realistic SignDoc size (a MsgSend tx's sign bytes are ~200-300 bytes).
  const signBytes = sha256(new TextEncoder().encode("bench")).slice();
  const doc = new Uint8Array(256).map((_, i) => signBytes[i % 32] ^ i);

  const secpPriv = sha256(new TextEncoder().encode("bench key"));
  const secpPub = secp256k1PublicKey(secpPriv);
  const secpSig = signSecp256k1(secpPriv, doc);
  const pq = mlDsa65KeyPair(new Uint8Array(32).fill(9));
  const pqSig = signMlDsa65(pq.secretKey, doc);

  const native = verifySecp256k1Native;
  const figures: Figure[] = [];
  const add = (figure: string, value: number) => figures.push({ figure, value, unit: "verify/s" });
  if (native) add("secp256k1_verify_native", opsPerSecond(() => native(secpPub, doc, secpSig)));
  add("secp256k1_verify_node", opsPerSecond(() => verifySecp256k1Node(secpPub, doc, secpSig)));
  add("secp256k1_verify_noble", opsPerSecond(() => verifySecp256k1Noble(secpPub, doc, secpSig)));
  add("mldsa65_verify", opsPerSecond(() => verifyMlDsa65(pq.publicKey, doc, pqSig)));
  printFigures("crypto", figures);
}

export const cryptoBenchmark: Benchmark = {
  name: "crypto",
  description: "single-thread signature verification rate (secp256k1 native/OpenSSL/noble, ML-DSA-65)",
  run: benchCrypto,
};
