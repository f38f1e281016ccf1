import { afterEach, describe, expect, it } from "vitest";
import { QueryWorkersRequest, QueryWorkersResponse, QueryWorkerRequest, QueryWorkerResponse } from "../../proto/gen/ogpu/workers/v1/query.js";
import { WorkerStatus } from "../../proto/gen/ogpu/workers/v1/workers.js";
import { marketFixture, WORKER_BONDS, type MarketFixture } from "../market/fixture.js";
import { emptyBlocks } from "../../app/testkit.js";
import { gpu, heartbeatMsg, MIN_BOND, registerWorkerMsg } from "../market/testing.js";

let fx: MarketFixture | undefined;
afterEach(async () => {
  await fx?.chain.close();
  fx = undefined;
});

function queryWorkers(f: MarketFixture, req: Partial<QueryWorkersRequest>) {
  const res = f.chain.app.query({ path: "/ogpu.workers.v1.Query/Workers", data: QueryWorkersRequest.encode(QueryWorkersRequest.fromPartial(req)).finish(), height: 0n, prove: false });
  expect(res.code).toBe(0);
  return QueryWorkersResponse.decode(res.value).workers;
}

describe("worker registry", () => {
  it("bonds into worker_bonds, and lists workers filtered by GPU model and status", async () => {
    fx = await marketFixture({ workers: { heartbeat_timeout_blocks: 2 } });
    expect(fx.moduleBalance(WORKER_BONDS)).toBe(3n * MIN_BOND);
    expect(queryWorkers(fx, { gpuModel: "A100" }).map((v) => v.worker!.operator)).toEqual([fx.workers[1]!.address]);
    const [, w2] = fx.workers;
    await emptyBlocks(fx.chain, 2);
    await fx.chain.block([w2!.tx([heartbeatMsg(w2!.address)])]);
    expect(queryWorkers(fx, { status: WorkerStatus.WORKER_STATUS_ONLINE }).map((v) => v.worker!.operator)).toEqual([w2!.address]);
    expect(queryWorkers(fx, { status: WorkerStatus.WORKER_STATUS_OFFLINE })).toHaveLength(2);
    const one = fx.chain.app.query({ path: "/ogpu.workers.v1.Query/Worker", data: QueryWorkerRequest.encode({ operator: w2!.address }).finish(), height: 0n, prove: false });
    expect(QueryWorkerResponse.decode(one.value).worker).toMatchObject({ status: WorkerStatus.WORKER_STATUS_ONLINE, tier: 2 });
  });

  it("rejects unknown GPU models, small bonds, and double registration", async () => {
    fx = await marketFixture();
    const registered = fx.workers[1]!;
    const offer = { gpus: [gpu("A100", 81_920)], region: "eu", price: 100n };
    const cases = [
      { msg: registerWorkerMsg(fx.client.address, { ...offer, gpus: [gpu("GTX-9999", 8000)] }), code: 3, log: /unknown GPU model "GTX-9999"/ },
      { msg: registerWorkerMsg(fx.client.address, { ...offer, bond: MIN_BOND - 1n }), code: 6, log: /below min_worker_bond/ },
      { msg: registerWorkerMsg(registered.address, offer), code: 4, log: /already registered/, signer: registered },
    ];
    const bonds = fx.moduleBalance(WORKER_BONDS);
    for (const c of cases) {
      const signer = c.signer ?? fx.client;
      const [res] = await fx.chain.block([signer.tx([c.msg])]);
      expect(res).toMatchObject({ code: c.code, codespace: "workers" });
      expect(res!.log).toMatch(c.log);
    }
    expect(fx.moduleBalance(WORKER_BONDS)).toBe(bonds);
    expect(queryWorkers(fx, {})).toHaveLength(3);
  });
});
