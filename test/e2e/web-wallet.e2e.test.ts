/**
 * The dashboard's wallet in a real Chromium (playwright-core, /usr/bin/chromium) against a real
 * node: a key imported through the header's wallet panel (kept sealed in localStorage), locked,
 * unlocked and used to send OGPU from the page; and, from a page on another origin (the wallet
 * modules bundled on their own, web/src/wallet/e2e-entry.ts), a blob upload signed in the
 * browser that the node accepts and a signing error surfaced with the chain's code. Keplr: a
 * window.keplr test double (init script) whose signing is a real cosmjs signer in this Node
 * process (exposed functions) — the code under test is the dashboard's own Keplr client: the
 * chain it suggests must be the node's chain-info, a tx it signs is included, an ADR-036 upload
 * is accepted, and its encryption key is the one the signature derivation gives.
 * Any console error or uncaught page error fails the test. Ports: TEST_PORTS.webWallet
 * (testnet/ports.ts).
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { execFileSync } from "node:child_process";
import { makeSignDoc as makeAminoSignDoc, Secp256k1HdWallet } from "@cosmjs/amino";
import { stringToPath } from "@cosmjs/crypto";
import { fromHex, toBase64, toHex } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../cmd/paths.js";
import { browserBuildAliases } from "../../sdk/browser-build.js";
import { clientEncryptionKeyFromSignature, encryptionKeySigningText } from "../../sdk/client-key.js";
import { HD_PATH } from "../../crypto/hd.js";
import { ogpudScript } from "../../testnet/devnet.js";
import { restBalance, startTestNode, type TestNode } from "./helpers.js";
import { ensureWebBuilt, importKeyInWalletPanel, launchChromium, openPage, screenshot, VIEWPORTS } from "./browser.js";

const ROOT = packageRoot();
const PASSPHRASE = "correct horse battery";
/** The wallet's screenshots are of the viewport and stay out of docs/img. */
const WALLET_SHOT = { fullPage: false, docs: "none" } as const;

/** What web/src/wallet/e2e-entry.ts puts on globalThis, as far as these tests call it. */
interface BrowserWalletLib {
  localWallet(mnemonic: string): Promise<{ address: string; blobSigner: unknown }>;
  uploadFromWallet(wallet: unknown, bytes: Uint8Array): Promise<{ cid: string; size: number }>;
  fetchBlob(rest: string, cid: string): Promise<Uint8Array>;
  signAndBroadcast(wallet: unknown, msgs: unknown[]): Promise<unknown>;
  connectKeplr(keplr: unknown): Promise<{ address: string; blobSigner: unknown; encryptionKey(): Promise<{ publicKey: Uint8Array }> }>;
}

/** The Node side of the window.keplr double: the account's real cosmjs signers. */
async function keplrBackend(mnemonic: string) {
  const options = { prefix: "ogpu", hdPaths: [stringToPath(HD_PATH)] };
  const direct = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, options);
  const amino = await Secp256k1HdWallet.fromMnemonic(mnemonic, options);
  const [account] = await direct.getAccounts();
  return {
    address: account!.address,
    pubkeyHex: toHex(account!.pubkey),
    async signDirect(doc: { bodyBytes: string; authInfoBytes: string; chainId: string; accountNumber: string }) {
      const { signed, signature } = await direct.signDirect(account!.address, { bodyBytes: fromHex(doc.bodyBytes), authInfoBytes: fromHex(doc.authInfoBytes), chainId: doc.chainId, accountNumber: BigInt(doc.accountNumber) });
      return { bodyBytes: toHex(signed.bodyBytes), authInfoBytes: toHex(signed.authInfoBytes), chainId: signed.chainId, accountNumber: signed.accountNumber.toString(), signature };
    },
    /** ADR-036, as the extension builds it: MsgSignData in an amino sign doc with empty chain id and zeros. */
    async signArbitrary(signer: string, dataHex: string) {
      const doc = makeAminoSignDoc([{ type: "sign/MsgSignData", value: { signer, data: toBase64(fromHex(dataHex)) } }], { gas: "0", amount: [] }, "", "", 0, 0);
      return (await amino.signAmino(signer, doc)).signature;
    },
  };
}

/**
 * A page whose window.keplr is the double: suggestions recorded on window.keplrSuggested,
 * signing forwarded to `backend` in this process.
 */
