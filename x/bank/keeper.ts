import { BASE_DENOM, MAX_SUPPLY, coinsToString, type Coin } from "../../app/coins.js";
import type { Context } from "../../app/context.js";
import { SdkCode, sdkError } from "../../app/errors.js";
import { accountAddressString } from "../../app/address.js";
import { bpsOf } from "../../app/store/values.js";
import { allBalances, allSupply, getAllBalances, getBalance, getIssuance, getSupply, setBalance, setIssuance, setSupply } from "./store.js";
import type { KVStore } from "../../app/store/kvstore.js";
import type { AuthKeeper } from "../auth/keeper.js";
import { bankError, BankCode } from "./errors.js";
import { emitBurn, emitMint, emitTransfer } from "./events.js";
import { bankParams } from "./params.js";
import { moduleAddress } from "../../app/address.js";

/** Balance and supply reads for x/bank's own files, tools and tests (the layout stays in store.ts). */
export { allBalances, allIssuance, allSupply, getAllBalances, getBalance, getIssuance, getSupply, ISSUANCE_KINDS, setIssuance, type IssuanceKind } from "./store.js";

/** What a denom's supply is made of: supply = genesis + minted − burned. */
export interface Issuance {
  genesis: bigint;
  minted: bigint;
  burned: bigint;
}

export function issuanceOf(store: KVStore, denom: string): Issuance {
  return { genesis: getIssuance(store, "genesis", denom), minted: getIssuance(store, "minted", denom), burned: getIssuance(store, "burned", denom) };
}

/**
 * uogpu that may still be minted: the cap counts everything ever issued (genesis + minted),
 * so burned coins are gone for good and never make room for new ones.
 */
export function mintableRoom(store: KVStore): bigint {
  const { genesis, minted } = issuanceOf(store, BASE_DENOM);
  const room = MAX_SUPPLY - genesis - minted;
  return room > 0n ? room : 0n;
}

/** Takes coins from an account; all-or-nothing, code 5 when any denom is short. */
export function subtractCoins(store: KVStore, address: Uint8Array, coins: readonly Coin[]): void {
  const balances = coins.map((c) => getBalance(store, address, c.denom));
  coins.forEach((c, i) => {
    if (balances[i]! < c.amount) {
      const have = `${balances[i]}${c.denom}`;
      throw sdkError(SdkCode.InsufficientFunds, `spendable balance ${have} is smaller than ${c.amount}${c.denom}: insufficient funds`);
    }
  });
  coins.forEach((c, i) => setBalance(store, address, c.denom, balances[i]! - c.amount));
}

/** Largest uogpu balance an ordinary account may hold. */
export function maxWalletAmount(store: KVStore): bigint {
  return bpsOf(MAX_SUPPLY, bankParams.get(store).max_wallet_bps);
}

/** What x/bank needs from x/auth: accounts are created on first receipt; module accounts are exempt from max wallet. */
export interface BankDeps {
  auth: Pick<AuthKeeper, "ensureAccount" | "moduleAccountName">;
}

/** x/bank's surface for other modules and for its own msgs and genesis. */
export interface BankKeeper {
  getBalance(store: KVStore, address: Uint8Array, denom: string): bigint;
  getAllBalances(store: KVStore, address: Uint8Array): Coin[];
  allBalances(store: KVStore): Iterable<{ address: Uint8Array; coin: Coin }>;
  getSupply(store: KVStore, denom: string): bigint;
  allSupply(store: KVStore): Coin[];
  sendCoins(ctx: Context, from: Uint8Array, to: Uint8Array, coins: readonly Coin[]): void;
  sendFromModule(ctx: Context, module: string, to: Uint8Array, coins: readonly Coin[]): void;
  sendToModule(ctx: Context, from: Uint8Array, module: string, coins: readonly Coin[]): void;
  /** Creates coins in a module account. Genesis + ever minted uogpu can never pass the 21M cap. */
  mintCoins(ctx: Context, module: string, coins: readonly Coin[]): void;
  /** genesis / minted / burned counters of a denom. */
  issuanceOf(store: KVStore, denom: string): Issuance;
  /** uogpu that may still be minted before genesis + minted reaches the cap. */
  mintableRoom(store: KVStore): bigint;
  /** Destroys coins held by a module account (slashing burns); supply falls. */
  burnCoins(ctx: Context, module: string, coins: readonly Coin[]): void;
  /** Genesis only: credits an account and supply together. */
  mintToAccountAtGenesis(store: KVStore, address: Uint8Array, coins: readonly Coin[]): void;
  /** Throws when a non-exempt account holds more uogpu than max_wallet_bps allows. */
  checkMaxWallet(store: KVStore, address: Uint8Array): void;
}

