/**
 * MsgPostTaskLog on the in-process chain: only a worker holding a slot of an open task records
 * a log CID, once per assignment, with a valid CID; the log stays on the task (Task.logs).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { MSG } from "../../sdk/registry.js";
import { textCid } from "../../crypto/cid.js";
import { MsgPostTaskLog } from "../../proto/gen/ogpu/market/v1/tx.js";
import { expectOk, startPosChain, type ChainSigner, type PosChain } from "../attest/testing.js";
import { MarketCode } from "./errors.js";
import { nextTaskId } from "./keeper.js";
import { cancelTaskMsg, submitTaskMsg } from "./testing.js";

let chain: PosChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

const CID = textCid("a job log");
const postLogMsg = (worker: string, taskId: bigint, logCid: string): Any => ({ typeUrl: MSG.PostTaskLog, value: MsgPostTaskLog.encode({ worker, taskId, logCid }).finish() });

async function refusal(c: PosChain, signer: ChainSigner, msg: Any) {
  const r = (await c.run([signer.tx([msg])])).txResults[0]!;
  return { codespace: r.codespace, code: r.code };
}

describe("MsgPostTaskLog", () => {
  it("records the assigned worker's log CID once; refuses other workers, bad CIDs, repeats and ended tasks", async () => {
    const c = (chain = await startPosChain({ workers: [{ cv: 50n }, { cv: 50n }] }));
    const id = nextTaskId(c.app.store);
    expectOk(await c.run([c.client.tx([submitTaskMsg(c.client.address, { bid: 1000n, units: 10n, k: 1 })])]));
    const assigned = c.workers.find((w) => w.address === c.task(id).assignments[0]!.worker)!;
    const other = c.workers.find((w) => w !== assigned)!;

    expect(await refusal(c, other, postLogMsg(other.address, id, CID))).toEqual({ codespace: "market", code: MarketCode.NotAssigned });
    expect(await refusal(c, assigned, postLogMsg(assigned.address, id, "not-a-cid"))).toEqual({ codespace: "market", code: MarketCode.InvalidTask });
    expect(await refusal(c, assigned, postLogMsg(assigned.address, id, CID.toUpperCase()))).toEqual({ codespace: "market", code: MarketCode.InvalidTask });
    expect(await refusal(c, assigned, postLogMsg(assigned.address, id, "ab".repeat(32)))).toEqual({ codespace: "market", code: MarketCode.InvalidTask });

    expectOk(await c.run([assigned.tx([postLogMsg(assigned.address, id, CID)])]));
    expect(c.task(id).logs).toEqual([{ worker: assigned.address, logCid: CID, height: expect.any(BigInt) as bigint }]);
    expect(await refusal(c, assigned, postLogMsg(assigned.address, id, textCid("another log")))).toEqual({ codespace: "market", code: MarketCode.LogAlreadyPosted });

    expectOk(await c.run([c.client.tx([cancelTaskMsg(c.client.address, id)])]));
    expect(await refusal(c, assigned, postLogMsg(assigned.address, id, textCid("a late log")))).toEqual({ codespace: "market", code: MarketCode.TaskEnded });
    expect(c.task(id).logs).toHaveLength(1);
  });
});