async function withKeplrDouble(page: Page, backend: Awaited<ReturnType<typeof keplrBackend>>): Promise<void> {
  await page.exposeFunction("keplrAccount", () => ({ address: backend.address, pubkey: backend.pubkeyHex }));
  await page.exposeFunction("keplrSignDirect", (doc: Parameters<typeof backend.signDirect>[0]) => backend.signDirect(doc));
  await page.exposeFunction("keplrSignArbitrary", (signer: string, dataHex: string) => backend.signArbitrary(signer, dataHex));
  await page.addInitScript(() => {
    type Remote = Record<string, (...args: unknown[]) => Promise<Record<string, string>>>;
    const w = globalThis as unknown as Remote & { keplr: unknown; keplrSuggested: { chainId: string }[] };
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    const bytes = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
    w.keplrSuggested = [];
    w.keplr = {
      async experimentalSuggestChain(info: { chainId: string }) {
        w.keplrSuggested.push(info);
      },
      async enable(chainId: string) {
        if (!w.keplrSuggested.some((i) => i.chainId === chainId)) throw new Error(`There is no chain info for ${chainId}`);
      },
      getOfflineSigner(chainId: string) {
        return {
          async getAccounts() {
            const a = await w.keplrAccount!();
            return [{ address: a.address, algo: "secp256k1", pubkey: bytes(a.pubkey!) }];
          },
          async signDirect(_signer: string, doc: { bodyBytes: Uint8Array; authInfoBytes: Uint8Array; chainId: string; accountNumber: bigint }) {
            if (doc.chainId !== chainId) throw new Error("chain id mismatch");
            const r = (await w.keplrSignDirect!({ bodyBytes: hex(doc.bodyBytes), authInfoBytes: hex(doc.authInfoBytes), chainId: doc.chainId, accountNumber: doc.accountNumber.toString() })) as unknown as {
              bodyBytes: string;
              authInfoBytes: string;
              chainId: string;
              accountNumber: string;
              signature: unknown;
            };
            return { signed: { bodyBytes: bytes(r.bodyBytes), authInfoBytes: bytes(r.authInfoBytes), chainId: r.chainId, accountNumber: BigInt(r.accountNumber) }, signature: r.signature };
          },
        };
      },
      async signArbitrary(_chainId: string, signer: string, data: string | Uint8Array) {
        return w.keplrSignArbitrary!(signer, hex(typeof data === "string" ? new TextEncoder().encode(data) : data));
      },
    };
  });
}

let node: TestNode;
let browser: Browser;
let bundleDir: string;
let bundleServer: Server;
let bundleOrigin: string;

