/**
 * The set-up of the web suites that drive the dashboard of a compute devnet: a real node with
 * two real ogpu-worker processes (bench/e2e.ts startComputeCluster) and Chromium, started before
 * the file's tests and stopped after them.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { startComputeCluster, type ComputeCluster } from "../../bench/e2e.js";
import { portAt, type PortRange } from "../../testnet/ports.js";
import { ensureWebBuilt, launchChromium } from "./browser.js";

/** Filled in by the file's beforeAll: read its fields inside tests and hooks only. */
export interface WebCluster {
  cluster: ComputeCluster;
  browser: Browser;
  /** The dashboard's URL on the node (`${ui}#/customer` …). */
  ui: string;
}

/** Registers the hooks: the node at `ports`, worker metrics at +10..+11, `clients` funded SDK clients. */
export function useWebCluster(ports: PortRange, clients: number): WebCluster {
  const web = {} as WebCluster;
  beforeAll(async () => {
    await ensureWebBuilt();
    web.cluster = await startComputeCluster({ portBase: ports.base, metricsPortBase: portAt(ports, 10), clients });
    web.ui = `${web.cluster.devnet.restUrl}/ui/`;
    web.browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await web.browser?.close();
    await web.cluster?.stop();
  }, 60_000);
  return web;
}
