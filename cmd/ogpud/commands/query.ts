import { CliError, intFlag, stringFlag, type Command, type OptionSpec } from "../../cli.js";
import { cometRpc } from "../../../server/comet-rpc.js";
import { blockTimes, indexedTxJson, txResponseJson, txTimestamp, type CometTxJson } from "../../../server/tx-json.js";
import { parseAccountAddress } from "../../../app/address.js";
import { nodeOption, outputFormat, outputOption, printResult, queryAccount, withNode, type Printable } from "../client.js";

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

const txByHash: Command = {
  name: "q tx",
  summary: "A committed tx by hash: its tx_response as gaiad prints it — decoded messages (oGPU's too), events, block time",
  usage: "<hash>",
  options: queryOptions,
  async run({ positionals, flags }) {
    const hash = oneArg(positionals, "q tx <hash>").toUpperCase();
    if (!/^[0-9A-F]{64}$/.test(hash)) throw new CliError(`invalid tx hash '${hash}': expected 64 hex characters`);
    const format = outputFormat(flags);
    return withNode(flags, async (node) => {
      const rpc = cometRpc(node.url);
      const tx = await rpc.call<CometTxJson>("tx", { hash: Buffer.from(hash, "hex").toString("base64") }).catch((err: unknown) => {
        if (/not found/i.test(err instanceof Error ? err.message : String(err))) throw new CliError(`tx ${hash} not found`);
        throw err;
      });
      const times = await blockTimes(rpc, [tx.height]);
      // The query itself succeeded; a failed tx shows its code and log in the output.
      printResult(format, indexedTxJson(tx, times.get(tx.height)!).tx_response);
      return 0;
    });
  },
};

/** CometBFT's largest tx_search page. */
const MAX_TXS_PAGE = 100;

const txsByQuery: Command = {
  name: "q txs",
  summary: "Committed txs matching a CometBFT event query, e.g. --query \"message.sender='ogpu1…'\"",
  usage: "--query <events query> [--page 1] [--limit 30] [--order-by asc|desc]",
  options: {
    ...queryOptions,
    query: { type: "string", description: "CometBFT event query: type.attribute='value' joined by AND (required)" },
    page: { type: "string", description: "page number, from 1 (default 1)" },
    limit: { type: "string", description: `txs per page (default 30, at most ${MAX_TXS_PAGE})` },
    "order-by": { type: "string", description: "asc | desc by height (default asc)" },
  },
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new CliError("usage: q txs --query \"<events query>\"");
    const query = stringFlag(flags, "query");
    const page = intFlag(flags, "page", 1);
    const limit = intFlag(flags, "limit", 30);
    if (page < 1 || limit < 1 || limit > MAX_TXS_PAGE) throw new CliError(`--page must be at least 1 and --limit 1..${MAX_TXS_PAGE}`);
    const order = stringFlag(flags, "order-by", "asc");
    if (order !== "asc" && order !== "desc") throw new CliError(`--order-by must be asc or desc, got '${order}'`);
    const format = outputFormat(flags);
    return withNode(flags, async (node) => {
      const rpc = cometRpc(node.url);
      const result = await rpc
        .call<{ txs: CometTxJson[]; total_count: string }>("tx_search", { query, prove: false, page: String(page), per_page: String(limit), order_by: order })
        .catch((err: unknown) => {
          throw new CliError(`tx search '${query}' failed: ${err instanceof Error ? err.message : String(err)}`);
        });
      const times = await blockTimes(rpc, result.txs.map((t) => t.height));
      const total = Number(result.total_count);
      printResult(format, {
        total_count: result.total_count,
        count: String(result.txs.length),
        page_number: String(page),
        page_total: String(Math.max(1, Math.ceil(total / limit))),
        limit: String(limit),
        txs: result.txs.map((t) => searchedTxJson(t, times.get(t.height)!)),
      });
      return 0;
    });
  },
};

/**
 * One search hit as tx_response. A block's txs include what the proposer injects (vote
 * extension data, not a Cosmos TxRaw): those keep their result and events, without a decoded tx.
 */
function searchedTxJson(tx: CometTxJson, blockTime: string): Printable {
  try {
    return indexedTxJson(tx, blockTime).tx_response;
  } catch {
    return txResponseJson({ height: BigInt(tx.height), txhash: tx.hash.toUpperCase(), result: tx.tx_result, timestamp: txTimestamp(blockTime) });
  }
}

const block: Command = {
  name: "q block",
  summary: "A block (the latest, or at a height) as CometBFT's RPC returns it: block_id and block",
  usage: "[height]",
  options: queryOptions,
  async run({ positionals, flags }) {
    const [heightText, ...rest] = positionals;
    if (rest.length > 0) throw new CliError("usage: q block [height]");
    if (heightText !== undefined && !/^[1-9][0-9]*$/.test(heightText)) throw new CliError(`invalid height '${heightText}': expected a positive integer`);
    const format = outputFormat(flags);
    return withNode(flags, async (node) => {
      const result = await cometRpc(node.url)
        .call<Printable>("block", heightText === undefined ? {} : { height: heightText })
        .catch((err: unknown) => {
          throw new CliError(`block ${heightText ?? "latest"}: ${err instanceof Error ? err.message : String(err)}`);
        });
      printResult(format, result);
      return 0;
    });
  },
};

/** Every `ogpud q …` command. */
export const queryCommands: Command[] = [bankBalances, bankTotal, authAccount, txByHash, txsByQuery, block];
