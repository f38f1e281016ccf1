import type { EventLog } from "../../app/events.js";
import { coinsToString, type Coin } from "../../app/coins.js";

/** The SDK's bank events, with the same types and attribute keys, so indexers and explorers work. */
const AMOUNT = ["amount"];

export function emitTransfer(events: EventLog, sender: string, recipient: string, coins: readonly Coin[]): void {
  const amount = coinsToString(coins);
  // Indexed: who (clients search by address); not the amounts (nobody searches by them,
  // and every indexed attribute costs CometBFT's indexer work per tx).
  events.emit("coin_spent", { spender: sender, amount }, AMOUNT);
  events.emit("coin_received", { receiver: recipient, amount }, AMOUNT);
  events.emit("transfer", { recipient, sender, amount }, AMOUNT);
}

export function emitMint(events: EventLog, minter: string, coins: readonly Coin[]): void {
  events.emit("coinbase", { minter, amount: coinsToString(coins) }, AMOUNT);
}

export function emitBurn(events: EventLog, burner: string, coins: readonly Coin[]): void {
  events.emit("burn", { burner, amount: coinsToString(coins) }, AMOUNT);
}