beforeAll(async () => {
  await ensureWebBuilt();
  bundleDir = await mkdtemp(join(tmpdir(), "ogpu-web-wallet-"));
  const [started] = await Promise.all([
    startTestNode({
      portBase: TEST_PORTS.webWallet.base,
      homePrefix: "ogpu-web-wallet-",
      accounts: [
        { name: "dev", coins: "100000000000uogpu" },
        { name: "web", coins: "50000000uogpu" },
        { name: "keplr", coins: "50000000uogpu" },
      ],
    }),
    build({
      configFile: false,
      logLevel: "error",
      root: bundleDir,
      build: { outDir: bundleDir, emptyOutDir: false, minify: false, lib: { entry: join(ROOT, "web", "src", "wallet", "e2e-entry.ts"), formats: ["es"], fileName: () => "bundle.js" } },
      plugins: [browserBuildAliases(ROOT)],
    }),
  ]);
  node = started;
  const bundle = await readFile(join(bundleDir, "bundle.js"));
  bundleServer = createServer((req, res) => {
    if (req.url === "/bundle.js") res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
    else res.writeHead(200, { "content-type": "text/html" }).end('<!doctype html><title>ogpu wallet</title><script type="module" src="/bundle.js"></script>');
  });
  await new Promise<void>((resolve) => bundleServer.listen(0, "127.0.0.1", resolve));
  bundleOrigin = `http://127.0.0.1:${(bundleServer.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => bundleServer?.close(resolve));
  await node?.cleanup();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
}, 60_000);

/** The wallet-only bundle on its own origin, talking to the node cross-origin. */
async function openBundlePage(): Promise<{ page: Page; errors: string[] }> {
  const opened = await openPage(browser, VIEWPORTS.desktop);
  await opened.page.goto(`${bundleOrigin}/`);
  await opened.page.waitForFunction(() => "ogpuWallet" in globalThis);
  await opened.page.evaluate((rest) => (globalThis as unknown as { ogpuWallet: { saveRestBase(u: string): void } }).ogpuWallet.saveRestBase(rest), node.devnet.restUrl);
  return opened;
}

describe("the dashboard's wallet on a real node", () => {
  it("imports a key through the panel, keeps it sealed, unlocks it and sends OGPU from the page", async () => {
    const web = node.devnet.accounts[1]!;
    const dev = node.devnet.accounts[0]!;
    const { page, errors } = await openPage(browser, VIEWPORTS.desktop);
    await page.goto(`${node.devnet.restUrl}/ui/#/network`);
    await importKeyInWalletPanel(page, web.mnemonic, web.address, PASSPHRASE);
    await expect.poll(() => page.getByTestId("wallet-balance").textContent(), { timeout: 30_000 }).toBe("50 OGPU");
    // Keyboard: Escape folds the panel back onto its summary, Enter opens it again.
    await page.keyboard.press("Escape");
    expect(await page.locator("details.wallet").getAttribute("open")).toBeNull();
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { tagName: string } | null } }).document.activeElement?.tagName)).toBe("SUMMARY");
    await page.keyboard.press("Enter");
    expect(await page.locator("details.wallet").getAttribute("open")).toBe("");
    // Stored sealed: no word of the phrase in localStorage.
    const stored = await page.evaluate(() => JSON.stringify({ ...(globalThis as unknown as { localStorage: Record<string, string> }).localStorage }));
    expect(stored).toContain(web.address);
    for (const word of new Set(web.mnemonic.split(" "))) expect(stored).not.toContain(` ${word} `);

    // A reload forgets the key in memory: a wrong passphrase is refused, the right one unlocks.
    await page.reload();
    await page.getByText("Wallet (locked)").click();
    await page.getByLabel("Passphrase").fill("not it");
    await page.getByRole("button", { name: "Unlock" }).click();
    await expect.poll(() => page.getByRole("alert").textContent(), { timeout: 30_000 }).toMatch(/wrong passphrase/);
    await page.getByLabel("Passphrase").fill(PASSPHRASE);
    await page.getByLabel("Passphrase").press("Enter");
    await page.getByTestId("wallet-address").waitFor({ timeout: 30_000 });

    await page.getByText("Send OGPU").click();
    await page.getByLabel("Send to (address)").fill(dev.address);
    await page.getByLabel("Amount (OGPU)").fill("1.5");
    const before = await restBalance(node.devnet, dev.address);
    await page.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => page.getByTestId("send-outcome").textContent(), { timeout: 60_000 }).toMatch(/^Sent in block \d+ \(tx [0-9A-F]{64}\)$/);
    expect(await restBalance(node.devnet, dev.address)).toBe(before + 1_500_000n);
    await screenshot(page, "wallet-desktop", WALLET_SHOT);

    await page.setViewportSize(VIEWPORTS.phone);
    await screenshot(page, "wallet-phone", WALLET_SHOT);
    await page.getByRole("button", { name: "Lock" }).click();
    await page.getByText("Wallet (locked)").waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("a blob upload signed in the browser is accepted cross-origin; a refused tx reports the chain's code", async () => {
    const web = node.devnet.accounts[1]!;
    const { page, errors } = await openBundlePage();
    const result = await page.evaluate(
      async ([mnemonic, rest]) => {
        const lib = (globalThis as unknown as { ogpuWallet: BrowserWalletLib }).ogpuWallet;
        const wallet = await lib.localWallet(mnemonic!);
        const bytes = new TextEncoder().encode(`uploaded from chromium by ${wallet.address}`);
        const ref = await lib.uploadFromWallet(wallet, bytes);
        const back = new TextDecoder().decode(await lib.fetchBlob(rest!, ref.cid));
        const tooMuch = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: wallet.address, toAddress: wallet.address, amount: [{ denom: "uogpu", amount: "999999999999" }] } };
        const refused = await lib.signAndBroadcast(wallet, [tooMuch]).then(
          () => "included?!",
          (err: Error & { code?: number }) => `${err.name} ${err.code}: ${err.message}`,
        );
        return { ref, back, refused };
      },
      [web.mnemonic, node.devnet.restUrl],
    );
    expect(result.back).toBe(`uploaded from chromium by ${web.address}`);
    expect(result.ref.size).toBe(result.back.length);
    expect(result.refused).toMatch(/^TxError 5: .*insufficient funds.*\(codespace sdk, code 5\)$/);
    // The refused simulation is an HTTP error the browser reports itself; nothing else may be.
    expect(errors.filter((e) => !/^Failed to load resource: the server responded with a status of [45]\d\d/.test(e))).toEqual([]);
    await page.context().close();
  });
});

