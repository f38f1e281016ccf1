/**
 * Issue 10 item 13: the last committed block time is kept in the commit batch's metadata, so a
 * restarted node runs CheckTx, simulate and queries at the same time as before the restart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MsgUndelegateResponse } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { afterEach, describe, expect, it } from "vitest";
import { gentx, OGPU, stakingGenesis, testValidator, undelegateMsg } from "../x/staking/testing.js";
import { finalizeRequest, signTx, startTestChain } from "../app/testkit.js";

const v1 = testValidator(1);
const genesis = stakingGenesis({ [v1.key.address]: 1_000n * OGPU }, [gentx(v1, 100n * OGPU)]);
let dir = "";
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = "";
});

describe("issue 10 item 13: lastBlockTime survives restart", () => {
  it("item 10.13 lastBlockTime survives restart: same time and same simulated unbonding completion after reopening the LevelDB", async () => {
    dir = mkdtempSync(join(tmpdir(), "ogpu-restart-"));
    const first = await startTestChain(genesis, { dir });
    for (let i = 0; i < 3; i++) await first.block([]);
    const account = first.keepers.auth.getAccount(first.app.store, v1.key.addressBytes)!;
    // MsgUndelegate's completion time is the current block time + the unbonding period.
    const tx = signTx(v1.key, [undelegateMsg(v1.key, v1.valoper, OGPU)], { accountNumber: account.accountNumber, sequence: account.sequence, fee: [], gas: 400_000n });
    const before = first.app.simulate(tx);
    const timeBefore = first.app.lastCommit.timeSeconds;
    await first.close();

    const second = await startTestChain(genesis, { dir });
    try {
      expect(timeBefore).toBe(finalizeRequest(3n, []).time.seconds);
      expect(second.app.lastCommit.timeSeconds).toBe(timeBefore);
      const after = second.app.simulate(tx);
      expect(before.code).toBe(0);
      expect(after).toEqual(before);
      const completion = MsgUndelegateResponse.decode(after.msgResponses[0]!.value).completionTime;
      expect(completion?.seconds).toBeGreaterThan(timeBefore);
      // The next block still commits on top of the reopened state.
      await second.block([]);
      expect(second.app.lastCommit).toMatchObject({ height: 4n, timeSeconds: finalizeRequest(4n, []).time.seconds });
    } finally {
      await second.close();
    }
  });
});
