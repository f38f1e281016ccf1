import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RequestInitChain } from "cosmjs-types/tendermint/abci/types";
import { CliError, type Command, type OptionSpec } from "../../cli.js";
import { OgpuApp } from "../../../app/app.js";
import { createAppWiring } from "../../../app/modules.js";
import { readConsensusPubKey } from "../../../server/consensus-key.js";
import { cometbftBinary, packageRoot } from "../../paths.js";
import { CLIENT_KEYS, clientTomlPath, envName, isClientKey, readClientConfig, resolvedHome, writeClientConfig } from "../client-config.js";
import { outputFormat, outputOption, printResult } from "../client.js";
import { homeOption, nodePaths } from "../home.js";

/**
 * Operator commands gaiad has beside start/init: client config, version, CometBFT key and
 * data tools (`comet …`), and a genesis check before a launch.
 */

const config: Command = {
  name: "config",
  summary: `Show or set the client settings in <home>/config/client.toml: ${CLIENT_KEYS.map((k) => `${k} ($${envName(k)})`).join(", ")}`,
  usage: "[key [value]]",
  options: { ...homeOption, ...outputOption },
  async run({ positionals, flags }) {
    const [key, value, ...rest] = positionals;
    if (rest.length > 0) throw new CliError("usage: config [key [value]]");
    const home = resolvedHome(flags);
    if (key !== undefined && !isClientKey(key)) throw new CliError(`unknown client setting '${key}': one of ${CLIENT_KEYS.join(", ")}`);
    if (key !== undefined && value !== undefined) {
      await writeClientConfig(home, key, value);
      console.error(`${key} = ${JSON.stringify(value)} in ${clientTomlPath(home)}`);
      return 0;
    }
    const current = await readClientConfig(home);
    if (key !== undefined) {
      console.log(current[key] ?? "");
      return 0;
    }
    printResult(outputFormat({ ...flags, output: typeof flags.output === "string" ? flags.output : "json" }), Object.fromEntries(CLIENT_KEYS.map((k) => [k, current[k] ?? ""])));
    return 0;
  },
};

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(packageRoot(), "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

const version: Command = {
  name: "version",
  summary: "Print ogpud's version (--long: with CometBFT's, Node.js's and the app's)",
  usage: "[--long]",
  options: { ...outputOption, long: { type: "boolean", description: "also the CometBFT and Node.js versions" } },
  async run({ flags }) {
    const v = await packageVersion();
    if (!flags.long) {
      console.log(v);
      return 0;
    }
    let cometbft: string;
    try {
      cometbft = execFileSync(cometbftBinary(), ["version"], { encoding: "utf8" }).trim();
    } catch {
      cometbft = "not found";
    }
    printResult(outputFormat(flags), { name: "ogpu", server_name: "ogpud", version: v, cometbft_version: cometbft, node_version: process.version });
    return 0;
  },
};

function cometbft(args: string[]): string {
  try {
    return execFileSync(cometbftBinary(), args, { encoding: "utf8" }).trim();
  } catch (err) {
    const stderr = (err as { stderr?: Buffer | string }).stderr;
    throw new CliError(`cometbft ${args[0]}: ${String(stderr ?? (err as Error).message).trim()}`);
  }
}

const cometOptions: OptionSpec = { ...homeOption };

const showNodeId: Command = {
  name: "comet show-node-id",
  summary: "This node's p2p id (from config/node_key.json), as peers dial it: <id>@host:port",
  usage: "",
  options: cometOptions,
  async run({ flags }) {
    console.log(cometbft(["show-node-id", "--home", resolvedHome(flags)]));
    return 0;
  },
};

const showValidator: Command = {
  name: "comet show-validator",
  summary: "This node's consensus public key (config/priv_validator_key.json) as create-validator's --pubkey takes it",
  usage: "",
  options: cometOptions,
  async run({ flags }) {
    let key: Uint8Array;
    try {
      key = readConsensusPubKey(resolvedHome(flags));
    } catch (err) {
      throw new CliError(err instanceof Error ? err.message : String(err));
    }
    console.log(JSON.stringify({ "@type": "/cosmos.crypto.ed25519.PubKey", key: Buffer.from(key).toString("base64") }));
    return 0;
  },
};

const unsafeResetAll: Command = {
  name: "comet unsafe-reset-all",
  summary: "(unsafe) Delete the chain data (blocks, state, WAL and the app's database) and reset the validator's signing state",
  usage: "[--keep-addr-book]",
  options: { ...cometOptions, "keep-addr-book": { type: "boolean", description: "keep the p2p address book" } },
  async run({ flags }) {
    const paths = nodePaths(resolvedHome(flags));
    console.log(cometbft(["unsafe-reset-all", "--home", paths.home, ...(flags["keep-addr-book"] ? ["--keep-addr-book"] : [])]));
    // CometBFT only knows its own stores; the app's must go too or the handshake finds it ahead.
    await rm(paths.appDb, { recursive: true, force: true });
    console.log(`Removed the app database ${paths.appDb}`);
    return 0;
  },
};

interface GenesisFile {
  chain_id?: unknown;
  genesis_time?: unknown;
  initial_height?: unknown;
  consensus?: { params?: { block?: { max_gas?: unknown }; abci?: { vote_extensions_enable_height?: unknown } }; validators?: unknown };
  consensus_params?: { block?: { max_gas?: unknown }; abci?: { vote_extensions_enable_height?: unknown } };
  validators?: unknown;
  app_state?: unknown;
}

/** genesis.json as the InitChain CometBFT would send for it. */
function initChainRequest(doc: GenesisFile): RequestInitChain {
  if (typeof doc.chain_id !== "string" || doc.chain_id === "") throw new CliError("genesis has no chain_id");
  const millis = typeof doc.genesis_time === "string" ? Date.parse(doc.genesis_time) : NaN;
  if (Number.isNaN(millis)) throw new CliError(`genesis_time '${String(doc.genesis_time)}' is not an RFC 3339 time`);
  const params = doc.consensus?.params ?? doc.consensus_params ?? {};
  const int = (value: unknown, fallback: bigint) => (typeof value === "string" && /^-?[0-9]+$/.test(value) ? BigInt(value) : typeof value === "number" ? BigInt(value) : fallback);
  const validators = (Array.isArray(doc.validators) ? doc.validators : Array.isArray(doc.consensus?.validators) ? doc.consensus.validators : []) as { pub_key?: { value?: string }; power?: string }[];
  return {
    time: { seconds: BigInt(Math.floor(millis / 1000)), nanos: 0 },
    chainId: doc.chain_id,
    consensusParams: { block: { maxBytes: 0n, maxGas: int(params.block?.max_gas, -1n) }, abci: { voteExtensionsEnableHeight: int(params.abci?.vote_extensions_enable_height, 0n) } },
    validators: validators.map((v) => ({ pubKey: { ed25519: new Uint8Array(Buffer.from(v.pub_key?.value ?? "", "base64")) }, power: int(v.power, 0n) })),
    appStateBytes: new TextEncoder().encode(JSON.stringify(doc.app_state ?? {})),
    initialHeight: int(doc.initial_height, 1n),
  };
}

const genesisValidate: Command = {
  name: "genesis validate",
  summary: "Check a genesis file: run its InitChain (every module's genesis, gentxs, invariants) on a scratch database",
  usage: "[genesis.json]",
  options: homeOption,
  async run({ positionals, flags }) {
    if (positionals.length > 1) throw new CliError("usage: genesis validate [genesis.json]");
    const file = positionals[0] ?? nodePaths(resolvedHome(flags)).genesis;
    let doc: GenesisFile;
    try {
      doc = JSON.parse(await readFile(file, "utf8")) as GenesisFile;
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const request = initChainRequest(doc);
    const dir = await mkdtemp(join(tmpdir(), "ogpud-genesis-validate-"));
    try {
      const app = await OgpuApp.open(join(dir, "db"), createAppWiring(), { minGasPrices: [], checkInvariants: true });
      try {
        app.initChain(request);
      } catch (err) {
        throw new CliError(`${file} is invalid: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        await app.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    console.log(`File at ${file} is a valid genesis file (chain ${request.chainId})`);
    return 0;
  },
};

export const nodeToolCommands: Command[] = [config, version, showNodeId, showValidator, unsafeResetAll, genesisValidate];
