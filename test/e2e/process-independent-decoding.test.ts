/**
 * Issue 10 item 1: tx decoding must not depend on the process. The same genesis and blocks,
 * holding adversarial nested txs, are replayed by separate node processes with different
 * `--stack-size` and JIT warm-up; every process must report the same app hash and the same
 * tx results at every height (CometBFT's AppHash and LastResultsHash), and the attack txs
 * must be rejected as tx parse errors rather than decoded or crashed on.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestChain, testGenesis, testKey, type TestKey } from "../../app/testkit.js";
import type { ReplayPlan } from "../../app/replay-blocks.js";
import { replayInProcess } from "../support/replay-process.js";
import { getAccount } from "../../x/auth/keeper.js";
import { concat, lengthDelimited, nestedGroups, nestedModeInfo, sendAny, signRawTx } from "../support/adversarial-proto.js";

const toB64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

/** One sender per attack, so an attack that slips through can't shift the others' sequences. */
const KEYS: TestKey[] = [0, 1, 2, 3, 4, 5].map(testKey);
const SINK = testKey(99).address;

describe("issue 10 item 1: tx decoding does not depend on the process", () => {
  let dir: string;
  let planPath: string;
  let plan: ReplayPlan;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ogpu-decode-"));
    const appState = testGenesis(Object.fromEntries(KEYS.map((k) => [k.address, 10_000_000n])));
    const probe = await startTestChain(appState);
    await probe.block([]); // genesis state is readable once the first block commits it
    const accountNumbers = KEYS.map((k) => getAccount(probe.app.store, k.addressBytes)!.accountNumber);
    await probe.close();
    const tx = (i: number, parts: { bodyTrailer?: Uint8Array; modeInfo?: Uint8Array; msgTrailer?: Uint8Array }) =>
      toB64(signRawTx({ key: KEYS[i]!, accountNumber: accountNumbers[i]!, sequence: 0n, messages: [sendAny(KEYS[i]!.address, SINK, "1", parts.msgTrailer)], ...parts }));
    const attacks = [
      // The tx: ~10,600 nested groups in an unknown TxBody field (~22 KB).
      tx(0, { bodyTrailer: nestedGroups(15, 10_600) }),
      // Shallower, so a small stack and a default one disagree on today's decoder.
      tx(1, { bodyTrailer: nestedGroups(15, 2_500) }),
      // Same idea one level down: inside the MsgSend (a module Msg), in an unknown field.
      tx(2, { msgTrailer: nestedGroups(15, 2_500) }),
      // Deep nesting through a known, recursive field: ModeInfo.multi.mode_infos.
      tx(3, { modeInfo: nestedModeInfo(2_000) }),
      // Groups wrapped in a known length-delimited field (the memo's neighbour: an Any-shaped
      // extension option whose value holds the groups).
      tx(4, { bodyTrailer: lengthDelimited(1023, concat(lengthDelimited(1, [0x2f, 0x78]), lengthDelimited(2, nestedGroups(3, 2_500)))) }),
    ];
    const honest = tx(5, {});
    plan = { appState, blocks: [[], attacks, [honest]], warmup: { txs: [honest, ...attacks], rounds: 300 } };
    planPath = join(dir, "plan.json");
    await writeFile(planPath, JSON.stringify(plan));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("processes with different --stack-size and JIT warm-up agree on every app hash and tx result", async () => {
    const cold = { ...plan, warmup: undefined };
    const coldPath = join(dir, "cold.json");
    await writeFile(coldPath, JSON.stringify(cold));
    const [defaultStack, smallStack, warmed] = await Promise.all([
      replayInProcess(coldPath, []),
      replayInProcess(coldPath, ["--stack-size=200"]),
      replayInProcess(planPath, ["--stack-size=4000"]),
    ]);
    expect(smallStack).toEqual(defaultStack);
    expect(warmed).toEqual(defaultStack);
    // And the attacks are refused as tx parse errors; the honest tx after them goes through.
    const attackResults = defaultStack[1]!.results;
    expect(attackResults.map((r) => [r.codespace, r.code])).toEqual(attackResults.map(() => ["sdk", 2]));
    expect(defaultStack[2]!.results.map((r) => r.code)).toEqual([0]);
  });
});
