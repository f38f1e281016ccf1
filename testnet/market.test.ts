import { describe, expect, it } from "vitest";
import { workerEndpoint, workerNodeIndex } from "./market.js";
import type { TestnetNode } from "./testnet.js";

const node = (i: number): TestnetNode => ({
  moniker: `node${i}`, home: `/h${i}`, rpc: `http://127.0.0.1:${30001 + 10 * i}`, rest: `http://127.0.0.1:${30003 + 10 * i}`,
  abci: "", p2p: "", nodeId: "", account: "", mnemonic: "",
});

describe("testnet worker placement (issue 13)", () => {
  it("spreads workers over nodes N-1..1, never node0 where clients submit", () => {
    expect(Array.from({ length: 4 }, (_, j) => workerNodeIndex(j, 4))).toEqual([3, 2, 1, 3]);
    for (let n = 2; n <= 6; n++) for (let j = 0; j < 10; j++) expect(workerNodeIndex(j, n)).not.toBe(0);
  });

  it("points a worker's RPC at its node and its --rest at that node first, the others as failover, node0 last", () => {
    const nodes = [0, 1, 2, 3].map(node);
    const endpoint = workerEndpoint({ nodes }, 2);
    expect(endpoint.rpc).toBe(nodes[2]!.rpc);
    expect(endpoint.rest.split(",")).toEqual([nodes[2]!.rest, nodes[3]!.rest, nodes[1]!.rest, nodes[0]!.rest]);
  });
});
