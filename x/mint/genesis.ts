import { accountAddressString, parseAccountAddress } from "../../app/address.js";
import { BASE_DENOM, MAX_SUPPLY } from "../../app/coins.js";
import { asArray, asObject, asString, atPath, GenesisError } from "../../app/genesis-json.js";
import type { KVStore } from "../../app/store/kvstore.js";
import type { MintDeps } from "./keeper.js";
import { MINT } from "./keeper.js";
import { mintParams, REWARD_TIERS, scheduleOf } from "./params.js";
import { scheduleTotal } from "./schedule.js";
import {
  allPaid, allUptime, blockMintedTotal, setBlockMintedTotal, creditedWorkers, epochBudget, epochPrice, epochStart, providerForgoneTotal, providerPaidTotal, setEpochBudget, setEpochPrice,
  setEpochStart, setFeeCredit, setLastReward, setPaidTo, setProviderForgoneTotal, setProviderPaidTotal, setUptime,
} from "./store.js";

/** A non-negative decimal integer field; absent = 0. */
function amount(v: unknown, path: string): bigint {
  if (v === undefined) return 0n;
  const text = asString(v, path);
  if (!/^[0-9]{1,40}$/.test(text)) throw new GenesisError(`${path} must be a decimal integer`);
  return BigInt(text);
}

/**
 * `mint` genesis: params, and for an exported chain the open provider epoch and reward totals.
 * Runs after x/bank, so the schedule is checked against the genesis allocation: genesis supply
 * + whatever has been minted + everything the schedule has yet to emit must fit under the cap.
 */
export function initMintGenesis(deps: Pick<MintDeps, "auth" | "bank">, store: KVStore, json: unknown): void {
  const s = asObject(json, "mint");
  const params = atPath("mint.params", () => mintParams.parse(s.params));
  mintParams.set(store, params);
  deps.auth.ensureModuleAccount(store, MINT);
  const epoch = asObject(s.epoch, "mint.epoch");
  setEpochStart(store, epoch.start === undefined ? 1n : amount(epoch.start, "mint.epoch.start"));
  setEpochBudget(store, amount(epoch.budget, "mint.epoch.budget"));
  asArray(epoch.prices, "mint.epoch.prices").forEach((v, tier) => setEpochPrice(store, tier, amount(v, `mint.epoch.prices[${tier}]`)));
  const address = (v: unknown, path: string) => atPath(path, () => parseAccountAddress(asString(v, path)));
  asArray(epoch.fee_credits, "mint.epoch.fee_credits").forEach((x, i) => {
    const o = asObject(x, `mint.epoch.fee_credits[${i}]`);
    setFeeCredit(store, address(o.worker, `mint.epoch.fee_credits[${i}].worker`), amount(o.fee, `mint.epoch.fee_credits[${i}].fee`));
  });
  asArray(epoch.uptime, "mint.epoch.uptime").forEach((x, i) => {
    const o = asObject(x, `mint.epoch.uptime[${i}]`);
    setUptime(store, address(o.worker, `mint.epoch.uptime[${i}].worker`), { windows: amount(o.windows, `mint.epoch.uptime[${i}].windows`), lastWindow: amount(o.last_window, `mint.epoch.uptime[${i}].last_window`) });
  });
  asArray(s.providers, "mint.providers").forEach((x, i) => {
    const o = asObject(x, `mint.providers[${i}]`);
    const worker = address(o.worker, `mint.providers[${i}].worker`);
    setPaidTo(store, worker, amount(o.total_paid, `mint.providers[${i}].total_paid`));
    setLastReward(store, worker, amount(o.last_reward, `mint.providers[${i}].last_reward`));
  });
  setBlockMintedTotal(store, amount(s.block_minted, "mint.block_minted"));
  setProviderPaidTotal(store, amount(s.provider_paid, "mint.provider_paid"));
  setProviderForgoneTotal(store, amount(s.provider_forgone, "mint.provider_forgone"));

  // A fresh chain (nothing minted yet) must fit the whole schedule under the cap. An exported
  // chain's height is not known here; bank.mintCoins still never mints past the cap.
  const { genesis, minted } = deps.bank.issuanceOf(store, BASE_DENOM);
  const total = scheduleTotal(scheduleOf(params));
  if (minted === 0n && genesis + total > MAX_SUPPLY) {
    throw new GenesisError(`mint: genesis supply ${genesis}${BASE_DENOM} + the schedule's total ${total}${BASE_DENOM} exceed the cap ${MAX_SUPPLY}${BASE_DENOM}; lower initial_block_reward or the genesis allocation`);
  }
}

export function exportMintGenesis(store: KVStore): unknown {
  return {
    params: mintParams.get(store),
    epoch: {
      start: epochStart(store).toString(),
      budget: epochBudget(store).toString(),
      prices: REWARD_TIERS.map((t) => epochPrice(store, t).toString()),
      fee_credits: [...creditedWorkers(store)].map((c) => ({ worker: accountAddressString(c.worker), fee: c.fee.toString() })),
      uptime: [...allUptime(store)].map((u) => ({ worker: accountAddressString(u.worker), windows: u.entry.windows.toString(), last_window: u.entry.lastWindow.toString() })),
    },
    providers: [...allPaid(store)].map((x) => ({ worker: accountAddressString(x.worker), total_paid: x.paid.toString(), last_reward: x.last.toString() })),
    block_minted: blockMintedTotal(store).toString(),
    provider_paid: providerPaidTotal(store).toString(),
    provider_forgone: providerForgoneTotal(store).toString(),
  };
}

/** A fresh chain's `mint` section (`ogpud init`): the default schedule. */
export function defaultMintGenesis(): unknown {
  return { params: mintParams.parse(undefined) };
}
