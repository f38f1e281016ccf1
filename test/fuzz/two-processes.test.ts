/**
 * Issue 10 fuzz suite, two processes: blocks of fast-check-generated txs (the Msg generator of
 * msgs.test.ts, one tx per sender per block at its current sequence, plus honest sends and
 * byte-mutated ones) are
 * replayed by separate processes (app/replay-blocks.ts) with different `--stack-size` and JIT
 * warm-up. Every process must report the same app hash and the same tx results at every height.
 * Needs dist/ (npx tsc -p tsconfig.json), like the other replay tests.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "@cosmjs/encoding";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReplayPlan } from "../../app/replay-blocks.js";
import { replayInProcess } from "../support/replay-process.js";
import { sendMsg, signTx, startTestChain, testGenesis, testKey } from "../../app/testkit.js";
import { FUZZ_SEED, mutated, signedMsgTx } from "./generators.js";

const SENDERS = Array.from({ length: 40 }, (_, i) => testKey(500 + i));
const BLOCKS = 250;
const toB64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

describe("fuzz: generated blocks replay identically in processes with different stacks", () => {
  let dir: string;
  let plan: ReplayPlan;
  /** App hashes the building process itself computed: a third process to agree with. */
  let inProcessHashes: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ogpu-fuzz-replay-"));
    const appState = testGenesis(Object.fromEntries(SENDERS.map((k) => [k.address, 10n ** 9n])));
    // Built block by block on an in-process chain, so every tx is signed at its sender's current
    // sequence and generated msgs really execute instead of failing on a stale sequence.
    const builder = await startTestChain(appState);
    await builder.block([]); // genesis state is readable once the first block commits it
    const blocks: string[][] = [[]];
    inProcessHashes = [toHex(builder.app.lastCommit.appHash)];
    for (let height = 0; height < BLOCKS; height++) {
      const block = SENDERS.map((key, i) => {
        const { accountNumber, sequence } = builder.keepers.auth.getAccount(builder.app.store, key.addressBytes)!;
        const honest = signTx(key, [sendMsg(key.address, SENDERS[(i + 1) % SENDERS.length]!.address, "3")], { accountNumber, sequence });
        const generated = fc.oneof({ arbitrary: signedMsgTx(key, accountNumber, sequence), weight: 3 }, { arbitrary: fc.constant(honest), weight: 1 }, { arbitrary: mutated(honest), weight: 1 });
        return fc.sample(generated, { seed: FUZZ_SEED + height * SENDERS.length + i, numRuns: 1 })[0]!;
      });
      await builder.block(block);
      blocks.push(block.map(toB64));
      inProcessHashes.push(toHex(builder.app.lastCommit.appHash));
    }
    await builder.close();
    plan = { appState, blocks, warmup: { txs: blocks.flat().slice(0, 200), rounds: 20 } };
    // Building 250 blocks of signed, generated txs is CPU-bound: on a loaded 2-core machine it took
    // longer than the suite default, so this hook gets its own generous limit (not a performance check).
  }, 600_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`${SENDERS.length * BLOCKS} generated txs: the same app hash and results under default and 200 KB stacks, cold and warmed up`, async () => {
    const coldPath = join(dir, "cold.json");
    const warmPath = join(dir, "warm.json");
    await writeFile(coldPath, JSON.stringify({ ...plan, warmup: undefined }));
    await writeFile(warmPath, JSON.stringify(plan));
    const [cold, warmSmallStack] = await Promise.all([replayInProcess(coldPath, []), replayInProcess(warmPath, ["--stack-size=200"])]);
    expect(warmSmallStack).toEqual(cold);
    expect(cold.map((b) => b.appHash)).toEqual(inProcessHashes);
    const results = cold.flatMap((b) => b.results);
    expect(results).toHaveLength(SENDERS.length * BLOCKS);
    // The blocks really execute: a share of txs succeed and change state, the rest fail in many ways.
    expect(results.filter((r) => r.code === 0).length).toBeGreaterThan(100);
    expect(new Set(results.map((r) => `${r.codespace}/${r.code}`)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(cold.map((b) => b.appHash)).size).toBe(cold.length);
  });
});
