/**
 * The Provider and Network pages with the wallet, in a real Chromium (playwright-core,
 * /usr/bin/chromium) against a real devnet with two real ogpu-worker processes
 * (bench/e2e.ts startComputeCluster). A task finalised through the SDK gives a real worker a
 * job and earnings to show. Then a provider imports its key in the page's wallet panel,
 * registers a worker from the page (no sidecar behind it), lowers its price so the scheduler
 * picks it, misses the commit of the task it is given — x/market slashes its bond
 * (commit_timeout) and the task finishes on a real worker — exits it, and withdraws the staking
 * rewards of a delegation it made; each step is checked against the chain's own query or event
 * index, and the slash is found with its reason on both pages. The Network page shows the live
 * height and block time, the validators with the compute multiplier from the ValidatorPowers
 * query and the price chart. Any console error or uncaught page error fails the test;
 * screenshots of both pages at desktop (1280×800) and phone (390×844) width go to
 * test-results/web/
 * (UPDATE_DOCS_IMG=1 also writes docs/img/web-{provider,network}-*.png for the README).
 * Ports: TEST_PORTS.webProvider (testnet/ports.ts): the node, worker metrics at +10..+11.
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { MsgDelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { importKeyInWalletPanel, openPage, screenshot, testIdText, VIEWPORTS } from "./browser.js";
import { useWebCluster } from "./web-cluster.js";

const PASSPHRASE = "provider passphrase";
/** docs/img/web-{provider,network}-*.png are of the viewport; the run keeps the whole page. */
const DOCS_SHOT = "viewport";
/** A loaded 2-core machine: blocks, txs and polls all get generous time. */
const SLOW = 120_000;

// clients[0] submits tasks; the second client account is the provider the page signs for.
const web = useWebCluster(TEST_PORTS.webProvider, 2);

interface WorkerJson {
  worker: { worker: { operator: string; price_per_unit: string; exit_height: string; bond: string }; status: string };
}

/** The chain's own record of a worker (REST Worker query); undefined while there is none. */
async function chainWorker(operator: string): Promise<WorkerJson["worker"] | undefined> {
  const res = await fetch(`${web.cluster.devnet.restUrl}/ogpu/workers/v1/workers/${operator}`);
  return res.status === 404 ? undefined : ((await res.json()) as WorkerJson).worker;
}

/** One SDK task (hash kernel, k = 2, bid 200 uogpu per unit), awaited to its end. */
async function runTask(label: string): Promise<{ taskId: bigint; state: string }> {
  const client = web.cluster.clients[0]!;
  const task = await client.submitTask({ kind: "hash", input: new TextEncoder().encode(JSON.stringify({ rounds: 100, data: label })), units: 10n, maxPricePerUnit: 200n, redundancy: 2 });
  const result = await client.fetchResult(task.taskId, { timeoutMs: 240_000 }).catch(async (err: Error) => {
    throw new Error(`${err.message}\n${await web.cluster.workerLogs()}`);
  });
  return { taskId: task.taskId, state: result.state };
}

/** Waits for the tx outcome line of `label` in `page` (or one panel of it); an error fails at once. */
async function txDone(page: Page | Locator, label: string): Promise<void> {
  await expect
    .poll(async () => {
      const failed = await testIdText(page, "tx-error");
      if (failed !== "") throw new Error(failed);
      return testIdText(page, "tx-done");
    }, { timeout: SLOW })
    .toMatch(new RegExp(`^${label}: included at height \\d+`));
}

