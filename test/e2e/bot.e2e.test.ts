/**
 * ogpu-bot end to end: the real grammY bot (cmd/ogpu-bot/bot.ts) long-polls a local stub of the
 * Telegram Bot API (getMe, deleteWebhook, getUpdates, sendMessage, editMessageText on loopback;
 * grammY's apiRoot points at it) and drives a real node with two real ogpu-worker processes
 * (bench/e2e.ts startComputeCluster). The user (client0) grants the bot's account (client1) a
 * SubmitTaskAuthorization; `/rent_gpu` submits a task under it through MsgExec, the progress
 * message is edited through the task's states and the result is the workers' output; a
 * second `/rent_gpu` beyond the grant's remaining limit is refused with a clear message, and
 * the chain refuses the same MsgExec on its own. A restarted bot finds the user's link in its
 * home (links.json) and serves them without a new /start.
 *
 * Ports: TEST_PORTS.bot (testnet/ports.ts): the node, worker metrics at +10..+11.
 */
import { TEST_PORTS, portAt } from "../../testnet/ports.js";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MsgGrant } from "cosmjs-types/cosmos/authz/v1beta1/tx";
import { startComputeCluster, type ComputeCluster } from "../../bench/e2e.js";
import { createOgpuBot } from "../../cmd/ogpu-bot/bot.js";
import { LinkStore } from "../../cmd/ogpu-bot/links.js";
import { sha256 } from "../../crypto/hash.js";
import { hex } from "../../crypto/bytes.js";
import { SubmitTaskAuthorization } from "../../proto/gen/ogpu/authz/v1/authz.js";
import { SUBMIT_TASK_AUTHORIZATION_TYPE_URL } from "../../proto/msg-types.js";
import { builtinProgramId, submitTaskGrant, TxFailedError } from "../../sdk/index.js";
import { getBalance } from "../../sdk/queries.js";
import { executors } from "../../worker/executors/index.js";
import { until } from "./helpers.js";

const TOKEN = "123456:stub-token";
const USER_ID = 7;
const CHAT_ID = 42;
/** bid 200 × 10 units × k 2. */
const PRICE = 200n;
const UNITS = 10n;
const K = 2;
const ESCROW = PRICE * UNITS * BigInt(K);
const INPUT = new TextEncoder().encode(JSON.stringify({ rounds: 2_000, data: "ogpu-bot" }));

interface Sent {
  method: "sendMessage" | "editMessageText";
  text: string;
  messageId: number;
}

/** The stub Bot API: a queue of updates for getUpdates, a log of what the bot sent, and /input for the task input. */
class StubBotApi {
  readonly sent: Sent[] = [];
  private updates: object[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 100;
  private server: Server | undefined;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req).then((body) => res.writeHead(200, { "content-type": body instanceof Uint8Array ? "application/octet-stream" : "application/json" }).end(body instanceof Uint8Array ? body : JSON.stringify(body))));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Queues a user's message as an update, as Telegram delivers a command. */
  say(text: string): void {
    const command = text.split(" ")[0]!;
    this.updates.push({
      update_id: this.nextUpdateId++,
      message: { message_id: this.nextMessageId++, date: 1_700_000_000, chat: { id: CHAT_ID, type: "private", first_name: "user" }, from: { id: USER_ID, is_bot: false, first_name: "user" }, text, entities: [{ type: "bot_command", offset: 0, length: command.length }] },
    });
  }

  texts(): string[] {
    return this.sent.map((s) => s.text);
  }

  private async handle(req: IncomingMessage): Promise<object | Uint8Array> {
    if (req.url === "/input") return INPUT;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = (chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {}) as Record<string, unknown>;
    const method = req.url!.split("/").pop()!;
    if (!req.url!.startsWith(`/bot${TOKEN}/`)) return { ok: false, error_code: 401, description: "Unauthorized" };
    const message = (id: number, text: string) => ({ message_id: id, date: 1_700_000_000, chat: { id: CHAT_ID, type: "private" }, text });
    switch (method) {
      case "getMe":
        return { ok: true, result: { id: 1, is_bot: true, first_name: "ogpu", username: "ogpu_bot", can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false } };
      case "getUpdates": {
        const offset = Number(body.offset ?? 0);
        this.updates = this.updates.filter((u) => (u as { update_id: number }).update_id >= offset);
        // A short long-poll: answer at once when something is queued, else after a moment.
        if (this.updates.length === 0) await new Promise((r) => setTimeout(r, 200));
        return { ok: true, result: this.updates };
      }
      case "sendMessage": {
        const id = this.nextMessageId++;
        this.sent.push({ method, text: String(body.text), messageId: id });
        return { ok: true, result: message(id, String(body.text)) };
      }
      case "editMessageText": {
        this.sent.push({ method, text: String(body.text), messageId: Number(body.message_id) });
        return { ok: true, result: message(Number(body.message_id), String(body.text)) };
      }
      default:
        return { ok: true, result: true };
    }
  }
}

