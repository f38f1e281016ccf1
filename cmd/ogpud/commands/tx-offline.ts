import { readFile, writeFile } from "node:fs/promises";
import { AuthInfo, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { CliError, stringFlag, type Command, type Flags } from "../../cli.js";
import { signDirectBody, type SignerData } from "../../../sdk/direct-tx.js";
import { ogpuRegistry } from "../../../sdk/registry.js";
import { txJson } from "../../../server/tx-json.js";
import { keyFromNameOrAddress, nodeOption, outputFormat, outputOption, queryAccount, withNode } from "../client.js";
import { homeOption } from "../home.js";
import { keyringFromFlags, keyringOptions } from "../keyring-flags.js";
import { txFromJson } from "../tx-file.js";
import { broadcastSigned, keyringAccountKey, printOutcome, txFailureLine } from "./tx.js";

/**
 * gaiad's offline tx commands: `tx sign` (a --generate-only file, signed with a keyring key,
 * on- or offline), `tx broadcast` (a signed file), `tx encode` / `tx decode` (JSON ↔ base64
 * TxRaw bytes, the form POST /cosmos/tx/v1beta1/txs takes).
 */
const registry = ogpuRegistry();

async function readTxFile(path: string): Promise<TxRaw> {
  const text = await readFile(path, "utf8").catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${path}: ${err.code ?? err.message}`);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${path} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return txFromJson(registry, json);
}

function fileArg(positionals: string[], usage: string): string {
  const [path, ...rest] = positionals;
  if (!path || rest.length > 0) throw new CliError(`usage: ${usage}`);
  return path;
}

function uintFlag(flags: Flags, name: string): bigint {
  const text = stringFlag(flags, name);
  if (!/^[0-9]+$/.test(text)) throw new CliError(`--${name} must be a non-negative integer, got '${text}'`);
  return BigInt(text);
}

/** The tx as the SDK's JSON, to stdout or --output-document. */
async function writeTx(flags: Flags, tx: TxRaw): Promise<void> {
  const json = JSON.stringify(txJson(TxRaw.encode(tx).finish()));
  if (typeof flags["output-document"] === "string") await writeFile(flags["output-document"], json + "\n");
  else console.log(json);
}

const sign: Command = {
  name: "tx sign",
  summary: "Sign a tx file made with --generate-only (SIGN_MODE_DIRECT); --offline signs without a node",
  usage: "<tx.json> --from <key> [--offline --account-number <n> --sequence <n> --chain-id <id>]",
  options: {
    ...homeOption,
    ...keyringOptions,
    ...nodeOption,
    from: { type: "string", description: "key name or address that signs (required)" },
    "chain-id": { type: "string", description: "chain to sign for (default: the node's; required with --offline)" },
    offline: { type: "boolean", description: "do not ask the node: take --account-number, --sequence and --chain-id as given" },
    "account-number": { type: "string", description: "the signer's account number (default: from the node)" },
    sequence: { type: "string", description: "the signer's sequence (default: from the node)" },
    "output-document": { type: "string", description: "write the signed tx here instead of stdout" },
  },
  async run({ positionals, flags }) {
    const path = fileArg(positionals, "tx sign <tx.json> --from <key>");
    const unsigned = await readTxFile(path);
    const fee = AuthInfo.decode(unsigned.authInfoBytes).fee;
    const stdFee = { amount: fee?.amount ?? [], gas: (fee?.gasLimit ?? 0n).toString(), payer: fee?.payer, granter: fee?.granter };
    const keyring = keyringFromFlags(flags);
    const key = await keyFromNameOrAddress(keyring, stringFlag(flags, "from"));
    let data: SignerData;
    if (flags.offline) {
      data = { accountNumber: uintFlag(flags, "account-number"), sequence: uintFlag(flags, "sequence"), chainId: stringFlag(flags, "chain-id") };
    } else {
      data = await withNode(flags, async (node) => {
        const account = await queryAccount(node, key.address);
        if (!account) throw new CliError(`account ${key.address} (key '${key.name}') does not exist on chain: send it some uogpu first`);
        return {
          accountNumber: typeof flags["account-number"] === "string" ? uintFlag(flags, "account-number") : account.accountNumber,
          sequence: typeof flags.sequence === "string" ? uintFlag(flags, "sequence") : account.sequence,
          chainId: typeof flags["chain-id"] === "string" ? flags["chain-id"] : (await node.comet.status()).nodeInfo.network,
        };
      });
    }
    await writeTx(flags, await signDirectBody(await keyringAccountKey(keyring, key), unsigned.bodyBytes, stdFee, data));
    return 0;
  },
};

const broadcast: Command = {
  name: "tx broadcast",
  summary: "Broadcast a signed tx file (from 'tx sign'); waits for the block unless --broadcast-mode sync",
  usage: "<signed-tx.json>",
  options: {
    ...nodeOption,
    ...outputOption,
    "broadcast-mode": { type: "string", description: "block (wait for inclusion, default) | sync (return after CheckTx)" },
  },
  async run({ positionals, flags }) {
    const path = fileArg(positionals, "tx broadcast <signed-tx.json>");
    const format = outputFormat(flags);
    const tx = await readTxFile(path);
    if (tx.signatures.length === 0) throw new CliError(`${path} is not signed: run 'ogpud tx sign ${path} --from <key>' first`);
    return withNode(flags, async (node) => {
      const outcome = await broadcastSigned(flags, node, TxRaw.encode(tx).finish());
      printOutcome(format, outcome);
      if (outcome.result && outcome.result.code !== 0) throw new CliError(txFailureLine(outcome.result, `at height ${outcome.result.height}`));
      return 0;
    });
  },
};

const encode: Command = {
  name: "tx encode",
  summary: "Print a tx file's TxRaw bytes as base64 (the tx_bytes of POST /cosmos/tx/v1beta1/txs)",
  usage: "<tx.json>",
  options: {},
  async run({ positionals }) {
    const tx = await readTxFile(fileArg(positionals, "tx encode <tx.json>"));
    console.log(Buffer.from(TxRaw.encode(tx).finish()).toString("base64"));
    return 0;
  },
};

const decode: Command = {
  name: "tx decode",
  summary: "Print base64 TxRaw bytes as the SDK's tx JSON",
  usage: "<base64 tx bytes>",
  options: { "output-document": { type: "string", description: "write the JSON here instead of stdout" } },
  async run({ positionals, flags }) {
    const text = fileArg(positionals, "tx decode <base64 tx bytes>");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new CliError("the tx must be base64");
    let tx: TxRaw;
    try {
      tx = TxRaw.decode(Buffer.from(text, "base64"));
      txJson(TxRaw.encode(tx).finish());
    } catch (err) {
      throw new CliError(`not a tx: ${err instanceof Error ? err.message : String(err)}`);
    }
    await writeTx(flags, tx);
    return 0;
  },
};

export const txOfflineCommands: Command[] = [sign, broadcast, encode, decode];