describe("provider and network pages with the wallet, on a real devnet", () => {
  let finished: { taskId: bigint; state: string };

  it("provider page: a real worker's finished job and its earnings", async () => {
    finished = await runTask("provider page");
    expect(finished.state).toBe("finalized");
    const operator = web.cluster.workers[1]!;
    for (const [width, viewport] of Object.entries(VIEWPORTS)) {
      const { page, errors } = await openPage(web.browser, viewport);
      await page.goto(`${web.ui}#/provider`);
      await page.getByLabel("Operator address").fill(operator);
      await expect.poll(() => testIdText(page, "worker-status"), { timeout: 30_000 }).toBe("ONLINE");
      const job = page.getByTestId("jobs").locator("tbody tr", { hasText: finished.taskId.toString() });
      await job.waitFor({ timeout: 30_000 });
      expect(await job.textContent()).toContain("FINALIZED");
      await expect.poll(() => testIdText(page, "earnings-total"), { timeout: 30_000 }).toMatch(/: [0-9.]*[1-9][0-9.]* OGPU$/);
      await expect.poll(() => testIdText(page, "balance"), { timeout: 30_000 }).toMatch(/^[0-9.]+ OGPU$/);
      await screenshot(page, `provider-${width}`, { docs: DOCS_SHOT });
      expect(errors).toEqual([]);
      await page.context().close();
    }
  }, 300_000);

  it("a provider registers a worker from the page, changes its price, is slashed for a missed commit, exits and withdraws rewards", async () => {
    const provider = web.cluster.devnet.accounts[2]!;
    const { page, errors } = await openPage(web.browser, VIEWPORTS.desktop);
    await page.goto(`${web.ui}#/provider`);
    await importKeyInWalletPanel(page, provider.mnemonic, provider.address, PASSPHRASE);
    // The unlocked wallet names the operator; it has no worker yet, so the page offers to register one.
    await expect.poll(() => page.getByLabel("Operator address").inputValue(), { timeout: 30_000 }).toBe(provider.address);

    await page.getByLabel("GPU model").selectOption("CPU");
    await page.getByLabel("GPU count").fill("1");
    await page.getByLabel("VRAM per GPU (MB)").fill("0");
    await page.getByLabel("Price per unit (uogpu)").fill("50");
    await page.getByLabel("Jobs at once").fill("1");
    await page.getByRole("button", { name: "Register worker" }).click();
    await txDone(page, "Register worker");
    const registered = await chainWorker(provider.address);
    expect(registered).toMatchObject({ status: "WORKER_STATUS_ONLINE", worker: { price_per_unit: "50", exit_height: "0", bond: "1000000000" } });
    await expect.poll(() => testIdText(page, "worker-status"), { timeout: 30_000 }).toBe("ONLINE");
    // The provider also delegates (from Node, same account): staking rewards accrue for the page to withdraw at the end.
    const validator = ((await (await fetch(`${web.cluster.devnet.restUrl}/cosmos/staking/v1beta1/validators`)).json()) as { validators: { operator_address: string }[] }).validators[0]!.operator_address;
    await web.cluster.clients[1]!.broadcast([{ typeUrl: "/cosmos.staking.v1beta1.MsgDelegate", value: MsgDelegate.fromPartial({ delegatorAddress: provider.address, validatorAddress: validator, amount: { denom: "uogpu", amount: String(1000n * 1_000_000n) } }) }]);

    // Cheapest on the market: the scheduler gives it a slot of the next k = 2 task.
    await page.getByLabel("New price per unit (uogpu)").fill("1");
    await page.getByRole("button", { name: "Update worker" }).press("Enter");
    await txDone(page, "Update worker");
    expect((await chainWorker(provider.address))!.worker.price_per_unit).toBe("1");

    // Nothing runs behind this worker: it misses the commit, loses 1 % of its bond, and a real worker takes the slot over.
    const slashed = await runTask("missed commit");
    expect(slashed.state).toBe("finalized");
    expect(BigInt((await chainWorker(provider.address))!.worker.bond)).toBeLessThan(1_000_000_000n);
    const slashRow = page.getByTestId("slashes").locator("tbody tr", { hasText: "commit_timeout" });
    await slashRow.first().waitFor({ timeout: SLOW });
    expect(await slashRow.first().textContent()).toContain(slashed.taskId.toString());

    // Exit asks first; cancelling changes nothing, confirming sends MsgExitWorker.
    await page.getByRole("button", { name: "Exit worker…" }).click();
    await page.getByRole("button", { name: "Cancel" }).click();
    expect((await chainWorker(provider.address))!.worker.exit_height).toBe("0");
    await page.getByRole("button", { name: "Exit worker…" }).click();
    await page.getByRole("button", { name: "Confirm exit" }).press("Enter");
    await txDone(page, "Exit worker");
    const exiting = (await chainWorker(provider.address))!;
    expect(BigInt(exiting.worker.exit_height)).toBeGreaterThan(0n);
    await expect.poll(() => testIdText(page, "exit-state"), { timeout: 30_000 }).toMatch(new RegExp(`returns at height ${exiting.worker.exit_height}\\.$`));

    // Job pay and emission rewards arrive in the account by themselves; staking rewards are withdrawn from the page.
    await expect.poll(() => testIdText(page, "delegation-rewards"), { timeout: SLOW }).toMatch(/^[0-9.]*[1-9][0-9.]* OGPU$/);
    await page.getByRole("button", { name: /^Withdraw [0-9.]+ OGPU$/ }).click();
    await txDone(page.getByRole("group", { name: "Withdraw staking rewards" }), "Withdraw rewards");
    const search = `${web.cluster.devnet.restUrl}/cosmos/tx/v1beta1/txs?query=${encodeURIComponent(`withdraw_rewards.delegator='${provider.address}'`)}`;
    const found = (await (await fetch(search)).json()) as { tx_responses: { code: number; events: { type: string; attributes: { key: string; value: string }[] }[] }[] };
    expect(found.tx_responses).toHaveLength(1);
    const paid = found.tx_responses[0]!.events.find((e) => e.type === "withdraw_rewards")!.attributes.find((a) => a.key === "amount")!.value;
    expect(BigInt(paid.replace(/uogpu$/, ""))).toBeGreaterThan(0n);
    await screenshot(page, "provider-wallet-desktop", { docs: DOCS_SHOT });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 600_000);

  it("network page: live height and block time, validators with the compute multiplier, the price chart, and the slash with its reason", async () => {
    for (const [width, viewport] of Object.entries(VIEWPORTS)) {
      const { page, errors } = await openPage(web.browser, viewport);
      await page.goto(`${web.ui}#/network`);
      // Live: the height moves without a reload, and the block time is measured.
      const height = async () => Number(await testIdText(page, "height"));
      await expect.poll(height, { timeout: 30_000 }).toBeGreaterThan(0);
      const first = await height();
      await expect.poll(height, { timeout: 30_000 }).toBeGreaterThan(first);
      await expect.poll(() => testIdText(page, "block-time")).toMatch(/^\d+\.\d+ s$/);
      const row = page.getByTestId("validator-row");
      await row.first().waitFor({ timeout: 30_000 });
      expect(await row.count()).toBe(1);
      // The multiplier the page shows is the chain's power / stake (ValidatorPowers; it moves at epoch boundaries).
      await expect
        .poll(async () => {
          const shown = (await row.first().getByTestId("multiplier").textContent()) ?? "";
          const chain = (await (await fetch(`${web.cluster.devnet.restUrl}/ogpu/staking/v1/validator_powers`)).json()) as { validators: { multiplier_bps: string }[] };
          return shown === `${Number(chain.validators[0]!.multiplier_bps) / 10_000}×`;
        }, { timeout: 30_000 })
        .toBe(true);
      expect(await page.getByRole("meter", { name: /^stake share of / }).count()).toBe(1);
      expect(await page.getByRole("meter", { name: /^compute share of / }).count()).toBe(1);
      await expect.poll(async () => Number(await page.locator(".chart").getAttribute("data-points")), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
      const slash = page.getByTestId("slashes").locator("tbody tr", { hasText: "commit_timeout" });
      await slash.first().waitFor({ timeout: 30_000 });
      expect(await slash.first().textContent()).toContain("worker");
      await screenshot(page, `network-${width}`, { docs: DOCS_SHOT });
      expect(errors).toEqual([]);
      await page.context().close();
    }
  }, 180_000);
});
