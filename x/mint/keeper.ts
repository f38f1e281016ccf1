import { accountAddressString, parseAccountAddress } from "../../app/address.js";
import { BASE_DENOM, MAX_SUPPLY } from "../../app/coins.js";
import type { Context } from "../../app/context.js";
import { DEC_ONE } from "../../app/dec.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { bpsOf } from "../../app/store/values.js";
import type { AuthKeeper } from "../auth/keeper.js";
import type { BankKeeper } from "../bank/keeper.js";
import type { MarketKeeper } from "../market/keeper.js";
import type { WorkersKeeper } from "../workers/keeper.js";
import { mintError, MintCode } from "./errors.js";
import { emitMintEvent } from "./events.js";
import { mintParams, REWARD_TIERS, scheduleOf, type MintParams } from "./params.js";
import { lambdaBps, providerRewards, uptimeBps, windowIndex } from "./rewards.js";
import { blockReward, halvingsAt, nextHalvingHeight, scheduledBetween, scheduledThrough, scheduleTotal } from "./schedule.js";
import {
  blockMintedTotal, clearEpochEntries, creditedWorkers, epochBudget, epochPrice, epochStart, feeCredit, lastRewardOf, paidTo, providerForgoneTotal, providerPaidTotal,
  setBlockMintedTotal, setEpochBudget, setEpochPrice, setEpochStart, setFeeCredit, setLastReward, setPaidTo, setProviderForgoneTotal, setProviderPaidTotal, setUptime, uptimeOf,
} from "./store.js";

/** Module account that mints: block rewards pass through it to the fee collector, provider rewards to workers. */
export const MINT = "mint";

/** What x/mint needs: bank mints and counts, auth names the fee collector, workers and market give T_i's window and λ. */
export interface MintDeps {
  auth: Pick<AuthKeeper, "feeCollector" | "ensureModuleAccount">;
  bank: Pick<BankKeeper, "mintCoins" | "sendFromModule" | "mintableRoom" | "issuanceOf" | "getSupply" | "getBalance">;
  workers: Pick<WorkersKeeper, "getWorker" | "workerTier" | "params">;
  market: Pick<MarketKeeper, "basePrice">;
}

/** The schedule's state at the last committed height (queries). */
export interface ScheduleStatus {
  height: bigint;
  genesisSupply: bigint;
  minted: bigint;
  burned: bigint;
  supply: bigint;
  currentBlockReward: bigint;
  halvings: bigint;
  nextHalvingHeight: bigint;
  scheduledToDate: bigint;
  scheduleTotal: bigint;
  remainingToCap: bigint;
  blockMinted: bigint;
  providerPaid: bigint;
  providerForgone: bigint;
  epochStart: bigint;
  epochBudget: bigint;
}

/** One worker's provider-reward standing. */
export interface ProviderStanding {
  feeCredit: bigint;
  uptimeWindows: bigint;
  totalPaid: bigint;
  lastReward: bigint;
}

/** x/mint's surface: its block hook, the hooks it registers on workers and market, and what queries read. */
export interface MintKeeper {
  params(store: KVStore): MintParams;
  /** beginBlock: closes an ended provider epoch, then mints this block's reward. */
  beginBlock(ctx: Context): void;
  /** x/workers hook: a sign of life counts the worker's current heartbeat window. */
  recordHeartbeat(ctx: Context, worker: string): void;
  /** x/market hook: a verified result's market fee adds to the worker's C_i. */
  recordResultFee(ctx: Context, worker: string, fee: bigint): void;
  /** uogpu scheduled over the next blocks_per_year blocks after `height`, within what the cap allows. */
  annualProvisions(store: KVStore, height: bigint): bigint;
  /** annual provisions / supply as LegacyDec atomics. */
  inflation(store: KVStore, height: bigint): bigint;
  scheduleStatus(store: KVStore, height: bigint): ScheduleStatus;
  providerStanding(store: KVStore, worker: Uint8Array): ProviderStanding;
  /** Refuses params whose remaining schedule (after `height`) does not fit under the cap. */
  checkScheduleFits(store: KVStore, params: MintParams, height: bigint): void;
}

