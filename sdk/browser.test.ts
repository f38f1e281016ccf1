/**
 * The SDK in a real browser: the browser entry (sdk/browser.ts) bundled by vite with the
 * project's one swap (sdk/browser-build.ts), loaded into Debian's Chromium through
 * playwright-core. The same vector function runs in Node and in Chromium and both must give
 * sdk/testdata/envelope-vectors.json byte for byte; outputs sealed on one side open on the
 * other. Needs `npm run build` (dist/) and /usr/bin/chromium (`make deps` installs it).
 * `UPDATE_VECTORS=1` rewrites the JSON after a deliberate format change.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../cmd/paths.js";
import { envelopeVectors, seededRandom } from "./testdata/envelope-vectors.js";
import * as lib from "./browser.js";
import { browserBuildAliases } from "./browser-build.js";
import { launchChromium, openPage, VIEWPORTS } from "../test/e2e/browser.js";

const VECTORS_PATH = join(packageRoot(), "sdk", "testdata", "envelope-vectors.json");

let dir: string;
let server: Server;
let browser: Browser;
let page: Page;
/** The page's console errors and uncaught exceptions. */
let consoleErrors: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ogpu-browser-sdk-"));
  const dist = join(packageRoot(), "dist");
  await build({
    configFile: false,
    logLevel: "error",
    root: dir,
    build: { outDir: dir, emptyOutDir: false, minify: false, lib: { entry: join(dist, "sdk", "testdata", "vectors-browser-entry.js"), formats: ["es"], fileName: () => "bundle.js" } },
    plugins: [browserBuildAliases(dist)],
  });
  const bundle = await readFile(join(dir, "bundle.js"));
  server = createServer((req, res) => {
    if (req.url === "/bundle.js") res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
    else res.writeHead(200, { "content-type": "text/html" }).end('<!doctype html><title>ogpu sdk</title><script type="module" src="/bundle.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  browser = await launchChromium();
  ({ page, errors: consoleErrors } = await openPage(browser, VIEWPORTS.desktop));
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.waitForFunction(() => "ogpuVectors" in globalThis);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  // A set-up that failed before the server started leaves nothing to close (close's callback would never run).
  if (server) await new Promise((resolve) => server!.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("browser SDK", () => {
  it("the bundle imports nothing from Node (no node: modules, no require)", async () => {
    const code = (await readFile(join(dir, "bundle.js"), "utf8")).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
    expect(code).not.toMatch(/from\s*["']node:|import\(["']node:|require\(/);
  });

  it("Node reproduces the committed envelope vectors", async () => {
    const vectors = await envelopeVectors(lib);
    if (process.env.UPDATE_VECTORS) writeFileSync(VECTORS_PATH, JSON.stringify(vectors, null, 2) + "\n");
    expect(vectors).toEqual(JSON.parse(readFileSync(VECTORS_PATH, "utf8")));
  });

  it("Chromium reproduces the same vectors byte for byte", async () => {
    const inBrowser = await page.evaluate(() => (globalThis as unknown as { ogpuVectors(): Promise<Record<string, string>> }).ogpuVectors());
    expect(inBrowser).toEqual(JSON.parse(readFileSync(VECTORS_PATH, "utf8")));
    expect(consoleErrors).toEqual([]);
  });

  it("an output sealed in Node opens in Chromium, and one sealed in Chromium opens in Node", async () => {
    const client = lib.kemKeyPairFromSeed(new Uint8Array(64).fill(9));
    const fromNode = await lib.sealTaskOutput(new TextEncoder().encode("sealed by node"), client.publicKey, 7n, "output", [], seededRandom("cross"));
    const opened = await page.evaluate(
      async ([blobHex, seedHex]) => {
        type Sdk = typeof import("./browser.js");
        const sdk = (globalThis as unknown as { ogpuSdk: Sdk }).ogpuSdk;
        const hex = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
        const key = sdk.kemKeyPairFromSeed(hex(seedHex!));
        const text = new TextDecoder().decode(await sdk.openTaskOutput(hex(blobHex!), key.secretKey, 7n));
        const back = await sdk.sealTaskOutput(new TextEncoder().encode("sealed by chromium"), key.publicKey, 8n);
        return { text, back: Array.from(back, (b) => b.toString(16).padStart(2, "0")).join("") };
      },
      [bytesToHex(fromNode), bytesToHex(new Uint8Array(64).fill(9))],
    );
    expect(opened.text).toBe("sealed by node");
    expect(new TextDecoder().decode(await lib.openTaskOutput(hexToBytes(opened.back), client.secretKey, 8n))).toBe("sealed by chromium");
    expect(consoleErrors).toEqual([]);
  });
});
