/**
 * Shared harness for the end-to-end suites: a real `ogpud start` (with its cometbft child)
 * on a temp home (startTestNode), driven only through stock cosmjs clients, CometBFT RPC
 * and plain REST.
 */
import { ogpuRegistry } from "../../sdk/registry.js";
import { MICRO_PER_OGPU } from "../../app/coins.js";
import { sha256 } from "@cosmjs/crypto";
import { toBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient, StargateClient, type StdFee } from "@cosmjs/stargate";
import { rpcStatus, waitForHeight, type DevAccount, type Devnet } from "../../testnet/devnet.js";
import { childPids, cometbftPid as findCometbftPid } from "../../testnet/processes.js";

// The one node starter lives beside initDevnet (benchmarks use it too).
export { startTestNode, type TestNode, type TestNodeOptions } from "../../testnet/devnet.js";

export const DENOM = "uogpu";
export const PREFIX = "ogpu";
/** 1 OGPU in uogpu. */
export const OGPU = MICRO_PER_OGPU;
/** The node's default CheckTx floor, which the stock client pays. */
export const GAS_PRICE = GasPrice.fromString("0.001uogpu");
/** A fee comfortably above min gas price × gas for a one-MsgSend tx. */
/** The fee the market, attest and worker suites pay per tx: gas enough for any of their msgs. */
export const TASK_TX_FEE_AMOUNT = 3000n;
export const TASK_TX_FEE: StdFee = { amount: [{ denom: DENOM, amount: TASK_TX_FEE_AMOUNT.toString() }], gas: "3000000" };
export const EXPLICIT_FEE: StdFee = { amount: [{ denom: DENOM, amount: "500" }], gas: "200000" };

/** A stock cosmjs signing client for one devnet account. */
export interface Signer {
  address: string;
  wallet: DirectSecp256k1HdWallet;
  client: SigningStargateClient;
}

export async function connectSigner(devnet: Devnet, account: DevAccount): Promise<Signer> {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(account.mnemonic, { prefix: PREFIX });
  const [{ address }] = await wallet.getAccounts();
  if (address !== account.address) throw new Error(`wallet derived ${address}, keyring says ${account.address}`);
  // Poll for inclusion every 200 ms instead of cosmjs's default 3 s: blocks here are ~300 ms.
  const client = await SigningStargateClient.connectWithSigner(devnet.rpcUrl, wallet, { registry: ogpuRegistry(), gasPrice: GAS_PRICE, broadcastPollIntervalMs: 200 });
  return { address, wallet, client };
}

export function connectQueryClient(devnet: Devnet): Promise<StargateClient> {
  return StargateClient.connect(devnet.rpcUrl);
}

export function coins(amount: bigint): { denom: string; amount: string }[] {
  return [{ denom: DENOM, amount: amount.toString() }];
}

/** The uogpu amount of a StdFee-like fee (what the ante handler deducts). */
export function feeAmount(fee: { amount: readonly { denom: string; amount: string }[] }): bigint {
  return fee.amount.filter((c) => c.denom === DENOM).reduce((sum, c) => sum + BigInt(c.amount), 0n);
}

/** GET on the node's REST server; the body is parsed as JSON whatever the status. */
export async function restGet<T = unknown>(devnet: Devnet, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${devnet.restUrl}${path}`);
  return { status: res.status, body: (await res.json()) as T };
}

type CoinJson = { denom: string; amount: string };

export async function restBalance(devnet: Devnet, address: string): Promise<bigint> {
  const { status, body } = await restGet<{ balances: CoinJson[] }>(devnet, `/cosmos/bank/v1beta1/balances/${address}`);
  if (status !== 200) throw new Error(`REST balances ${address}: HTTP ${status} ${JSON.stringify(body)}`);
  return BigInt(body.balances.find((c) => c.denom === DENOM)?.amount ?? "0");
}

export async function restSupply(devnet: Devnet): Promise<bigint> {
  const { status, body } = await restGet<{ supply: CoinJson[] }>(devnet, "/cosmos/bank/v1beta1/supply");
  if (status !== 200) throw new Error(`REST supply: HTTP ${status} ${JSON.stringify(body)}`);
  return BigInt(body.supply.find((c) => c.denom === DENOM)?.amount ?? "0");
}

/** Module account address, as x/auth derives it: sha256(name)[:20]. */
export function moduleAccountAddress(name: string): string {
  return toBech32(PREFIX, sha256(new TextEncoder().encode(name)).slice(0, 20));
}

export const FEE_COLLECTOR_ADDRESS = moduleAccountAddress("fee_collector");

/** Sum of the given accounts' uogpu (read over REST) — with the fee collector, must equal supply. */
export async function sumBalances(devnet: Devnet, addresses: readonly string[]): Promise<bigint> {
  const amounts = await Promise.all(addresses.map((a) => restBalance(devnet, a)));
  return amounts.reduce((a, b) => a + b, 0n);
}

/** Total of the coins strings handed to initDevnet (single denom uogpu). */
export function genesisTotal(accounts: readonly { coins: string }[]): bigint {
  return accounts.reduce((sum, a) => sum + BigInt(a.coins.replace(/uogpu$/, "")), 0n);
}

/** Waits for `n` more blocks than the chain has now; proves consensus is still moving. */
export async function waitForMoreBlocks(rpcUrl: string, n = 2n): Promise<bigint> {
  const { height } = await rpcStatus(rpcUrl);
  const reached = await waitForHeight(rpcUrl, height + n);
  return reached.height;
}

/** A CometBFT JSON-RPC GET (e.g. "block?height=5"); returns `result` or throws on an RPC error. */
export async function rpcGet<T>(rpcUrl: string, pathAndQuery: string): Promise<T> {
  const res = await fetch(`${rpcUrl}/${pathAndQuery}`);
  const body = (await res.json()) as { result?: T; error?: unknown };
  if (body.error !== undefined || body.result === undefined) throw new Error(`RPC ${pathAndQuery}: ${JSON.stringify(body.error)}`);
  return body.result;
}

/**
 * The messages of a process log (ogpud, ogpu-worker, auditor) whatever its --log-format: a JSON
 * line's `msg`, or a pretty line without its "[time] LEVEL (name): " prefix.
 */
export function logMessages(text: string): string[] {
  return text.split("\n").filter(Boolean).map((line) => {
    if (line.startsWith("{")) {
      try {
        return String((JSON.parse(line) as { msg?: unknown }).msg ?? "");
      } catch {
        return line;
      }
    }
    return line.replace(/^\[[^\]]*\] [A-Z]+ \([^)]*\): /, "");
  });
}

/** PID of ogpud's cometbft child, found by its command line (with IPFS storage ogpud also runs kubo); throws if it has none. */
export async function cometbftPid(ogpudPid: number): Promise<number> {
  const pid = findCometbftPid(ogpudPid);
  if (pid === undefined) throw new Error(`ogpud (pid ${ogpudPid}) has no cometbft child (children: [${childPids(ogpudPid).join(", ")}])`);
  return pid;
}

/**
 * Polls `read` every 250 ms until `check` accepts its value; a read that throws counts as
 * "not yet". On timeout the error names `what`, the last value and `context()` (log tails).
 */
export async function until<T>(what: string, read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 60_000, context: () => Promise<string> = async () => ""): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read().catch(() => undefined);
    if (v !== undefined && check(v)) return v;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v, (_, x) => (typeof x === "bigint" ? x.toString() : x))}\n${await context()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
