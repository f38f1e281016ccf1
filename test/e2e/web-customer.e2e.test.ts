/**
 * The customer page signs for real (issue 15's Must-show): Chromium (playwright-core,
 * /usr/bin/chromium) on the dashboard of a real devnet with two real ogpu-worker processes
 * (bench/e2e.ts startComputeCluster). Through the page only: import a funded key into the
 * wallet, submit an encrypted hash task with an input file, follow it to FINALIZED, open the
 * result (decrypted in the browser, digest checked) and download it — compared with the hash
 * computed here — export the spend history as CSV; a task bidding below every worker's price
 * waits PENDING and is cancelled and refunded; a job that fails on its input posts a log, which
 * the page opens (decrypted). At phone width, a program folder picked in the
 * page packs to the CID the CLI gives it. Screenshots at desktop and phone width go to test-results/web/
 * (UPDATE_DOCS_IMG=1: docs/img/web-customer-*.png); any console error fails the test.
 * Ports: TEST_PORTS.webCustomer (testnet/ports.ts): the node, worker metrics at +10..+11.
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../cmd/paths.js";
import { packProgram } from "../../sdk/program-dir.js";
import { openPage, screenshot, SHOTS, testIdText, VIEWPORTS, type Viewport } from "./browser.js";
import { useWebCluster } from "./web-cluster.js";

const ROOT = packageRoot();
const NUMPY_SUM = join(ROOT, "examples", "programs", "numpy-sum");
const PASSPHRASE = "correct horse battery";
const HASH_INPUT = { rounds: 1000, data: "from the browser" };
const UNITS = 10n;
const MAX_PRICE = 200n;
/** Below the workers' price (ogpu-worker's default, 100 uogpu/unit): nobody takes the task. */
const LOW_PRICE = 50n;

const web = useWebCluster(TEST_PORTS.webCustomer, 1);

/** The customer page at one width, its console errors and uncaught exceptions collected. */
async function openCustomerPage(viewport: Viewport): Promise<{ page: Page; errors: string[] }> {
  const opened = await openPage(web.browser, viewport, { acceptDownloads: true });
  await opened.page.goto(`${web.ui}#/customer`);
  return opened;
}

/** Imports the funded client's mnemonic through the header's wallet panel (kept encrypted in the browser). */
async function importKey(page: Page): Promise<string> {
  const account = web.cluster.devnet.accounts[1]!;
  await page.locator("details.wallet > summary").click();
  await page.getByLabel("Recovery phrase (12 or 24 words)").fill(account.mnemonic);
  await page.getByLabel("New passphrase (encrypts the phrase in this browser)").fill(PASSPHRASE);
  await page.getByRole("button", { name: "Import key" }).click();
  await expect.poll(() => testIdText(page, "client"), { timeout: 30_000 }).toContain(account.address);
  await page.locator("details.wallet > summary").click(); // closes the panel again
  return account.address;
}

/** hash kernel (worker/executors/hash.ts): h₀ = data, hᵢ = sha256(hᵢ₋₁), output h_rounds. */
function expectedHash(rounds: number, data: string): Buffer {
  let h = Buffer.from(data, "utf8");
  for (let i = 0; i < rounds; i++) h = createHash("sha256").update(h).digest();
  return h;
}