let cluster: ComputeCluster;
const stub = new StubBotApi();
let bot: ReturnType<typeof createOgpuBot> | undefined;
/** The bot's home: its links.json. */
let botHome: string;
const linksFile = () => join(botHome, "links.json");

beforeAll(async () => {
  botHome = await mkdtemp(join(tmpdir(), "ogpu-bot-home-"));
  await stub.start();
  cluster = await startComputeCluster({ portBase: TEST_PORTS.bot.base, metricsPortBase: portAt(TEST_PORTS.bot, 10), clients: 2 });
}, 180_000);

afterAll(async () => {
  await bot?.stop();
  await cluster?.stop();
  await stub.stop();
  await rm(botHome, { recursive: true, force: true });
}, 60_000);

/** Waits for a message the bot sent (or edited) that matches, after `from` messages. */
async function reply(pattern: RegExp, from: number, timeoutMs = 30_000): Promise<string> {
  let found: string | undefined;
  await until(`bot reply ${pattern}`, async () => (found = stub.texts().slice(from).find((t) => pattern.test(t))), (t) => t !== undefined, timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message}; the bot sent:\n${stub.texts().join("\n---\n")}`);
  });
  return found!;
}

describe("ogpu-bot through a stub Bot API on a real node with two workers", () => {
  it("/start links the user after an on-chain grant; /rent_gpu runs a task under it with progress and result; beyond the limit it is refused", async () => {
    const [user, botClient] = cluster.clients as [(typeof cluster.clients)[0], (typeof cluster.clients)[0]];
    bot = createOgpuBot({ token: TOKEN, apiRoot: stub.url, client: botClient, maxPricePerUnit: PRICE, redundancy: K, chainId: cluster.devnet.chainId, nodeUrl: cluster.devnet.rpcUrl, resultTimeoutMs: 120_000, links: await LinkStore.open(linksFile()) });
    void bot.start();

    stub.say("/start");
    const intro = await reply(/ogpud tx authz grant/, 0);
    expect(intro).toContain(`ogpud tx authz grant ${botClient.address} submit-task`);
    let mark = stub.sent.length;
    stub.say(`/start ${user.address}`);
    expect(await reply(/No task-submission grant/, mark)).toContain(user.address);

    // The user grants one task's escrow and a half: enough for one /rent_gpu, not two.
    const limit = ESCROW + ESCROW / 2n;
    const authorization = { typeUrl: SUBMIT_TASK_AUTHORIZATION_TYPE_URL, value: SubmitTaskAuthorization.encode({ spendLimit: limit.toString(), maxTasks: 0n }).finish() };
    await user.broadcast([{ typeUrl: MsgGrant.typeUrl, value: MsgGrant.fromPartial({ granter: user.address!, grantee: botClient.address!, grant: { authorization } }) }]);
    mark = stub.sent.length;
    stub.say(`/start ${user.address}`);
    expect(await reply(/^Linked to/, mark)).toContain(`${limit}uogpu of escrow left`);

    const userBefore = await getBalance(user.comet, user.address!, "uogpu");
    mark = stub.sent.length;
    stub.say(`/rent_gpu hash ${stub.url}/input ${UNITS}`);
    const result = await reply(/^Task \d+ result:/, mark, 150_000);
    const taskId = BigInt(/^Task (\d+)/.exec(result)![1]!);
    const expected = await executors.get("hash")!.run(INPUT, { signal: new AbortController().signal, slot: 0 });
    expect(result).toContain(`sha256 ${hex(sha256(expected))}`);
    expect(result).toMatch(/finalized/);
    // The progress message was edited through the task's states.
    const progress = stub.sent.filter((s) => s.method === "editMessageText").map((s) => s.text).pop()!;
    expect(progress).toContain(`Task ${taskId} submitted for ${user.address}`);
    expect(progress).toMatch(/state: assigned/);
    expect(progress).toMatch(/state: finalized/);
    const task = (await botClient.getTask(taskId))!;
    expect(task.client).toBe(user.address);
    expect(task.programHash).toBe(builtinProgramId("hash"));
    // The escrow came from the user (the unspent part is refunded at settlement); the grant shrank by the escrow.
    expect(await getBalance(user.comet, user.address!, "uogpu")).toBeLessThan(userBefore);
    expect((await submitTaskGrant(user.comet, user.address!, botClient.address!))!.spendLimit).toBe(limit - ESCROW);

    mark = stub.sent.length;
    stub.say(`/rent_gpu hash ${stub.url}/input ${UNITS}`);
    const refused = await reply(/^Refused/, mark);
    expect(refused).toContain(`escrow is ${ESCROW}uogpu`);
    expect(refused).toContain(`only ${limit - ESCROW}uogpu left`);
    // The chain holds the bot to the limit on its own.
    await expect(botClient.submitTaskFor(user.address!, { kind: "hash", input: INPUT, units: UNITS, maxPricePerUnit: PRICE, redundancy: K })).rejects.toThrow(TxFailedError);
    await expect(botClient.submitTaskFor(user.address!, { kind: "hash", input: INPUT, units: UNITS, maxPricePerUnit: PRICE, redundancy: K })).rejects.toThrow(/spend limit exceeded/);

    mark = stub.sent.length;
    stub.say(`/status ${taskId}`);
    expect(await reply(/^Task \d+: /, mark)).toContain("finalized");
    stub.say("/analytics");
    expect(await reply(/Workers online: 2/, mark)).toContain("Your tasks: 1");
    stub.say("/shadow_fork");
    expect(await reply(/shadow-fork/, mark)).toContain("ogpud shadow-fork");
  }, 240_000);

  it("a restarted bot finds the user's link in its home (links.json, owner-only) and serves them without a new /start", async () => {
    const [user, botClient] = cluster.clients as [(typeof cluster.clients)[0], (typeof cluster.clients)[0]];
    await bot!.stop();
    expect((await stat(linksFile())).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(linksFile(), "utf8"))).toEqual({ links: { [USER_ID]: user.address } });
    bot = createOgpuBot({ token: TOKEN, apiRoot: stub.url, client: botClient, maxPricePerUnit: PRICE, redundancy: K, chainId: cluster.devnet.chainId, nodeUrl: cluster.devnet.rpcUrl, links: await LinkStore.open(linksFile()) });
    void bot.start();
    const mark = stub.sent.length;
    stub.say("/analytics");
    // Only a linked user's /analytics shows their tasks and grant.
    const analytics = await reply(/Workers online/, mark);
    expect(analytics).toContain("Your tasks: 1");
    expect(analytics).toContain(`Grant left: ${ESCROW / 2n}uogpu`);
  }, 60_000);
});