describe("the dashboard's Keplr client against a window.keplr double", () => {
  it("suggests the node's chain-info, sends a tx Keplr signed, uploads with an ADR-036 signature, derives the signature-bound encryption key", async () => {
    const keplr = node.devnet.accounts[2]!;
    const dev = node.devnet.accounts[0]!;
    const backend = await keplrBackend(keplr.mnemonic);
    const { page, errors } = await openPage(browser, VIEWPORTS.desktop);
    await withKeplrDouble(page, backend);
    await page.goto(`${node.devnet.restUrl}/ui/#/network`);
    await page.getByText("Wallet", { exact: true }).click();
    await page.getByRole("button", { name: "Connect Keplr" }).click();
    await expect.poll(() => page.getByTestId("wallet-address").textContent(), { timeout: 30_000 }).toBe(keplr.address);
    // What the page suggested is what `ogpud chain-info` computes for this node, at the URL the page used.
    const suggested = await page.evaluate(() => (globalThis as unknown as { keplrSuggested: unknown[] }).keplrSuggested);
    const cli = JSON.parse(execFileSync(process.execPath, [ogpudScript(), "chain-info", "--home", node.devnet.home], { encoding: "utf8" })) as { keplr: Record<string, unknown> };
    expect(suggested).toEqual([{ ...cli.keplr, rest: node.devnet.restUrl }]);

    await page.getByText("Send OGPU").click();
    await page.getByLabel("Send to (address)").fill(dev.address);
    await page.getByLabel("Amount (OGPU)").fill("2");
    const before = await restBalance(node.devnet, dev.address);
    await page.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => page.getByTestId("send-outcome").textContent(), { timeout: 60_000 }).toMatch(/^Sent in block \d+/);
    expect(await restBalance(node.devnet, dev.address)).toBe(before + 2_000_000n);
    await screenshot(page, "wallet-keplr-desktop", WALLET_SHOT);
    expect(errors).toEqual([]);
    await page.context().close();

    const bundle = await openPage(browser, VIEWPORTS.desktop);
    await withKeplrDouble(bundle.page, backend);
    await bundle.page.goto(`${bundleOrigin}/`);
    await bundle.page.waitForFunction(() => "ogpuWallet" in globalThis);
    const result = await bundle.page.evaluate(async (rest) => {
      const g = globalThis as unknown as { ogpuWallet: BrowserWalletLib & { saveRestBase(u: string): void }; keplr: unknown };
      g.ogpuWallet.saveRestBase(rest);
      const wallet = await g.ogpuWallet.connectKeplr(g.keplr);
      const bytes = new TextEncoder().encode(`uploaded through keplr by ${wallet.address}`);
      const ref = await g.ogpuWallet.uploadFromWallet(wallet, bytes);
      const back = new TextDecoder().decode(await g.ogpuWallet.fetchBlob(rest, ref.cid));
      const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
      const first = hex((await wallet.encryptionKey()).publicKey);
      const again = hex((await (await g.ogpuWallet.connectKeplr(g.keplr)).encryptionKey()).publicKey);
      return { back, first, again };
    }, node.devnet.restUrl);
    expect(result.back).toBe(`uploaded through keplr by ${keplr.address}`);
    // Deterministic: a second connection derives the same key, the one the derivation gives in Node.
    expect(result.again).toBe(result.first);
    const text = new TextEncoder().encode(encryptionKeySigningText(node.devnet.chainId, keplr.address));
    const signature = await backend.signArbitrary(keplr.address, toHex(text));
    expect(result.first).toBe(toHex(clientEncryptionKeyFromSignature(Buffer.from(signature.signature, "base64")).publicKey));
    expect(bundle.errors).toEqual([]);
    await bundle.page.context().close();
  });
});
