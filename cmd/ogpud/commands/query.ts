import { decodeTxRaw, Registry } from "@cosmjs/proto-signing";
import { defaultRegistryTypes } from "@cosmjs/stargate";
import { CliError, type Command, type OptionSpec } from "../../cli.js";
import { parseAccountAddress } from "../../../app/address.js";
import { nodeOption, outputFormat, outputOption, printResult, queryAccount, withNode, type Printable } from "../client.js";
import { findTx } from "./tx.js";

/**
 * `ogpud q …`: read-only queries over the node's CometBFT RPC (abci_query at the Cosmos
 * gRPC paths), printed as text or JSON.
 */
const queryOptions: OptionSpec = { ...nodeOption, ...outputOption };

function oneArg(positionals: string[], usage: string): string {
  const [arg, ...rest] = positionals;
  if (!arg || rest.length > 0) throw new CliError(`usage: ${usage}`);
  return arg;
}

function checkAddress(address: string): string {
  try {
    parseAccountAddress(address);
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  return address;
}

const bankBalances: Command = {
  name: "q bank balances",
  summary: "Balances of an address (all denoms, or one with --denom)",
  usage: "<address> [--denom uogpu]",
  options: { ...queryOptions, denom: { type: "string", description: "only this denom" } },
  async run({ positionals, flags }) {
    const address = checkAddress(oneArg(positionals, "q bank balances <address>"));
    const format = outputFormat(flags);
    return withNode(flags, async ({ query }) => {
      if (typeof flags.denom === "string") {
        const coin = await query.bank.balance(address, flags.denom);
        printResult(format, { denom: coin.denom, amount: coin.amount });
      } else {
        const balances = await query.bank.allBalances(address);
        printResult(format, { balances: balances.map((c) => ({ denom: c.denom, amount: c.amount })) });
      }
      return 0;
    });
  },
};

const bankTotal: Command = {
  name: "q bank total",
  summary: "Total supply of every denom",
  usage: "[--denom uogpu]",
  options: { ...queryOptions, denom: { type: "string", description: "only this denom" } },
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new CliError("usage: q bank total");
    const format = outputFormat(flags);
    return withNode(flags, async ({ query }) => {
      const supply: { denom: string; amount: string }[] = [];
      // The supply query is paginated; follow next_key until the end.
      let key: Uint8Array | undefined;
      do {
        const page = await query.bank.totalSupply(key);
        supply.push(...page.supply.map((c) => ({ denom: c.denom, amount: c.amount })));
        key = page.pagination?.nextKey?.length ? page.pagination.nextKey : undefined;
      } while (key);
      const denom = flags.denom;
      if (typeof denom === "string") printResult(format, supply.find((c) => c.denom === denom) ?? { denom, amount: "0" });
      else printResult(format, { supply });
      return 0;
    });
  },
};

const authAccount: Command = {
  name: "q auth account",
  summary: "Account number, sequence and public key of an address",
  usage: "<address>",
  options: queryOptions,
  async run({ positionals, flags }) {
    const address = checkAddress(oneArg(positionals, "q auth account <address>"));
    const format = outputFormat(flags);
    return withNode(flags, async (node) => {
      const account = await queryAccount(node, address);
      if (!account) throw new CliError(`account ${address} not found: it has never received funds`);
      printResult(format, {
        "@type": account.type,
        address: account.address,
        account_number: account.accountNumber,
        sequence: account.sequence,
        pub_key: account.pubKey ? { "@type": account.pubKey.typeUrl, key: account.pubKey.key } : null,
        ...(account.moduleName !== undefined ? { name: account.moduleName } : {}),
      });
      return 0;
    });
  },
};

const txRegistry = new Registry(defaultRegistryTypes);

/** A message as JSON: decoded when its type is known to cosmjs, else type URL + base64. */
function messageView(msg: { typeUrl: string; value: Uint8Array }): Printable {
  try {
    const decoded = txRegistry.decode(msg) as Record<string, unknown>;
    return JSON.parse(JSON.stringify({ "@type": msg.typeUrl, ...decoded }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as Printable;
  } catch {
    return { "@type": msg.typeUrl, value: Buffer.from(msg.value).toString("base64") };
  }
}

const txByHash: Command = {
  name: "q tx",
  summary: "A transaction by hash: its result and messages",
  usage: "<hash>",
  options: queryOptions,
  async run({ positionals, flags }) {
    const hash = oneArg(positionals, "q tx <hash>").toUpperCase();
    if (!/^[0-9A-F]{64}$/.test(hash)) throw new CliError(`invalid tx hash '${hash}': expected 64 hex characters`);
    const format = outputFormat(flags);
    return withNode(flags, async (node) => {
      const result = await findTx(node, hash);
      if (!result) throw new CliError(`tx ${hash} not found`);
      const raw = (await node.comet.tx({ hash: Buffer.from(hash, "hex") })).tx;
      const tx = decodeTxRaw(raw);
      printResult(format, {
        ...result,
        tx: {
          messages: tx.body.messages.map(messageView),
          memo: tx.body.memo,
          fee: {
            amount: (tx.authInfo.fee?.amount ?? []).map((c) => ({ denom: c.denom, amount: c.amount })),
            gas_limit: tx.authInfo.fee?.gasLimit ?? 0n,
          },
          signers: tx.authInfo.signerInfos.map((s) => ({ pub_key_type: s.publicKey?.typeUrl ?? "", sequence: s.sequence })),
        },
      });
      // The query itself succeeded; a failed tx shows its code and log in the output.
      return 0;
    });
  },
};

/** Every `ogpud q …` command. */
export const queryCommands: Command[] = [bankBalances, bankTotal, authAccount, txByHash];
