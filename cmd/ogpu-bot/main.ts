#!/usr/bin/env node
/**
 * `ogpu-bot`: runs the chat bot (cmd/ogpu-bot/bot.ts) with long polling. The bot's own key
 * (a BIP-39 mnemonic in a file) is the grantee users grant to; docs/bot.md.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { OgpuClient } from "../../sdk/index.js";
import { createOgpuBot } from "./bot.js";
import { LinkStore } from "./links.js";

const program = new Command("ogpu-bot")
  .description("Telegram bot for the oGPU market: /start, /rent_gpu, /status, /analytics, /shadow_fork (docs/bot.md)")
  .requiredOption("--mnemonic-file <path>", "file holding the bot's own BIP-39 mnemonic (the grantee key; never a user's)")
  .option("--home <dir>", "the bot's home: links.json keeps which address each chat user linked", join(homedir(), ".ogpu-bot"))
  .option("--token-env <name>", "environment variable holding the Bot API token", "OGPU_BOT_TOKEN")
  .option("--api-root <url>", "Bot API root (default https://api.telegram.org)")
  .option("--rpc <url>", "node CometBFT RPC", "http://127.0.0.1:26657")
  .option("--rest <url>", "node REST (blobs, results)", "http://127.0.0.1:1317")
  .option("--chain-id <id>", "chain id shown in the grant command", "ogpu-devnet-1")
  .option("--max-price <uogpu>", "highest price per unit the bot bids", "200")
  .option("--redundancy <k>", "workers per task", "1");

program.parse();
const o = program.opts<{ mnemonicFile: string; home: string; tokenEnv: string; apiRoot?: string; rpc: string; rest: string; chainId: string; maxPrice: string; redundancy: string }>();
const token = process.env[o.tokenEnv];
if (!token) {
  console.error(`error: set the Bot API token in $${o.tokenEnv}`);
  process.exit(2);
}
if (!/^[1-9][0-9]*$/.test(o.maxPrice) || !/^[1-9][0-9]?$/.test(o.redundancy)) {
  console.error("error: --max-price and --redundancy must be positive integers");
  process.exit(2);
}
mkdirSync(o.home, { recursive: true, mode: 0o700 });
const links = await LinkStore.open(join(o.home, "links.json"));
const client = await OgpuClient.fromMnemonic(o.rpc, readFileSync(o.mnemonicFile, "utf8").trim(), { restUrl: o.rest });
const bot = createOgpuBot({ token, apiRoot: o.apiRoot, client, maxPricePerUnit: BigInt(o.maxPrice), redundancy: Number(o.redundancy), chainId: o.chainId, nodeUrl: o.rpc, links });
const stop = () => void bot.stop().finally(() => client.disconnect());
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
console.log(`ogpu-bot: grantee ${client.address}, node ${o.rpc}, links in ${join(o.home, "links.json")}`);
await bot.start();
