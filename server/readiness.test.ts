import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkReadiness, parseCometDuration } from "./readiness.js";

/** A stand-in for cometbft's RPC /status, answering whatever `status` holds. */
let status = { latest_block_height: "10", latest_block_time: "2026-01-01T00:00:10Z", catching_up: false };
let server: Server;
let rpcUrl: string;
const NOW = Date.parse("2026-01-01T00:00:12Z");

beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ result: { sync_info: status } })));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  rpcUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("readiness", () => {
  const opts = () => ({ cometRpcUrl: rpcUrl, blockTimeMs: 1000, maxBlockAgeBlocks: 5 });

  it("is ready when cometbft answers, is synced and its last block is within N block times", async () => {
    status = { latest_block_height: "10", latest_block_time: "2026-01-01T00:00:10Z", catching_up: false };
    expect(await checkReadiness(opts(), NOW)).toEqual({ ready: true, reasons: [], latestBlockHeight: "10", latestBlockTime: "2026-01-01T00:00:10Z", catchingUp: false });
  });

  it("is not ready while catching up, or when the last block is older than N block times", async () => {
    status = { latest_block_height: "10", latest_block_time: "2026-01-01T00:00:00Z", catching_up: true };
    const r = await checkReadiness(opts(), NOW);
    expect(r.ready).toBe(false);
    expect(r.reasons).toEqual(["catching up (at height 10)", "last block 10 is 12.0s old (limit 5 block times = 5.0s)"]);
  });

  it("is not ready when cometbft is unreachable, and says where it looked", async () => {
    const r = await checkReadiness({ ...opts(), cometRpcUrl: "http://127.0.0.1:1" }, NOW);
    expect(r.ready).toBe(false);
    expect(r.reasons[0]).toMatch(/^cometbft unreachable at http:\/\/127\.0\.0\.1:1: /);
    expect(r.catchingUp).toBeNull();
  });

  it("adds the reasons of further checks (kubo), a throwing check included", async () => {
    status = { latest_block_height: "10", latest_block_time: "2026-01-01T00:00:10Z", catching_up: false };
    const checks = [async () => "kubo unreachable", async () => undefined, async () => { throw new Error("probe crashed"); }];
    expect((await checkReadiness({ ...opts(), extraChecks: checks }, NOW)).reasons).toEqual(["kubo unreachable", "probe crashed"]);
  });

  it("reads CometBFT durations as config.toml writes them", () => {
    expect(parseCometDuration("300ms")).toBe(300);
    expect(parseCometDuration("1s")).toBe(1000);
    expect(parseCometDuration("1m30s")).toBe(90_000);
    expect(parseCometDuration("soon")).toBeUndefined();
    expect(parseCometDuration("5s later")).toBeUndefined();
  });
});
