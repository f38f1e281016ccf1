import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OgpuApp } from "../../app/app.js";
import { createAppWiring } from "../../app/modules.js";
import { accountAddressString, moduleAddress } from "../../app/address.js";
import { finalizeRequest, initChainRequest, sendMsg, testKey } from "../../app/testkit.js";
import { sha256 } from "../../crypto/hash.js";
import { expectOk, OGPU, startPosChain } from "../../x/attest/testing.js";
import { allAccounts } from "../../x/auth/keeper.js";
import { allBalances } from "../../x/bank/keeper.js";
import { BONDED_POOL } from "../../x/staking/keeper.js";
import { shadowForkGenesis } from "./shadow-fork.js";

const balancesOf = (app: OgpuApp) => new Map([...allBalances(app.latestState())].map((b) => [`${accountAddressString(b.address)} ${b.coin.denom}`, b.coin.amount]));

describe("shadowForkGenesis", () => {
  it("keeps every account and balance, jails the source validators and makes the local key the only validator", async () => {
    const source = await startPosChain({ validatorStakes: [1000n * OGPU, 1000n * OGPU] });
    const dir = mkdtempSync(join(tmpdir(), "ogpu-fork-"));
    const fork = await OgpuApp.open(join(dir, "db"), createAppWiring(), { minGasPrices: [], checkInvariants: true });
    try {
      expectOk(await source.run([source.client.tx([sendMsg(source.client.address, testKey(60).address, "5000")])]));
      const exported = { chain_id: "ogpu-test-1", initial_height: String(source.height + 1n), app_state: JSON.parse(JSON.stringify(source.app.exportAppState())) as Record<string, unknown> };
      const local = testKey(61);
      const consensusKey = sha256(new TextEncoder().encode("fork consensus key"));
      const { genesis, report } = shadowForkGenesis(exported, { chainId: "ogpu-test-1-fork", operator: local.addressBytes, consensusKey, stake: 5n * OGPU, moniker: "fork" });
      expect(report.jailed_validators).toHaveLength(2);
      expect(BigInt(report.supply_after_uogpu) - BigInt(report.supply_before_uogpu)).toBe(5n * OGPU);
      expect(() => shadowForkGenesis(exported, { chainId: "ogpu-test-1", operator: local.addressBytes, consensusKey, moniker: "x" })).toThrow(/own chain id/);

      const res = fork.initChain({ ...initChainRequest(genesis.app_state!), chainId: "ogpu-test-1-fork", initialHeight: BigInt(genesis.initial_height!) });
      expect(res.validators).toEqual([{ pubKey: { ed25519: consensusKey }, power: 5n }]);
      // Balances: identical but for the fork stake in the bonded pool.
      const before = new Map([...allBalances(source.app.store)].map((b) => [`${accountAddressString(b.address)} ${b.coin.denom}`, b.coin.amount]));
      const after = balancesOf(fork);
      const pool = `${accountAddressString(moduleAddress(BONDED_POOL))} uogpu`;
      expect(after.get(pool)).toBe(before.get(pool)! + 5n * OGPU);
      after.delete(pool);
      before.delete(pool);
      expect(after).toEqual(before);
      // Accounts: identical, plus the fork operator's new one.
      const sourceAccounts = [...allAccounts(source.app.store)];
      const forkAccounts = [...allAccounts(fork.latestState())];
      expect(forkAccounts.filter((a) => accountAddressString(a.address) !== local.address)).toEqual(sourceAccounts);
      fork.finalizeBlock(finalizeRequest(BigInt(genesis.initial_height!), []));
      await fork.commit();
    } finally {
      await source.close();
      await fork.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
