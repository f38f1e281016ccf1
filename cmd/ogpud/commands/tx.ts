import { hexUpper } from "../../../crypto/bytes.js";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { DirectSecp256k1Wallet, makeAuthInfoBytes, type EncodeObject } from "@cosmjs/proto-signing";
import { BroadcastTxError, calculateFee, GasPrice, SigningStargateClient, type StdFee } from "@cosmjs/stargate";
import { CliError, CommandDone, stringFlag, type Command, type Flags, type OptionSpec } from "../../cli.js";
import { promptLine } from "../../prompt.js";
import { txJson } from "../../../server/tx-json.js";
import { parseAccountAddress } from "../../../app/address.js";
import { coinsToWire, parseCoins } from "../../../app/coins.js";
import { DEFAULT_APP_CONFIG, homeOption } from "../home.js";
import { keyringFromFlags, keyringOptions } from "../keyring-flags.js";
import type { KeyInfo, Keyring } from "../../../crypto/keyring.js";
import { isWrongSequence, signDirectTx, type AccountKey, type SignerData } from "../../../sdk/direct-tx.js";
import { ogpuRegistry } from "../../../sdk/registry.js";
import {
  keyFromNameOrAddress,
  nodeOption,
  outputFormat,
  outputOption,
  printResult,
  queryAccount,
  type OutputFormat,
  type Printable,
  simulateGas,
  withNode,
  type NodeConnection,
} from "../client.js";

/** The Cosmos SDK's default gas limit when --gas is not given. */
const DEFAULT_GAS = 200_000;
const DEFAULT_GAS_ADJUSTMENT = 1.4;
/** How long to wait for a broadcast tx to land in a block, and how often to look. */
const INCLUSION_TIMEOUT_MS = 60_000;
const INCLUSION_POLL_MS = 250;

/** Signs a tx for one keyring key and returns TxRaw bytes ready to broadcast. */
type TxSigner = (messages: readonly EncodeObject[], fee: StdFee, memo: string, data: SignerData) => Promise<Uint8Array>;

/** Cosmos messages plus oGPU's (market, workers, attest), so every `tx` command can sign them. */
const registry = ogpuRegistry();

/**
 * secp256k1 keys sign through stock cosmjs (DirectSecp256k1Wallet + SigningStargateClient),
 * which is what any wallet does. cosmjs cannot encode an ML-DSA pubkey into AuthInfo, so
 * those keys get the same SIGN_MODE_DIRECT tx from sdk/direct-tx.ts, signed by the keyring.
 */
async function txSignerFor(keyring: Keyring, key: KeyInfo, node: NodeConnection): Promise<TxSigner> {
  if (key.type === "secp256k1") {
    const wallet = await DirectSecp256k1Wallet.fromKey(await keyring.privateKey(key.name), "ogpu");
    const [account] = await wallet.getAccounts();
    if (account?.address !== key.address) throw new CliError(`key '${key.name}' derives ${account?.address}, not its recorded address ${key.address}`);
    const client = SigningStargateClient.createWithSigner(node.comet, wallet, { registry });
    return async (messages, fee, memo, data) => {
      const raw = await client.sign(key.address, messages, fee, memo, {
        accountNumber: data.accountNumber,
        sequence: Number(data.sequence),
        chainId: data.chainId,
      });
      return TxRaw.encode(raw).finish();
    };
  }
  const accountKey = await keyringAccountKey(keyring, key);
  return (messages, fee, memo, data) => signDirectTx(registry, accountKey, messages, fee, memo, data);
}

/** A keyring key as sdk/direct-tx.ts signs with it (any key type). */
export async function keyringAccountKey(keyring: Keyring, key: KeyInfo): Promise<Pick<AccountKey, "pubkey" | "sign">> {
  return { pubkey: await keyring.pubKey(key.name), sign: async (bytes: Uint8Array) => (await keyring.sign(key.name, bytes)).signature };
}

function positiveNumberFlag(flags: Flags, name: string, fallback: number): number {
  const text = stringFlag(flags, name, String(fallback));
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`--${name} must be a positive number, got '${text}'`);
  return n;
}

/** --fees fixes the amount; otherwise gas × --gas-prices (default: the node default floor). */
function feeFor(flags: Flags, gas: number): StdFee {
  if (typeof flags.fees === "string") {
    if (typeof flags["gas-prices"] === "string") throw new CliError("give either --fees or --gas-prices, not both");
    const amount = cliParse(() => coinsToWire(parseCoins(flags.fees as string)), "--fees");
    return { amount, gas: String(gas) };
  }
  const priceText = stringFlag(flags, "gas-prices", DEFAULT_APP_CONFIG.min_gas_prices);
  const price = cliParse(() => GasPrice.fromString(priceText), "--gas-prices");
  return calculateFee(gas, price);
}

