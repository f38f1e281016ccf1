/**
 * The web dashboard (web/, served by the node at /ui) in a real Chromium (playwright-core,
 * /usr/bin/chromium) against a real devnet with two real ogpu-worker processes
 * (bench/e2e.ts startComputeCluster). A task submitted through the SDK gives the provider page
 * a finalized task to show. The customer page, which signs through the wallet, has its own
 * suite: test/e2e/web-customer.e2e.test.ts. Every page is loaded at desktop (1280×800) and phone (390×844)
 * width, screenshotted under test-results/web/ (UPDATE_DOCS_IMG=1 also writes the README's
 * docs/img/), and any console error or uncaught page error fails the test.
 * Ports: TEST_PORTS.web (testnet/ports.ts): the node, worker metrics at +10..+11.
 */
import { TEST_PORTS, portAt } from "../../testnet/ports.js";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startComputeCluster, type ComputeCluster } from "../../bench/e2e.js";
import { packageRoot } from "../../cmd/paths.js";

const ROOT = packageRoot();
const SHOTS = join(ROOT, "test-results", "web");
const DOCS_IMG = join(ROOT, "docs", "img");
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
// Chromium in a closed network: without these it waits on updates, sync and QUIC probes.
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let cluster: ComputeCluster;
let browser: Browser;
let ui: string;

beforeAll(async () => {
  // The node serves whatever dist/ui holds; build it when this checkout has not yet.
  if (!existsSync(join(ROOT, "dist", "ui", "index.html"))) execFileSync("npm", ["run", "build:web"], { cwd: ROOT, stdio: "ignore" });
  await mkdir(SHOTS, { recursive: true });
  cluster = await startComputeCluster({ portBase: TEST_PORTS.web.base, metricsPortBase: portAt(TEST_PORTS.web, 10), clients: 1 });
  ui = `${cluster.devnet.restUrl}/ui/`;
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await cluster?.stop();
}, 60_000);

/** A page at one width whose console errors and uncaught exceptions are collected. */
async function openPage(viewport: { width: number; height: number }): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (err) => errors.push(err.message));
  return { page, errors };
}

let submitted: Promise<{ taskId: bigint }> | undefined;

/** One hash task from client0 through the SDK, finalised by both workers (submitted once). */
function finalizedTask(): Promise<{ taskId: bigint }> {
  submitted ??= (async () => {
    const client = cluster.clients[0]!;
    const task = await client.submitTask({ kind: "hash", input: new TextEncoder().encode(JSON.stringify({ rounds: 100, data: "web" })), units: 10n, maxPricePerUnit: 200n, redundancy: 2 });
    const result = await client.fetchResult(task.taskId, { timeoutMs: 120_000 }).catch(async (err: Error) => {
      throw new Error(`${err.message}\n${await cluster.workerLogs()}`);
    });
    expect(result.state).toBe("finalized");
    return task;
  })();
  return submitted;
}

/** The text of the element with this data-testid ("" until it exists). */
async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).textContent({ timeout: 1000 }).catch(() => null)) ?? "";
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  if (process.env.UPDATE_DOCS_IMG === "1") await page.screenshot({ path: join(DOCS_IMG, `web-${name}.png`) });
}

describe("web dashboard at /ui on a real devnet", () => {
  it("network page: live height, validators with stake and power, the base price chart", async () => {
    for (const [width, viewport] of Object.entries(VIEWPORTS)) {
      const { page, errors } = await openPage(viewport);
      await page.goto(`${ui}#/network`);
      const height = async () => Number(await text(page, "height"));
      await expect.poll(height, { timeout: 30_000 }).toBeGreaterThan(0);
      const first = await height();
      // Live: the height moves without a reload, and the block time is measured.
      await expect.poll(height, { timeout: 30_000 }).toBeGreaterThan(first);
      await expect.poll(() => text(page, "block-time")).toMatch(/^\d+\.\d+ s$/);
      const validatorRows = page.getByTestId("validators").locator("tbody tr");
      await validatorRows.first().waitFor();
      expect(await validatorRows.count()).toBe(1);
      expect(await page.getByRole("meter", { name: /^stake share of / }).count()).toBe(1);
      // The price chart has drawn a line over at least two heights.
      await expect.poll(async () => Number(await page.locator(".chart").getAttribute("data-points")), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
      expect(await page.locator(".chart canvas").count()).toBe(1);
      expect(await page.getByTestId("prices").locator("tbody tr").count()).toBeGreaterThan(0);
      await screenshot(page, `network-${width}`);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });

  it("provider page: a worker's status and the job it finalised, with its earnings", async () => {
    const task = await finalizedTask();
    const operator = cluster.workers[1]!;
    for (const [width, viewport] of Object.entries(VIEWPORTS)) {
      const { page, errors } = await openPage(viewport);
      await page.goto(`${ui}#/provider`);
      await page.getByLabel("Operator address").fill(operator);
      await page.getByRole("button", { name: "Remember" }).press("Enter");
      await expect.poll(() => text(page, "worker-status"), { timeout: 30_000 }).toBe("ONLINE");
      const job = page.getByTestId("jobs").locator("tbody tr", { hasText: task.taskId.toString() });
      await job.waitFor({ timeout: 30_000 });
      expect(await job.textContent()).toContain("FINALIZED");
      await expect.poll(() => text(page, "earnings-total"), { timeout: 30_000 }).toMatch(/: [0-9.]*[1-9][0-9.]* OGPU$/);
      await page.locator(".chart canvas").waitFor();
      await screenshot(page, `provider-${width}`);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });
});