/** Fills and submits the form; the page's outcome: the task id it reports, or its error. */
async function submitTask(page: Page, opts: { k: number; tier: number; encrypt: boolean; maxPrice: bigint; input?: object }): Promise<{ taskId?: string; error?: string }> {
  const status = page.getByTestId("submit-status");
  const attempt = Number(await status.getAttribute("data-attempt")) + 1;
  await page.getByLabel("Kind", { exact: true }).selectOption("hash");
  await page.getByLabel("Input file").setInputFiles({ name: "input.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(opts.input ?? HASH_INPUT)) });
  await page.getByLabel("Units").fill(UNITS.toString());
  await page.getByLabel("Workers (k)").fill(String(opts.k));
  await page.getByLabel("Minimum tier").selectOption(String(opts.tier));
  await page.getByLabel("Max price per unit (uogpu)").fill(opts.maxPrice.toString());
  const encrypt = page.getByLabel(/Encrypt the input/);
  if ((await encrypt.isChecked()) !== opts.encrypt) await encrypt.setChecked(opts.encrypt);
  // Keyboard: the submit button is reached and pressed like any other.
  await page.getByRole("button", { name: "Submit task" }).press("Enter");
  const outcome = async () => (Number(await status.getAttribute("data-attempt")) === attempt ? ((await status.getAttribute("data-state")) ?? "") : "");
  await expect.poll(outcome, { timeout: 60_000 }).toMatch(/^(done|error)$/);
  if ((await outcome()) === "error") return { error: await testIdText(page, "submit-error") };
  return { taskId: /^task (\d+) submitted/.exec(await testIdText(page, "submit-status"))![1]! };
}

function taskRow(page: Page, taskId: string) {
  return page.getByTestId("client-tasks").locator("tbody tr").filter({ has: page.getByRole("rowheader", { name: taskId, exact: true }) });
}

describe("customer page signs, follows, opens and cancels tasks on a real devnet", () => {
  it("imports a key, submits an encrypted task, watches it finalise, downloads the verified result, cancels a pending task, reads a failed job's log, exports CSV", async () => {
    const { page, errors } = await openCustomerPage(VIEWPORTS.desktop);
    await importKey(page);

    // The live estimate: escrow = max price × units × k, both workers qualify for tier 0.
    await page.getByLabel("Workers (k)").fill("2");
    await page.getByLabel("Max price per unit (uogpu)").fill(MAX_PRICE.toString());
    await page.getByLabel("Units").fill(UNITS.toString());
    await expect.poll(() => testIdText(page, "estimate"), { timeout: 30_000 }).toMatch(/^escrow 0\.004 OGPU · base price \d+ uogpu\/unit · 2 qualifying workers online · /);

    const { taskId, error } = await submitTask(page, { k: 2, tier: 0, encrypt: true, maxPrice: MAX_PRICE });
    expect(error).toBeUndefined();
    if (taskId === undefined) throw new Error("no task id");
    expect(await testIdText(page, "submit-status")).toContain("input sealed to 2 worker(s)");
    const row = taskRow(page, taskId);
    await expect.poll(async () => (await row.textContent()) ?? "", { timeout: 180_000 }).toContain("FINALIZED");
    await expect.poll(async () => (await row.textContent()) ?? "", { timeout: 30_000 }).toMatch(/submitted @\d+ → assigned @[\d,]+ → committed @[\d,]+ → revealed @[\d,]+ → finalized @\d+/);
    const onChain = (await (await fetch(`${web.cluster.devnet.restUrl}/ogpu/market/v1/tasks/${taskId}`)).json()) as { task: { input_encrypted: boolean; client: string } };
    expect(onChain.task.input_encrypted).toBe(true);

    await page.getByRole("button", { name: `Open result of task ${taskId}` }).click();
    const expected = expectedHash(HASH_INPUT.rounds, HASH_INPUT.data);
    await expect.poll(() => testIdText(page, "result-verified"), { timeout: 30_000 }).toContain(`verified: 32 bytes, decrypted in this browser, hash to the finalised digest sha256 ${createHash("sha256").update(expected).digest("hex")}`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: `Download the result of task ${taskId}` }).click()]);
    const outputPath = join(SHOTS, `customer-result-${taskId}.bin`);
    await download.saveAs(outputPath);
    expect(Buffer.compare(await readFile(outputPath), expected)).toBe(0);

    // Tier 3 (the workers are tier 0): sealing needs a recipient, so the page refuses it with a
    // clear message before anything is signed.
    expect((await submitTask(page, { k: 1, tier: 3, encrypt: true, maxPrice: MAX_PRICE })).error).toMatch(/no online worker meets the task's requirements/);
    // A bid below every worker's price (100 uogpu/unit) waits, PENDING, and is cancelled.
    const { taskId: pendingId, error: refused } = await submitTask(page, { k: 1, tier: 0, encrypt: true, maxPrice: LOW_PRICE });
    if (pendingId === undefined) throw new Error(`the low-bid task was refused: ${refused}`);
    expect(await testIdText(page, "estimate")).toContain("waits for 1 qualifying workers at your price (0 online)");
    const pending = taskRow(page, pendingId);
    await expect.poll(async () => (await pending.textContent()) ?? "", { timeout: 30_000 }).toContain("PENDING");
    await page.getByRole("button", { name: `Cancel task ${pendingId}` }).click();
    await expect.poll(() => testIdText(page, "task-notice"), { timeout: 60_000 }).toBe(`task ${pendingId} cancelled: ${UNITS * LOW_PRICE} uogpu refunded`);
    await expect.poll(async () => (await pending.textContent()) ?? "", { timeout: 30_000 }).toContain("CANCELLED (cancelled_by_client)");

    // A job that fails posts its log (sealed to the client like an output): the page opens it.
    const { taskId: failingId } = await submitTask(page, { k: 1, tier: 0, encrypt: true, maxPrice: MAX_PRICE, input: { rounds: 0, data: "x" } });
    await page.getByRole("button", { name: `Logs of task ${failingId}` }).click({ timeout: 120_000 });
    await expect.poll(() => testIdText(page, "log-text"), { timeout: 30_000 }).toMatch(/job failed: bad_input: hash: /);
    await page.getByRole("button", { name: "Close" }).click();

    const [csvDownload] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    const csvPath = join(SHOTS, "customer-spend.csv");
    await csvDownload.saveAs(csvPath);
    const csv = (await readFile(csvPath, "utf8")).trim().split("\n");
    expect(csv[0]).toBe("id,kind,status,units,redundancy,cost_uogpu,submit_height,updated_height");
    expect(csv).toContainEqual(expect.stringMatching(new RegExp(`^${taskId},hash,FINALIZED,${UNITS},2,[1-9]\\d*,\\d+,\\d+$`)));
    expect(csv).toContainEqual(expect.stringMatching(new RegExp(`^${pendingId},hash,CANCELLED,${UNITS},1,0,\\d+,\\d+$`)));

    // The whole page: the form, the tasks and the opened result tell the story together.
    await screenshot(page, "customer-desktop");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("at phone width: the same key, the tasks and their results; a picked program folder packs to the CLI's CID", async () => {
    const { page, errors } = await openCustomerPage(VIEWPORTS.phone);
    await importKey(page);
    // The folder input gives the page the files, not their modes; this program has no executables,
    // so the page's bundle is byte for byte the CLI's (sdk/programs.ts pickedDirectoryEntries).
    await page.getByRole("radio", { name: "Program folder" }).check();
    await page.getByLabel("Program folder (with ogpu-program.json)").setInputFiles(NUMPY_SUM);
    await expect.poll(() => testIdText(page, "program"), { timeout: 30_000 }).toContain(`cid ${(await packProgram(NUMPY_SUM)).cid}`);
    const rows = page.getByTestId("client-tasks").locator("tbody tr");
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(3);
    const finalized = rows.filter({ hasText: "FINALIZED" });
    await finalized.getByRole("button", { name: /^Open result of task/ }).click();
    await expect.poll(() => testIdText(page, "result-verified"), { timeout: 30_000 }).toMatch(/^verified: 32 bytes/);
    await screenshot(page, "customer-phone");
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
