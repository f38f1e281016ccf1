import { QueryClient, setupBankExtension } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { CliError, stringFlag, type Command, type Flags, type OptionSpec } from "../cmd/cli.js";
import { DEFAULT_NODE, nodeUrl, outputFormat, outputOption } from "../cmd/ogpud/client.js";
import { promptLine } from "../cmd/prompt.js";
import type { KeyringBackend } from "../crypto/keyring.js";
import { MsgExitWorker, MsgExitWorkerResponse } from "../proto/gen/ogpu/workers/v1/tx.js";
import { WorkerStatus } from "../proto/gen/ogpu/workers/v1/workers.js";
import { getWorker, providerRewards } from "../sdk/queries.js";
import { MSG } from "../sdk/registry.js";
import { ChainClient } from "./chain.js";
import { loadWorkerKeys, readWorkerPublicInfo } from "./keys.js";

/**
 * A provider's view of its own worker, without running it: `status` (registration, open jobs,
 * reliability, earnings), `earnings` (provider rewards and balance) and `exit` (MsgExitWorker:
 * no new assignments; the bond returns after the unbonding period).
 */
const options: OptionSpec = {
  home: { type: "string", description: "worker home directory (its public info names the address)" },
  node: { type: "string", description: `CometBFT RPC (default ${DEFAULT_NODE})` },
  ...outputOption,
};

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function print(flags: Flags, value: Record<string, Json>): void {
  if (outputFormat(flags) === "json") console.log(JSON.stringify(value));
  else for (const [k, v] of Object.entries(value)) console.log(`${k}: ${typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)}`);
}

async function withComet<T>(flags: Flags, fn: (comet: Comet38Client) => Promise<T>): Promise<T> {
  const url = nodeUrl(flags);
  const comet = await Comet38Client.connect(url).catch((err: unknown) => {
    throw new CliError(`cannot reach the node at ${url}: ${err instanceof Error ? err.message : String(err)}`);
  });
  try {
    return await fn(comet);
  } finally {
    comet.disconnect();
  }
}

async function workerAddress(flags: Flags): Promise<string> {
  const home = stringFlag(flags, "home");
  try {
    return (await readWorkerPublicInfo(home)).address;
  } catch {
    throw new CliError(`no worker at ${home}: run 'ogpu-worker init --home ${home}' first`);
  }
}

async function earnings(comet: Comet38Client, address: string): Promise<Record<string, Json>> {
  const bank = QueryClient.withExtensions(comet, setupBankExtension);
  const [rewards, balance] = await Promise.all([providerRewards(comet, address), bank.bank.balance(address, "uogpu")]);
  return {
    balance: `${balance.amount}uogpu`,
    provider_rewards_paid: `${rewards.totalPaid || "0"}uogpu`,
    last_epoch_reward: `${rewards.lastReward || "0"}uogpu`,
    open_epoch_fee_credit: `${rewards.feeCredit || "0"}uogpu`,
    open_epoch_uptime_windows: rewards.uptimeWindows.toString(),
    open_epoch_start: rewards.epochStart.toString(),
  };
}

/** A read-only command: this worker's address (from --home) and what `report` reads of it on chain, printed. */
function reportCommand(name: string, summary: string, report: (comet: Comet38Client, address: string) => Promise<Record<string, Json>>): Command {
  return {
    name,
    summary,
    usage: "--home <dir> [--node <rpc url>]",
    options,
    async run({ flags }) {
      const address = await workerAddress(flags);
      const value = await withComet(flags, (comet) => report(comet, address));
      print(flags, value);
      return 0;
    },
  };
}

const statusCommand = reportCommand("status", "This worker's registration, open jobs, reliability and earnings, from the chain", async (comet, address) => {
  const view = await getWorker(comet, address);
  if (!view?.worker) return { address, registered: false };
  const w = view.worker;
  const r = w.reliability;
  return {
    address,
    registered: true,
    status: WorkerStatus[view.status] ?? String(view.status),
    tier: view.tier,
    bond: `${w.bond}uogpu`,
    price_per_unit: `${w.pricePerUnit}uogpu`,
    gpus: w.gpus.map((g) => `${g.count}× ${g.vendor} ${g.model} ${g.vramMb} MB`),
    runtimes: w.runtimes,
    open_jobs: w.openTasks,
    max_concurrent: w.maxConcurrent,
    last_heartbeat_height: w.lastHeartbeatHeight.toString(),
    exit_height: w.exitHeight.toString(),
    reliability: r
      ? { cv: r.cv.toString(), success_bps: r.ewmaSuccessBps, successes: r.successes.toString(), timeouts: r.timeouts.toString(), declines: r.declines.toString(), jailed_until: r.jailedUntil.toString() }
      : null,
    ...(await earnings(comet, address)),
  };
});

const earningsCommand = reportCommand("earnings", "This worker's balance and provider rewards (paid, last epoch, the open epoch's credit)", async (comet, address) => ({
  address,
  ...(await earnings(comet, address)),
}));

const exitCommand: Command = {
  name: "exit",
  summary: "Leave the market (MsgExitWorker): no new assignments; the bond returns after the unbonding period",
  usage: "--home <dir> [--node <rpc url>] [--keyring-backend file|test] [-y]",
  options: {
    ...options,
    "keyring-backend": { type: "string", description: "file (default) or test" },
    "gas-prices": { type: "string", description: "gas price (default 0.001uogpu)" },
    yes: { type: "boolean", short: "y", description: "do not ask for confirmation" },
  },
  async run({ flags }) {
    const backend = stringFlag(flags, "keyring-backend", "file");
    if (backend !== "file" && backend !== "test") throw new CliError(`--keyring-backend must be file or test, got '${backend}'`);
    const keys = await loadWorkerKeys(stringFlag(flags, "home"), backend as KeyringBackend);
    if (!flags.yes) {
      const answer = await promptLine(`Worker ${keys.address} will get no new tasks and its bond returns after the unbonding period. Exit? [y/N] `);
      if (!/^y(es)?$/i.test(answer)) throw new CliError("aborted: the worker did not exit");
    }
    const chain = await ChainClient.connect({ rpcUrl: nodeUrl(flags), key: keys.account, gasPrice: stringFlag(flags, "gas-prices", "0.001uogpu") });
    try {
      const res = await chain.send(MSG.ExitWorker, MsgExitWorker.fromPartial({ operator: keys.address }));
      if (res.code !== 0) throw new CliError(`exit refused: code ${res.code}: ${res.rawLog ?? ""}`);
      const data = res.msgResponses[0]?.value;
      const returnHeight = data ? MsgExitWorkerResponse.decode(data).bondReturnHeight.toString() : "";
      print(flags, { txhash: res.transactionHash, height: res.height, bond_return_height: returnHeight });
      return 0;
    } finally {
      chain.disconnect();
    }
  },
};

export const workerAccountCommands: Command[] = [statusCommand, earningsCommand, exitCommand];