export function createMintKeeper({ auth, bank, workers, market }: MintDeps): MintKeeper {
  const params = (store: KVStore) => mintParams.get(store);

  function annualProvisions(store: KVStore, height: bigint): bigint {
    const p = params(store);
    const due = scheduledBetween(scheduleOf(p), height + 1n, height + BigInt(p.blocks_per_year));
    const room = bank.mintableRoom(store);
    return due < room ? due : room;
  }

  function inflation(store: KVStore, height: bigint): bigint {
    const supply = bank.getSupply(store, BASE_DENOM);
    return supply === 0n ? 0n : (annualProvisions(store, height) * DEC_ONE) / supply;
  }

  function checkScheduleFits(store: KVStore, p: MintParams, height: bigint): void {
    const s = scheduleOf(p);
    const rest = scheduleTotal(s) - scheduledThrough(s, height);
    const room = bank.mintableRoom(store) - epochBudget(store);
    if (rest > room) {
      throw mintError(MintCode.ScheduleExceedsCap, `the schedule still emits ${rest}${BASE_DENOM} after height ${height}, but only ${room < 0n ? 0n : room}${BASE_DENOM} fit under the ${MAX_SUPPLY}${BASE_DENOM} cap`);
    }
  }

  /** Mints `amount` (at most what the cap leaves) into the mint account; returns what was minted. */
  function mintWithinCap(ctx: Context, amount: bigint): bigint {
    const room = bank.mintableRoom(ctx.store);
    const minted = amount < room ? amount : room;
    if (minted > 0n) bank.mintCoins(ctx, MINT, [{ denom: BASE_DENOM, amount: minted }]);
    return minted;
  }

  /** λ's denominators: every tier's base price as the epoch opens. */
  function snapshotPrices(store: KVStore): void {
    for (const tier of REWARD_TIERS) setEpochPrice(store, tier, market.basePrice(store, tier));
  }

  /**
   * Pays the epoch [start, height − 1]: P_i = min(C_i, ⌊B × w_i / Σw⌋) to each worker with a
   * fee credit; the budget not paid is never minted. Then opens the next epoch at `height`.
   */
  function closeEpoch(ctx: Context, height: bigint): void {
    const p = params(ctx.store);
    const start = epochStart(ctx.store);
    const budget = epochBudget(ctx.store);
    const window = BigInt(workers.params(ctx.store).heartbeat_timeout_blocks);
    const credited = [...creditedWorkers(ctx.store)].map(({ worker, fee }) => {
      const operator = accountAddressString(worker);
      const w = workers.getWorker(ctx.store, operator);
      const tier = w === undefined ? undefined : workers.workerTier(ctx.store, w);
      const lambda = tier === undefined ? 10_000n : lambdaBps(epochPrice(ctx.store, tier), market.basePrice(ctx.store, tier), BigInt(p.lambda_min_bps), BigInt(p.lambda_max_bps));
      const uptime = uptimeBps(uptimeOf(ctx.store, worker)?.windows ?? 0n, height - start, window);
      return { worker, operator, fee, uptimeBps: uptime, lambdaBps: lambda };
    });
    const rewards = providerRewards(budget, credited);
    let paid = 0n;
    credited.forEach((c, i) => {
      const amount = mintWithinCap(ctx, rewards[i]!);
      if (amount > 0n) bank.sendFromModule(ctx, MINT, c.worker, [{ denom: BASE_DENOM, amount }]);
      if (amount > 0n) {
        setPaidTo(ctx.store, c.worker, paidTo(ctx.store, c.worker) + amount);
        setLastReward(ctx.store, c.worker, amount);
      }
      paid += amount;
      emitMintEvent(ctx.events, "provider_reward", { worker: c.operator, amount: amount.toString(), fee_credit: c.fee.toString(), uptime_bps: c.uptimeBps.toString(), lambda_bps: c.lambdaBps.toString() });
    });
    setProviderPaidTotal(ctx.store, providerPaidTotal(ctx.store) + paid);
    setProviderForgoneTotal(ctx.store, providerForgoneTotal(ctx.store) + budget - paid);
    emitMintEvent(ctx.events, "provider_epoch", { start_height: start.toString(), end_height: (height - 1n).toString(), budget: budget.toString(), paid: paid.toString(), forgone: (budget - paid).toString() });
    clearEpochEntries(ctx.store);
    setEpochBudget(ctx.store, 0n);
    setEpochStart(ctx.store, height);
  }

  function beginBlock(ctx: Context): void {
    const height = ctx.block.height;
    const p = params(ctx.store);
    if (height >= epochStart(ctx.store) + BigInt(p.reward_epoch_blocks)) closeEpoch(ctx, height);
    if (height === epochStart(ctx.store)) snapshotPrices(ctx.store);
    const reward = blockReward(scheduleOf(p), height);
    if (reward === 0n) return;
    const providerPart = bpsOf(reward, p.provider_share_bps);
    const minted = mintWithinCap(ctx, reward - providerPart);
    setBlockMintedTotal(ctx.store, blockMintedTotal(ctx.store) + minted);
    if (minted > 0n) bank.sendFromModule(ctx, MINT, auth.ensureModuleAccount(ctx.store, auth.feeCollector), [{ denom: BASE_DENOM, amount: minted }]);
    setEpochBudget(ctx.store, epochBudget(ctx.store) + providerPart);
    emitMintEvent(ctx.events, "mint", {
      amount: minted.toString(),
      block_reward: reward.toString(),
      provider_budget: providerPart.toString(),
      inflation: inflation(ctx.store, height).toString(),
      annual_provisions: (annualProvisions(ctx.store, height) * DEC_ONE).toString(),
    });
  }

  function recordHeartbeat(ctx: Context, worker: string): void {
    const address = parseAccountAddress(worker);
    const index = windowIndex(ctx.block.height, epochStart(ctx.store), BigInt(workers.params(ctx.store).heartbeat_timeout_blocks));
    const e = uptimeOf(ctx.store, address);
    if (e === undefined) setUptime(ctx.store, address, { windows: 1n, lastWindow: index });
    else if (index > e.lastWindow) setUptime(ctx.store, address, { windows: e.windows + 1n, lastWindow: index });
  }

  function recordResultFee(ctx: Context, worker: string, fee: bigint): void {
    if (fee <= 0n) return;
    const address = parseAccountAddress(worker);
    setFeeCredit(ctx.store, address, feeCredit(ctx.store, address) + fee);
  }

  function scheduleStatus(store: KVStore, height: bigint): ScheduleStatus {
    const s = scheduleOf(params(store));
    const { genesis, minted, burned } = bank.issuanceOf(store, BASE_DENOM);
    const next = height + 1n;
    return {
      height,
      genesisSupply: genesis,
      minted,
      burned,
      supply: bank.getSupply(store, BASE_DENOM),
      currentBlockReward: blockReward(s, next),
      halvings: halvingsAt(s, next),
      nextHalvingHeight: nextHalvingHeight(s, next),
      scheduledToDate: scheduledThrough(s, height),
      scheduleTotal: scheduleTotal(s),
      remainingToCap: bank.mintableRoom(store),
      blockMinted: blockMintedTotal(store),
      providerPaid: providerPaidTotal(store),
      providerForgone: providerForgoneTotal(store),
      epochStart: epochStart(store),
      epochBudget: epochBudget(store),
    };
  }

  function providerStanding(store: KVStore, worker: Uint8Array): ProviderStanding {
    return { feeCredit: feeCredit(store, worker), uptimeWindows: uptimeOf(store, worker)?.windows ?? 0n, totalPaid: paidTo(store, worker), lastReward: lastRewardOf(store, worker) };
  }

  return { params, beginBlock, recordHeartbeat, recordResultFee, annualProvisions, inflation, scheduleStatus, providerStanding, checkScheduleFits };
}