export function createBankKeeper({ auth }: BankDeps): BankKeeper {
  /** Credits coins, creating the account on first receipt as the SDK does. */
  function addCoins(store: KVStore, address: Uint8Array, coins: readonly Coin[]): void {
    auth.ensureAccount(store, address);
    for (const c of coins) setBalance(store, address, c.denom, getBalance(store, address, c.denom) + c.amount);
  }

  /** Moves coins between any two accounts and emits the SDK's transfer events. */
  function sendCoins(ctx: Context, from: Uint8Array, to: Uint8Array, coins: readonly Coin[]): void {
    subtractCoins(ctx.store, from, coins);
    addCoins(ctx.store, to, coins);
    emitTransfer(ctx.events, accountAddressString(from), accountAddressString(to), coins);
  }

  function sendFromModule(ctx: Context, module: string, to: Uint8Array, coins: readonly Coin[]): void {
    sendCoins(ctx, moduleAddress(module), to, coins);
  }

  function sendToModule(ctx: Context, from: Uint8Array, module: string, coins: readonly Coin[]): void {
    sendCoins(ctx, from, moduleAddress(module), coins);
  }

  /** Creates coins in a module account. Genesis + ever minted uogpu can never pass the 21M cap. */
  function mintCoins(ctx: Context, module: string, coins: readonly Coin[]): void {
    for (const c of coins) {
      if (c.denom === BASE_DENOM && c.amount > mintableRoom(ctx.store)) {
        const { genesis, minted } = issuanceOf(ctx.store, c.denom);
        throw bankError(BankCode.SupplyCapExceeded, `minting ${coinsToString([c])} would raise genesis + minted to ${genesis + minted + c.amount}${c.denom}, above the cap of ${MAX_SUPPLY}${c.denom}`);
      }
    }
    for (const c of coins) {
      setSupply(ctx.store, c.denom, getSupply(ctx.store, c.denom) + c.amount);
      setIssuance(ctx.store, "minted", c.denom, getIssuance(ctx.store, "minted", c.denom) + c.amount);
    }
    const address = moduleAddress(module);
    addCoins(ctx.store, address, coins);
    emitMint(ctx.events, accountAddressString(address), coins);
  }

  /** Destroys coins held by a module account (slashing burns); supply falls. */
  function burnCoins(ctx: Context, module: string, coins: readonly Coin[]): void {
    const address = moduleAddress(module);
    subtractCoins(ctx.store, address, coins);
    for (const c of coins) {
      setSupply(ctx.store, c.denom, getSupply(ctx.store, c.denom) - c.amount);
      setIssuance(ctx.store, "burned", c.denom, getIssuance(ctx.store, "burned", c.denom) + c.amount);
    }
    emitBurn(ctx.events, accountAddressString(address), coins);
  }

  /** Genesis only: credits an account and supply together. */
  function mintToAccountAtGenesis(store: KVStore, address: Uint8Array, coins: readonly Coin[]): void {
    addCoins(store, address, coins);
    for (const c of coins) {
      setSupply(store, c.denom, getSupply(store, c.denom) + c.amount);
      setIssuance(store, "genesis", c.denom, getIssuance(store, "genesis", c.denom) + c.amount);
    }
  }

  /** Throws when a non-exempt account holds more uogpu than max_wallet_bps allows. */
  function checkMaxWallet(store: KVStore, address: Uint8Array): void {
    if (auth.moduleAccountName(store, address) !== undefined) return;
    const bech32 = accountAddressString(address);
    if (bankParams.get(store).max_wallet_exempt.includes(bech32)) return;
    const balance = getBalance(store, address, BASE_DENOM);
    const limit = maxWalletAmount(store);
    if (balance > limit) {
      throw bankError(BankCode.MaxWalletExceeded, `${bech32} would hold ${balance}${BASE_DENOM}, above the max wallet of ${limit}${BASE_DENOM} (max_wallet_bps ${bankParams.get(store).max_wallet_bps})`);
    }
  }

  return { getBalance, getAllBalances, allBalances, getSupply, allSupply, sendCoins, sendFromModule, sendToModule, mintCoins, issuanceOf, mintableRoom, burnCoins, mintToAccountAtGenesis, checkMaxWallet };
}
