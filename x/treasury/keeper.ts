import type { Context } from "../../app/context.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { accountAddressString, moduleAddress, parseAccountAddress } from "../../app/address.js";
import { BASE_DENOM, coinsFromWire } from "../../app/coins.js";
import { requireGovAuthority } from "../../app/authority.js";
import type { Spend } from "../../proto/gen/ogpu/treasury/v1/treasury.js";
import type { AuthKeeper } from "../auth/keeper.js";
import type { BankKeeper } from "../bank/keeper.js";
import { treasuryError, TreasuryCode } from "./errors.js";
import { emitTreasuryEvent } from "./events.js";
import { putSpend, setTotalIn, setTotalSpent, takeSpendId, totalIn, totalSpent } from "./store.js";

/** The module account that holds the treasury's coins. */
export const TREASURY = "treasury";

/**
 * Why coins flowed in (the key of total_in). Every payer names one:
 * - market_fee: market_fee_bps of each worker payout at settlement (x/market);
 * - unexecutable_fee: what a client forfeits when its task fails as unexecutable (x/market);
 * - commit_timeout_slash / reveal_timeout_slash: the share of a worker bond slashed for a
 *   missed commit (x/market) or a withheld reveal (x/attest), through x/workers;
 * - anomaly_slash: the share of a worker bond slashed when anomaly detection jails it (x/workers);
 * - genesis: a balance the chain started with (a genesis allocation or an imported export).
 */
export const TREASURY_REASONS = ["market_fee", "unexecutable_fee", "commit_timeout_slash", "reveal_timeout_slash", "anomaly_slash", "genesis"] as const;
export type TreasuryReason = (typeof TREASURY_REASONS)[number];

export interface TreasuryDeps {
  auth: Pick<AuthKeeper, "moduleAccountName">;
  bank: Pick<BankKeeper, "sendFromModule" | "getBalance" | "getAllBalances">;
}

export interface TreasuryKeeper {
  /** The treasury module account's name. */
  readonly account: string;
  /** Moves `amount` uogpu from module account `fromModule` into the treasury and counts it under `reason`. */
  deposit(ctx: Context, fromModule: string, amount: bigint, reason: TreasuryReason): void;
  /** Pays `amount` to `recipient`, only for the gov authority; returns the recorded spend. */
  spend(ctx: Context, authority: string, recipient: string, amount: readonly { denom: string; amount: string }[]): Spend;
  /** uogpu the treasury holds. */
  balance(store: KVStore): bigint;
}

/** The uogpu of a spend's amount: one positive uogpu coin (the treasury holds nothing else). */
export function spendAmount(wire: readonly { denom: string; amount: string }[]): bigint {
  const coins = coinsFromWire(wire); // malformed coins: the SDK's ErrInvalidCoins
  if (coins.length !== 1 || coins[0]!.denom !== BASE_DENOM || coins[0]!.amount === 0n) {
    throw treasuryError(TreasuryCode.InvalidAmount, `amount must be one positive ${BASE_DENOM} coin (the treasury holds only ${BASE_DENOM})`);
  }
  return coins[0]!.amount;
}

export function createTreasuryKeeper({ auth, bank }: TreasuryDeps): TreasuryKeeper {
  const address = moduleAddress(TREASURY);

  function deposit(ctx: Context, fromModule: string, amount: bigint, reason: TreasuryReason): void {
    if (amount <= 0n) return;
    bank.sendFromModule(ctx, fromModule, address, [{ denom: BASE_DENOM, amount }]);
    setTotalIn(ctx.store, reason, totalIn(ctx.store, reason) + amount);
    emitTreasuryEvent(ctx.events, "treasury_deposit", { from_module: fromModule, amount: `${amount}${BASE_DENOM}`, reason });
  }

  function spend(ctx: Context, authority: string, recipient: string, wire: readonly { denom: string; amount: string }[]): Spend {
    requireGovAuthority(authority);
    const amount = spendAmount(wire);
    const to = parseAccountAddress(recipient, "recipient");
    const module = auth.moduleAccountName(ctx.store, to);
    if (module !== undefined) throw treasuryError(TreasuryCode.InvalidRecipient, `recipient ${recipient} is the ${module} module account; the treasury pays accounts only`);
    // Bank refuses more than the treasury holds (sdk code 5, insufficient funds) before any counter moves.
    bank.sendFromModule(ctx, TREASURY, to, [{ denom: BASE_DENOM, amount }]);
    setTotalSpent(ctx.store, totalSpent(ctx.store) + amount);
    const record: Spend = { id: takeSpendId(ctx.store), recipient: accountAddressString(to), amount: [{ denom: BASE_DENOM, amount: amount.toString() }], height: ctx.block.height };
    putSpend(ctx.store, record);
    emitTreasuryEvent(ctx.events, "treasury_spend", { spend_id: record.id.toString(), recipient: record.recipient, amount: `${amount}${BASE_DENOM}`, authority });
    return record;
  }

  return { account: TREASURY, deposit, spend, balance: (store) => bank.getBalance(store, address, BASE_DENOM) };
}
