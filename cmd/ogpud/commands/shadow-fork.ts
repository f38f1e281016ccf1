import { existsSync } from "node:fs";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CliError, stringFlag, type Command } from "../../cli.js";
import { BASE_DENOM, parseCoins } from "../../../app/coins.js";
import type { GenesisDocument } from "../../../app/genesis-export.js";
import { ACCOUNT_PREFIX, fromBech32 } from "../../../crypto/bech32.js";
import { readConsensusPubKey } from "../../../server/consensus-key.js";
import { EXPORT_PATH } from "../../../server/export-route.js";
import { shadowForkGenesis } from "../shadow-fork.js";
import { homeFlag, homeOption, nodePaths, readAppConfig, writeGenesis, type NodePaths } from "../home.js";
import { keyringFromFlags, keyringOptions } from "../keyring-flags.js";

/** CometBFT's state files under data/ (blocks, consensus state, WAL, indexes); all go on a (re)fork. */
const COMETBFT_DATA = /^(blockstore|state|tx_index|evidence)\.db$|^cs\.wal$/;

/**
 * `ogpud shadow-fork`: a local single-validator chain from a network's current state
 * (docs/shadow-fork.md). The home must exist (`ogpud init`) and hold the key in its keyring.
 */
export const shadowForkCommand: Command = {
  name: "shadow-fork",
  summary: "Make this home a local single-validator fork of a network's current state (docs/shadow-fork.md)",
  usage: "(--from <REST url of a node started with --serve-export> | --from-file <export.json>) --key <name> [--home <dir>] [--chain-id <id>] [--stake <n>uogpu] [--refresh]",
  options: {
    ...homeOption,
    ...keyringOptions,
    from: { type: "string", description: `REST URL of a running node that serves ${EXPORT_PATH} (ogpud start --serve-export)` },
    "from-file": { type: "string", description: "a genesis produced by `ogpud export` on a stopped node" },
    key: { type: "string", description: "keyring key that becomes the fork's only validator operator" },
    "chain-id": { type: "string", description: "the fork's chain id (default <source chain id>-fork; never the source's)" },
    stake: { type: "string", description: "fork-only self-delegation minted to --key, e.g. 1000000uogpu (default: staking min_self_delegation)" },
    moniker: { type: "string", description: "the fork validator's moniker (default: the key name)" },
    refresh: { type: "boolean", description: "re-fork a home that already ran a fork: drop its chain data, keep its keys and config" },
  },
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new CliError("usage: ogpud shadow-fork (--from <url> | --from-file <export.json>) --key <name> [--home <dir>]");
    const paths = nodePaths(homeFlag(flags));
    await readAppConfig(paths);
    const keyName = stringFlag(flags, "key");
    const info = await keyringFromFlags(flags).show(keyName);
    const source = await readSource(flags.from, flags["from-file"]);
    const stake = flags.stake === undefined ? undefined : stakeFlag(String(flags.stake));
    const forkedAlready = existsSync(paths.appDb);
    if (forkedAlready && !flags.refresh) throw new CliError(`${paths.home} already has chain data: use --refresh to re-fork it from the latest state`);

    let consensusKey: Uint8Array;
    try {
      consensusKey = readConsensusPubKey(paths.home);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    let result;
    try {
      result = shadowForkGenesis(source, {
        chainId: stringFlag(flags, "chain-id", `${source.chain_id}-fork`),
        operator: fromBech32(info.address, ACCOUNT_PREFIX),
        consensusKey,
        stake,
        moniker: stringFlag(flags, "moniker", keyName),
      });
    } catch (err) {
      throw new CliError(`cannot fork: ${(err as Error).message}`);
    }
    await resetChainData(paths);
    await writeGenesis(paths, result.genesis);
    const report = JSON.stringify(result.report, null, 2);
    await writeFile(join(paths.config, "shadow-fork.json"), report + "\n");
    console.log(report);
    return 0;
  },
};

async function readSource(from: unknown, fromFile: unknown): Promise<GenesisDocument> {
  if ((from === undefined) === (fromFile === undefined)) throw new CliError("give exactly one of --from <url> or --from-file <export.json>");
  let text: string;
  if (typeof fromFile === "string") {
    text = await readFile(fromFile, "utf8").catch((err: Error) => {
      throw new CliError(`cannot read ${fromFile}: ${err.message}`);
    });
  } else {
    const url = `${String(from).replace(/\/+$/, "")}${EXPORT_PATH}`;
    const res = await fetch(url).catch((err: Error) => {
      throw new CliError(`cannot reach ${url}: ${err.message}`);
    });
    text = await res.text();
    if (!res.ok) throw new CliError(`${url} answered ${res.status}${res.status === 404 ? " (start that node with --serve-export)" : ""}: ${text.slice(0, 200)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new CliError(`the source is not JSON: ${(err as Error).message}`);
  }
  const genesis = doc as GenesisDocument;
  if (typeof genesis !== "object" || genesis === null || typeof genesis.chain_id !== "string" || typeof genesis.app_state !== "object") {
    throw new CliError("the source is not an exported genesis (chain_id and app_state missing)");
  }
  if (BigInt(genesis.initial_height ?? "1") <= 1n) throw new CliError("the source is a fresh genesis, not an export of a running chain");
  return genesis;
}

function stakeFlag(text: string): bigint {
  const coins = parseCoins(text);
  if (coins.length !== 1 || coins[0]!.denom !== BASE_DENOM || coins[0]!.amount <= 0n) throw new CliError(`--stake must be one positive ${BASE_DENOM} amount, got ${text}`);
  return coins[0]!.amount;
}

/** Drops the app's and CometBFT's chain data and resets the double-sign guard; keys and config stay. */
async function resetChainData(paths: NodePaths): Promise<void> {
  const data = join(paths.home, "data");
  await rm(paths.appDb, { recursive: true, force: true });
  await rm(join(data, "blobs"), { recursive: true, force: true });
  for (const name of existsSync(data) ? await readdir(data) : []) {
    if (COMETBFT_DATA.test(name)) await rm(join(data, name), { recursive: true, force: true });
  }
  // A fresh chain: the last signed height/round/step starts over (the fork's heights are new votes).
  await writeFile(join(data, "priv_validator_state.json"), JSON.stringify({ height: "0", round: 0, step: 0 }, null, 2) + "\n");
}
