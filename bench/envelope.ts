import { generateDataKey, openPayload, sealPayload, unwrapKey, wrapKey, envelopeContext } from "../crypto/envelope.js";
import { kemKeyPairFromSeed } from "../crypto/kem.js";
import { printFigures, type Benchmark, type Figure } from "./report.js";

/**
 * Envelope path throughput, single thread: sealing/opening a task payload (AES-256-GCM,
 * WebCrypto) and wrapping/unwrapping its data key for one worker (X25519 + ML-KEM-768 → HKDF).
 * A task costs one seal, one open and one wrap+unwrap per assigned worker.
 */

const SECONDS_PER_FIGURE = 1.5;
const MiB = 1024 * 1024;

/** Runs `fn` until the time budget is spent (at least twice); returns calls per second. */
async function callsPerSecond(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up, and a failing input throws here rather than being timed
  const budgetMs = SECONDS_PER_FIGURE * 1000;
  const start = performance.now();
  let calls = 0;
  let elapsed = 0;
  while (elapsed < budgetMs || calls < 2) {
    await fn();
    calls++;
    elapsed = performance.now() - start;
  }
  return (calls * 1000) / elapsed;
}

async function payloadFigures(size: number, label: string): Promise<Figure[]> {
  const key = generateDataKey();
  const plaintext = new Uint8Array(size).map((_, i) => i & 0xff);
  const sealed = await sealPayload(key, plaintext, "bench");
  const mbPerSecond = (callsPerSecond: number) => Math.round((callsPerSecond * size) / 1e6);
  return [
    { figure: `seal_${label}`, value: mbPerSecond(await callsPerSecond(() => sealPayload(key, plaintext, "bench"))), unit: "MB/s" },
    { figure: `open_${label}`, value: mbPerSecond(await callsPerSecond(() => openPayload(key, sealed, "bench"))), unit: "MB/s" },
  ];
}

export async function benchEnvelope(): Promise<void> {
  const worker = kemKeyPairFromSeed(new Uint8Array(64).fill(1));
  const dataKey = generateDataKey();
  const context = envelopeContext("ogpu/task-key", "1", "ogpu1worker");
  const envelope = await wrapKey(worker.publicKey, dataKey, context);
  const figures: Figure[] = [
    ...(await payloadFigures(MiB, "1mib")),
    ...(await payloadFigures(16 * MiB, "16mib")),
    { figure: "wrap_key", value: Math.round(await callsPerSecond(() => wrapKey(worker.publicKey, dataKey, context))), unit: "ops/s" },
    { figure: "unwrap_key", value: Math.round(await callsPerSecond(() => unwrapKey(worker.secretKey, envelope, context))), unit: "ops/s" },
  ];
  printFigures("envelope", figures);
}

export const envelopeBenchmark: Benchmark = {
  name: "envelope",
  description: "E2E encryption: AES-256-GCM seal/open MB/s (1 MiB, 16 MiB) and hybrid KEM key wrap/unwrap ops/s",
  run: benchEnvelope,
};