function cliParse<T>(parse: () => T, what: string): T {
  try {
    return parse();
  } catch (err) {
    throw new CliError(`invalid ${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** --gas auto simulates the signed tx and scales by --gas-adjustment; a number is used as is. */
async function gasLimitFor(flags: Flags, simulate: () => Promise<bigint>): Promise<number> {
  const gasFlag = stringFlag(flags, "gas", String(DEFAULT_GAS));
  if (gasFlag === "auto") {
    const used = await simulate();
    return Math.ceil(Number(used) * positiveNumberFlag(flags, "gas-adjustment", DEFAULT_GAS_ADJUSTMENT));
  }
  if (!/^[1-9][0-9]*$/.test(gasFlag)) throw new CliError(`--gas must be 'auto' or a positive integer, got '${gasFlag}'`);
  return Number(gasFlag);
}

/** gaiad's confirmation: the summary on stderr, then one answer (a terminal line, or the next stdin line when piped). */
async function confirm(summary: string): Promise<void> {
  const answer = await promptLine(`${summary}\nconfirm transaction before signing and broadcasting [y/N]: `);
  if (!/^y(es)?$/i.test(answer)) throw new CliError("aborted: transaction not broadcast (pass --yes to skip this question)");
}

/** The DeliverTx result of an included tx, as `ogpud tx` and `ogpud q tx` print it. */
export interface TxResultView {
  [key: string]: string | number | bigint;
  txhash: string;
  height: number;
  code: number;
  codespace: string;
  raw_log: string;
  gas_wanted: bigint;
  gas_used: bigint;
}

/** Looks a tx up by hash; undefined while it is not (yet) in a block. */
export async function findTx(node: NodeConnection, hash: string): Promise<TxResultView | undefined> {
  try {
    const res = await node.comet.tx({ hash: Buffer.from(hash, "hex") });
    return {
      txhash: hexUpper(res.hash),
      height: res.height,
      code: res.result.code,
      codespace: res.result.codespace ?? "",
      raw_log: res.result.log ?? "",
      gas_wanted: res.result.gasWanted,
      gas_used: res.result.gasUsed,
    };
  } catch (err) {
    if (err instanceof Error && /not found/i.test(err.message)) return undefined;
    throw err;
  }
}

async function waitForTx(node: NodeConnection, hash: string): Promise<TxResultView> {
  const deadline = Date.now() + INCLUSION_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const found = await findTx(node, hash);
    if (found) return found;
    await new Promise((r) => setTimeout(r, INCLUSION_POLL_MS));
  }
  throw new CliError(`tx ${hash} passed CheckTx but was not included in a block within ${INCLUSION_TIMEOUT_MS / 1000}s; check later with 'ogpud q tx ${hash}'`);
}

export function txFailureLine(r: { txhash: string; code: number; codespace: string; raw_log: string }, where: string): string {
  return `tx ${r.txhash} failed ${where}: code ${r.code} (codespace ${r.codespace || "?"}): ${r.raw_log}`;
}

/** Flags of every command that signs and broadcasts a tx. */
export const txOptions: OptionSpec = {
  ...homeOption,
  ...keyringOptions,
  ...nodeOption,
  ...outputOption,
  fees: { type: "string", description: "fee to pay, e.g. 500uogpu (instead of --gas-prices)" },
  "gas-prices": { type: "string", description: `fee per unit of gas (default ${DEFAULT_APP_CONFIG.min_gas_prices})` },
  gas: { type: "string", description: `gas limit: a number or 'auto' to simulate (default ${DEFAULT_GAS})` },
  "gas-adjustment": { type: "string", description: `factor applied to the simulated gas with --gas auto (default ${DEFAULT_GAS_ADJUSTMENT})` },
  memo: { type: "string", description: "note stored with the tx" },
  note: { type: "string", description: "alias of --memo (gaiad's name)" },
  from: { type: "string", description: "key name or address that signs" },
  "generate-only": { type: "boolean", description: "print the unsigned tx as JSON instead of signing (for 'tx sign'); --from may be an address outside the keyring" },
  "dry-run": { type: "boolean", description: "simulate the tx and print the gas it would use; nothing is broadcast" },
  "chain-id": { type: "string", description: "chain to sign for (default: the node's, from /status)" },
  "broadcast-mode": { type: "string", description: "block (wait for inclusion, default) | sync (return after CheckTx)" },
  yes: { type: "boolean", short: "y", description: "sign and broadcast without asking" },
};

/** A broadcast tx: its hash, and its block result unless --broadcast-mode sync. */
export interface BroadcastOutcome {
  hash: string;
  result?: TxResultView;
}

/**
 * Signs `messages` with a keyring key (gas, fees, memo, chain id and confirmation from the
 * flags), broadcasts, and waits for the block unless --broadcast-mode sync. A tx rejected by
 * CheckTx throws; one that fails in its block is returned with its code (the caller prints it).
 */
export async function broadcastFromKey(flags: Flags, node: NodeConnection, keyring: Keyring, key: KeyInfo, messages: EncodeObject[], summary: string): Promise<BroadcastOutcome> {
  const mode = broadcastMode(flags);
  const memo = memoFlag(flags);
  if (flags["generate-only"] && stringFlag(flags, "gas", String(DEFAULT_GAS)) !== "auto") {
    // Offline: no account or key needed; the fee is the flags', the signer fills the rest.
    const fee = feeFor(flags, await gasLimitFor(flags, () => Promise.resolve(0n)));
    printUnsignedTx(messages, memo, fee);
  }
  const account = await queryAccount(node, key.address);
  if (!account) throw new CliError(`account ${key.address} (key '${key.name}') does not exist on chain: send it some uogpu first`);
  const chainId = typeof flags["chain-id"] === "string" ? flags["chain-id"] : (await node.comet.status()).nodeInfo.network;
  const signerData: SignerData = { accountNumber: account.accountNumber, sequence: account.sequence, chainId };
  const sign = await txSignerFor(keyring, key, node);
  // Simulate the real signed tx (with a provisional fee) so signature bytes count exactly.
  const gas = await gasLimitFor(flags, async () => simulateGas(node, await sign(messages, feeFor(flags, DEFAULT_GAS), memo, signerData)));
  const fee = feeFor(flags, gas);
  if (flags["dry-run"]) {
    console.error(`gas estimate: ${gas}`);
    printResult(outputFormat(flags), { gas_estimate: gas, fee: fee.amount.map((c) => c.amount + c.denom).join(",") });
    throw new CommandDone(0);
  }
  if (flags["generate-only"]) {
    printUnsignedTx(messages, memo, fee);
  }
  if (!flags.yes) {
    await confirm(`${summary}, fee ${fee.amount.map((c) => c.amount + c.denom).join(",") || "0"}, gas ${gas}, chain ${chainId}`);
  }
  let hash: string;
  try {
    hash = await node.stargate.broadcastTxSync(await sign(messages, fee, memo, signerData));
  } catch (err) {
    // The account query can trail the mempool's state by a block (a tx of this key just landed or is
    // pending): CheckTx names the sequence it expects, so sign once more with it rather than fail.
    const expected = isWrongSequence(err) ? /expected (\d+), got \d+/.exec(err.log ?? "")?.[1] : undefined;
    if (expected === undefined || BigInt(expected) <= signerData.sequence) throw cliBroadcastError(err);
    hash = await node.stargate.broadcastTxSync(await sign(messages, fee, memo, { ...signerData, sequence: BigInt(expected) })).catch((retryErr: unknown) => {
      throw cliBroadcastError(retryErr);
    });
  }
  if (mode === "sync") return { hash };
  return { hash, result: await waitForTx(node, hash) };
}

/** --generate-only: the unsigned tx as the SDK's JSON (no signer infos, no signatures), then stop. */
function printUnsignedTx(messages: readonly EncodeObject[], memo: string, fee: StdFee): never {
  const unsigned = TxRaw.encode({
    bodyBytes: registry.encodeTxBody({ messages: [...messages], memo }),
    authInfoBytes: makeAuthInfoBytes([], fee.amount, Number(fee.gas), fee.granter, fee.payer),
    signatures: [],
  }).finish();
  console.log(JSON.stringify(txJson(unsigned)));
  throw new CommandDone(0);
}

/** Broadcasts signed tx bytes (`tx broadcast`): CheckTx's refusal throws; waits for the block unless sync. */
export async function broadcastSigned(flags: Flags, node: NodeConnection, txBytes: Uint8Array): Promise<BroadcastOutcome> {
  const mode = broadcastMode(flags);
  const hash = await node.stargate.broadcastTxSync(txBytes).catch((err: unknown) => {
    throw cliBroadcastError(err);
  });
  if (mode === "sync") return { hash };
  return { hash, result: await waitForTx(node, hash) };
}

function broadcastMode(flags: Flags): "block" | "sync" {
  const mode = stringFlag(flags, "broadcast-mode", "block");
  if (mode !== "block" && mode !== "sync") throw new CliError(`--broadcast-mode must be block or sync, got '${mode}'`);
  return mode;
}

/** --memo, or gaiad's --note. */
function memoFlag(flags: Flags): string {
  if (typeof flags.memo === "string" && typeof flags.note === "string" && flags.memo !== flags.note) throw new CliError("give --memo or --note, not both");
  return stringFlag(flags, "memo", stringFlag(flags, "note", ""));
}

/**
 * The key that signs: a keyring name or address; with --generate-only any account address
 * will do (the tx is signed elsewhere), as gaiad allows.
 */
export async function signerKey(flags: Flags, keyring: Keyring, nameOrAddress: string): Promise<KeyInfo> {
  try {
    return await keyFromNameOrAddress(keyring, nameOrAddress);
  } catch (err) {
    if (!flags["generate-only"] || !(err instanceof CliError) || !/^ogpu1/.test(nameOrAddress)) throw err;
    cliParse(() => parseAccountAddress(nameOrAddress, "--from"), "--from");
    return { name: nameOrAddress, type: "secp256k1", address: nameOrAddress, pubkey: "" };
  }
}

/** CheckTx's refusal as a one-line CLI error; anything else passes through. */
function cliBroadcastError(err: unknown): unknown {
  if (err instanceof BroadcastTxError) return new CliError(`tx rejected by CheckTx: code ${err.code} (codespace ${err.codespace || "?"}): ${err.log ?? ""}`);
  return err;
}

/** The signing key of commands that take it as a flag (`tx market …`, `tx gov …`). */
export const fromOption: OptionSpec = { from: { type: "string", description: "key name or address that signs (required)" } };

/**
 * Broadcasts the messages `build` makes for the --from key's address; a tx that failed in its
 * block is one error line.
 */
export async function signAndSend(flags: Flags, node: NodeConnection, build: (signer: string) => EncodeObject[], summary: string): Promise<BroadcastOutcome> {
  const keyring = keyringFromFlags(flags);
  const key = await signerKey(flags, keyring, stringFlag(flags, "from"));
  const outcome = await broadcastFromKey(flags, node, keyring, key, build(key.address), `${summary} from ${key.address}`);
  if (outcome.result && outcome.result.code !== 0) throw new CliError(txFailureLine(outcome.result, `at height ${outcome.result.height}`));
  return outcome;
}

/** Prints a broadcast's outcome: its block result, or only the hash with --broadcast-mode sync. */
export function printOutcome(format: OutputFormat, outcome: BroadcastOutcome, extra: Record<string, Printable> = {}): void {
  printResult(format, outcome.result ? { ...outcome.result, ...extra } : { txhash: outcome.hash, code: 0 });
}

/** The first message response of an included tx (its TxMsgData). */
export async function firstMsgResponse(node: NodeConnection, hash: string): Promise<Uint8Array> {
  const tx = await node.comet.tx({ hash: Buffer.from(hash, "hex") });
  const response = TxMsgData.decode(tx.result.data ?? new Uint8Array()).msgResponses[0];
  if (!response) throw new CliError(`tx ${hash} has no message response`);
  return response.value;
}

export const txBankSendCommand: Command = {
  name: "tx bank send",
  summary: "Send coins from a keyring key to an address (signs, broadcasts, waits for the block)",
  usage: "<from-key-or-address> <to-address> <coins> [--fees 500uogpu | --gas-prices 0.001uogpu] [--gas auto|<n>] [--yes]",
  options: txOptions,
  async run({ positionals, flags }) {
    // gaiad's form takes the sender as the first operand; --from with two operands works too.
    const operands = positionals.length === 2 && typeof flags.from === "string" ? [flags.from, ...positionals] : positionals;
    const [fromArg, to, coinsText, ...extra] = operands;
    if (!fromArg || !to || !coinsText || extra.length > 0) throw new CliError("usage: tx bank send <from-key-or-address> <to-address> <coins>");
    const format = outputFormat(flags);
    cliParse(() => parseAccountAddress(to, "to address"), "<to-address>");
    const amount = cliParse(() => coinsToWire(parseCoins(coinsText)), "<coins>");
    if (amount.length === 0) throw new CliError("<coins> must not be empty");
    const keyring = keyringFromFlags(flags);
    const key = await signerKey(flags, keyring, fromArg);

    return withNode(flags, async (node) => {
      const messages: EncodeObject[] = [
        { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.fromPartial({ fromAddress: key.address, toAddress: to, amount }) },
      ];
      const { hash, result } = await broadcastFromKey(flags, node, keyring, key, messages, `send ${coinsText} from ${key.address} to ${to}`);
      if (!result) {
        printResult(format, { txhash: hash, code: 0 });
        return 0;
      }
      printResult(format, result);
      if (result.code !== 0) throw new CliError(txFailureLine(result, `at height ${result.height}`));
      return 0;
    });
  },
};

export const txCommands: Command[] = [txBankSendCommand];
