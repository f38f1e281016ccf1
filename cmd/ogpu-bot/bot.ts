/**
 * ogpu-bot: chat commands for the oGPU market (grammY, Telegram Bot API). The bot signs only
 * with its own key, as the grantee of each user's x/authz SubmitTaskAuthorization
 * (docs/authz.md): users keep their keys, and the chain holds the bot to their spend limit.
 * docs/bot.md describes the commands.
 */
import { Bot, type Context } from "grammy";
import { sha256 } from "../../crypto/hash.js";
import { hex } from "../../crypto/bytes.js";
import { parseAccountAddress } from "../../app/address.js";
import { BASE_DENOM } from "../../app/coins.js";
import type { LinkStore } from "./links.js";
import { builtinProgramId, PROGRAM_KIND, submitTaskGrant, taskStateName, TxFailedError, type OgpuClient, type TaskUpdate } from "../../sdk/index.js";

export interface OgpuBotOptions {
  /** The Bot API token. */
  token: string;
  /** Bot API root (default https://api.telegram.org); tests point it at a local stub. */
  apiRoot?: string;
  /** Signs as the bot's own account, the grantee; also fetches and decrypts results (its own encryption key). */
  client: OgpuClient;
  /** Highest price per unit the bot bids for users, uogpu. */
  maxPricePerUnit: bigint;
  /** Workers per task (k). */
  redundancy: number;
  /** Most input bytes /rent_gpu downloads from a URL. */
  maxInputBytes?: number;
  /** How long /rent_gpu follows a task before it stops editing the progress message. */
  resultTimeoutMs?: number;
  /** The chain id and node for the `ogpud tx authz grant` line /start shows. */
  chainId: string;
  nodeUrl: string;
  /** Who linked which address (cmd/ogpu-bot/links.ts: a file under the bot's home, so links outlive a restart). */
  links: LinkStore;
}

const DEFAULT_MAX_INPUT = 1 << 20;
const SHOWN_OUTPUT_CHARS = 600;

const usage = {
  start: "/start <your ogpu1… address> — link your account (run the grant command first)",
  rent: "/rent_gpu <program-cid|kind> <input url> <units>",
  status: "/status <task id>",
};

