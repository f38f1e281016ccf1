import type { EventLog } from "../../app/events.js";
import { coinsToString, type Coin } from "../../app/coins.js";

/** The SDK's bank events, with the same types and attribute keys, so indexers and explorers work. */
export function emitTransfer(events: EventLog, sender: string, recipient: string, coins: readonly Coin[]): void {
  const amount = coinsToString(coins);
  events.emit("coin_spent", { spender: sender, amount });
  events.emit("coin_received", { receiver: recipient, amount });
  events.emit("transfer", { recipient, sender, amount });
}

export function emitMint(events: EventLog, minter: string, coins: readonly Coin[]): void {
  events.emit("coinbase", { minter, amount: coinsToString(coins) });
}

export function emitBurn(events: EventLog, burner: string, coins: readonly Coin[]): void {
  events.emit("burn", { burner, amount: coinsToString(coins) });
}
