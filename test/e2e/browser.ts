/**
 * The browser side of the web suites (web-*.e2e.test.ts, sdk/browser.test.ts): Debian's
 * Chromium through playwright-core, pages that collect their console errors, the screenshot
 * folders and the dashboard's wallet-panel key import.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { expect } from "vitest";
import { packageRoot } from "../../cmd/paths.js";

const ROOT = packageRoot();
/** Every screenshot of a run (and the files the pages download). */
export const SHOTS = join(ROOT, "test-results", "web");
/** With UPDATE_DOCS_IMG=1, the README's and docs/web.md's images are re-shot here. */
export const DOCS_IMG = join(ROOT, "docs", "img");
export const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
export type Viewport = { width: number; height: number };
// Chromium in a closed network: without these it waits on updates, sync and QUIC probes.
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Builds dist/ui when this checkout has not yet (the node serves whatever it holds) and creates SHOTS. */
export async function ensureWebBuilt(): Promise<void> {
  if (!existsSync(join(ROOT, "dist", "ui", "index.html"))) execFileSync("npm", ["run", "build:web"], { cwd: ROOT, stdio: "ignore" });
  await mkdir(SHOTS, { recursive: true });
}

/** Headless /usr/bin/chromium; playwright gives every launch a fresh temporary profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS });
}

/** A page in its own context at one width, its console errors and uncaught exceptions collected in `errors`. */
export async function openPage(browser: Browser, viewport: Viewport, opts: { acceptDownloads?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, ...opts });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => void (message.type() === "error" && errors.push(message.text())));
  page.on("pageerror", (err) => void errors.push(err.message));
  return { page, errors };
}

/** The text of the first element with this data-testid in `scope` ("" until it exists). */
export async function testIdText(scope: Page | Locator, testId: string): Promise<string> {
  return (await scope.getByTestId(testId).first().textContent({ timeout: 1000 }).catch(() => null)) ?? "";
}

export interface ScreenshotOptions {
  /** The whole scrollable page (default) or the viewport only. */
  fullPage?: boolean;
  /** With UPDATE_DOCS_IMG=1, also docs/img/web-<name>.png: of the whole page (default), the viewport, or not at all. */
  docs?: "fullPage" | "viewport" | "none";
}

/** SHOTS/<name>.png, and the docs image as `opts.docs` says. */
export async function screenshot(page: Page, name: string, opts: ScreenshotOptions = {}): Promise<void> {
  const { fullPage = true, docs = "fullPage" } = opts;
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
  if (docs !== "none" && process.env.UPDATE_DOCS_IMG === "1") await page.screenshot({ path: join(DOCS_IMG, `web-${name}.png`), fullPage: docs === "fullPage" });
}

/** Imports `mnemonic` through the header's wallet panel (sealed with `passphrase`) and waits until it is unlocked. */
export async function importKeyInWalletPanel(page: Page, mnemonic: string, address: string, passphrase: string): Promise<void> {
  await page.getByText("Wallet", { exact: true }).click();
  await page.getByLabel("Recovery phrase (12 or 24 words)").fill(mnemonic);
  await page.getByLabel(/^New passphrase/).fill(passphrase);
  await page.getByRole("button", { name: "Import key" }).press("Enter");
  await expect.poll(() => testIdText(page, "wallet-address"), { timeout: 30_000 }).toBe(address);
}