export function createOgpuBot(opts: OgpuBotOptions): Bot {
  const bot = new Bot(opts.token, opts.apiRoot ? { client: { apiRoot: opts.apiRoot } } : undefined);
  const client = opts.client;
  const grantee = client.address!;
  const links = opts.links;
  const grantLine = (from: string) =>
    `ogpud tx authz grant ${grantee} submit-task --spend-limit 10000000${BASE_DENOM} --from ${from} --chain-id ${opts.chainId} --node ${opts.nodeUrl}`;
  const linked = (ctx: Context) => (ctx.from ? links.get(ctx.from.id) : undefined);
  const args = (ctx: Context) => (typeof ctx.match === "string" ? ctx.match.trim().split(/\s+/).filter((a) => a !== "") : []);

  bot.command("start", async (ctx) => {
    const [address] = args(ctx);
    if (!address) {
      await ctx.reply(`This bot submits GPU tasks for you under an on-chain grant; it signs only as ${grantee}.\n1. Grant it a spend limit:\n${grantLine("<your key>")}\n2. Then: ${usage.start}`);
      return;
    }
    try {
      parseAccountAddress(address);
    } catch (err) {
      await ctx.reply(`Not an account address: ${(err as Error).message}`);
      return;
    }
    const grant = await submitTaskGrant(client.comet, address, grantee);
    if (!grant) {
      await ctx.reply(`No task-submission grant from ${address} to ${grantee} on chain yet. Run:\n${grantLine(address)}\nthen /start ${address} again.`);
      return;
    }
    try {
      await links.set(ctx.from!.id, address);
    } catch (err) {
      await ctx.reply(`Could not save the link (${(err as Error).message}); try /start ${address} again.`);
      return;
    }
    await ctx.reply(`Linked to ${address}. Grant: ${grant.spendLimit}${BASE_DENOM} of escrow left${grant.maxTasks > 0n ? `, ${grant.maxTasks} task(s)` : ""}${grant.expiration ? `, expires at unix ${grant.expiration}` : ""}.\n${usage.rent}`);
  });

  bot.command("rent_gpu", async (ctx) => {
    const granter = linked(ctx);
    if (!granter) return void (await ctx.reply(`Link your account first: ${usage.start}`));
    const [program, url, unitsText] = args(ctx);
    if (!program || !url || !unitsText || !/^[1-9][0-9]{0,9}$/.test(unitsText)) return void (await ctx.reply(`Usage: ${usage.rent}`));
    const units = BigInt(unitsText);
    const escrow = opts.maxPricePerUnit * units * BigInt(opts.redundancy);
    // Checked here for a clear answer; the chain enforces the same limit on the MsgExec.
    const grant = await submitTaskGrant(client.comet, granter, grantee);
    if (!grant) return void (await ctx.reply(`Refused: ${granter} has no task-submission grant to ${grantee} (revoked, used up or expired). Grant again:\n${grantLine(granter)}`));
    if (escrow > grant.spendLimit) {
      return void (await ctx.reply(`Refused: this task's escrow is ${escrow}${BASE_DENOM} (${units} units × ${opts.maxPricePerUnit}${BASE_DENOM} × ${opts.redundancy} workers) but your grant has only ${grant.spendLimit}${BASE_DENOM} left. Grant more with:\n${grantLine(granter)}`));
    }
    let input: Uint8Array;
    try {
      input = await download(url, opts.maxInputBytes ?? DEFAULT_MAX_INPUT);
    } catch (err) {
      return void (await ctx.reply(`Could not fetch the input: ${(err as Error).message}`));
    }
    const isProgram = program.startsWith("bafk");
    const progress = await ctx.reply(`Submitting ${program} (${input.length} bytes, ${units} units, escrow ≤ ${escrow}${BASE_DENOM}) for ${granter}…`);
    let taskId: bigint;
    try {
      const task = await client.submitTaskFor(granter, {
        kind: isProgram ? PROGRAM_KIND : program,
        programHash: isProgram ? program : builtinProgramId(program),
        input,
        units,
        maxPricePerUnit: opts.maxPricePerUnit,
        redundancy: opts.redundancy,
      });
      taskId = task.taskId;
    } catch (err) {
      const reason = err instanceof TxFailedError ? err.message : (err as Error).message;
      return void (await ctx.api.editMessageText(progress.chat.id, progress.message_id, `Refused by the chain: ${reason}`));
    }
    const lines = [`Task ${taskId} submitted for ${granter} (input sealed to the bot's key).`];
    const edit = (line: string) => {
      lines.push(line);
      return ctx.api.editMessageText(progress.chat.id, progress.message_id, lines.join("\n")).catch(() => undefined);
    };
    await edit("state: pending");
    // Followed in the background: grammY handles updates one at a time, and a task takes blocks.
    void follow(client, taskId, opts.resultTimeoutMs ?? 300_000, (u) => void edit(`state: ${u.state} (${u.reason}, height ${u.height})`)).then(
      (text) => ctx.reply(`Task ${taskId} result:\n${text}`),
      (err: Error) => ctx.reply(`Task ${taskId}: ${err.message}`),
    );
  });

  bot.command("status", async (ctx) => {
    const [idText] = args(ctx);
    if (!idText || !/^[0-9]{1,19}$/.test(idText)) return void (await ctx.reply(`Usage: ${usage.status}`));
    const task = await client.getTask(BigInt(idText));
    if (!task) return void (await ctx.reply(`Task ${idText} not found.`));
    const workers = task.assignments.map((a) => a.worker).join(", ") || "none yet";
    await ctx.reply(`Task ${idText}: ${taskStateName(task.status)}\nclient ${task.client}\nkind ${task.kind}, ${task.units} units, k ${task.redundancy}\nworkers: ${workers}`);
  });

  bot.command("analytics", async (ctx) => {
    const online = await client.listWorkers({ status: "online" });
    const price = await client.basePrice(0).catch(() => undefined);
    const lines = [`Workers online: ${online.length}`, `Base price (tier 0): ${price ? `${price.basePricePerUnit}${BASE_DENOM}/unit` : "n/a"}`];
    const granter = linked(ctx);
    if (granter) {
      const tasks = await client.listTasks({ client: granter, limit: 1000 });
      const escrowed = tasks.reduce((sum, t) => sum + BigInt(t.maxPricePerUnit) * t.units * BigInt(t.redundancy), 0n);
      const grant = await submitTaskGrant(client.comet, granter, grantee);
      lines.push(`Your tasks: ${tasks.length}, escrow committed ${escrowed}${BASE_DENOM}`, `Grant left: ${grant ? `${grant.spendLimit}${BASE_DENOM}` : "none"}`);
    }
    await ctx.reply(lines.join("\n"));
  });

  bot.command("shadow_fork", async (ctx) => {
    // The bot holds no node home or validator key, so it cannot start one itself.
    await ctx.reply("A shadow fork runs on a node operator's machine, not in this bot: on a host with a synced node run `ogpud shadow-fork --help` (docs/shadow-fork.md).");
  });

  return bot;
}

async function download(url: string, maxBytes: number): Promise<Uint8Array> {
  if (!/^https?:\/\//.test(url)) throw new Error("the input must be an http(s) URL");
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.length > maxBytes) throw new Error(`the input is ${bytes.length} bytes; at most ${maxBytes}`);
  return bytes;
}

/** Follows a task to its result; returns the output shown as text (or its digest). */
async function follow(client: OgpuClient, taskId: bigint, timeoutMs: number, onUpdate: (u: TaskUpdate) => void): Promise<string> {
  const result = await client.fetchResult(taskId, { timeoutMs, onUpdate });
  const text = new TextDecoder("utf-8", { fatal: false }).decode(result.output.subarray(0, SHOWN_OUTPUT_CHARS));
  return `${result.state} at height ${result.height}; output ${result.output.length} bytes, sha256 ${hex(sha256(result.output))}\n${text}`;
}
