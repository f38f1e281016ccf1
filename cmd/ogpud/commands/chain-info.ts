import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CliError, type Command, type Flags } from "../../cli.js";
import type { Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import { BASE_DENOM } from "../../../app/coins.js";
import { NATIVE_DENOM_METADATA } from "../../../x/bank/queries.js";
import { parseGasPrices } from "../../../app/tx/fees.js";
import { rpcUrlFromLaddr } from "../../../server/comet-rpc.js";
import { homeFlag, homeOption, nodePaths, readAppConfig, readGenesis, type GenesisDoc } from "../home.js";
import { getTomlString } from "../toml.js";
import {
  keplrChainInfo,
  minGasPriceIn,
  registryAssetList,
  registryChain,
  registryJson,
  type ChainMetadata,
  type NetworkType,
} from "../chain-info.js";

const NETWORK_TYPES: readonly NetworkType[] = ["mainnet", "testnet", "devnet"];

/** The file names `--out` writes. */
export const CHAIN_INFO_FILES = { keplr: "keplr.json", chain: "chain.json", assetlist: "assetlist.json" } as const;

/**
 * `ogpud chain-info`: Keplr's suggest-chain object and the chain-registry files, from the
 * node's genesis (chain id, bond denom), the bank metadata the chain serves for that denom, and
 * config (endpoints, min gas price); public endpoints are given with --rpc/--rest/--grpc.
 */
export const chainInfoCommand: Command = {
  name: "chain-info",
  summary: "Print or write chain metadata: Keplr's experimentalSuggestChain ChainInfo, chain-registry chain.json and assetlist.json",
  usage: "[--out <dir>] [--home <dir>] [--rpc <url>] [--rest <url>] [--grpc <host:port>] [--chain-name <name>] [--pretty-name <name>] [--network-type mainnet|testnet|devnet]",
  options: {
    ...homeOption,
    out: { type: "string", description: `folder to write ${Object.values(CHAIN_INFO_FILES).join(", ")} into (default: print one JSON object with the three)` },
    rpc: { type: "string", description: "public CometBFT RPC URL (default: config.toml rpc.laddr on loopback)" },
    rest: { type: "string", description: "public REST (LCD) URL (default: app.json rest_laddr)" },
    grpc: { type: "string", description: "public gRPC host:port (default: app.json grpc_address on loopback)" },
    "chain-name": { type: "string", description: "chain-registry chain_name, lowercase letters and digits (default ogpu, ogputestnet or ogpudevnet)" },
    "pretty-name": { type: "string", description: "name wallets show (default oGPU)" },
    "network-type": { type: "string", description: "mainnet | testnet | devnet (default: from the chain id — one naming testnet or devnet is that, else mainnet)" },
  },
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new CliError(`usage: ogpud chain-info ${chainInfoCommand.usage}`);
    const meta = await chainMetadata(homeFlag(flags), flags);
    const docs = { keplr: keplrChainInfo(meta), chain: registryJson(registryChain(meta)), assetlist: registryJson(registryAssetList(meta)) };
    const out = flags.out;
    if (typeof out !== "string") {
      console.log(JSON.stringify(docs, null, 2));
      return 0;
    }
    await mkdir(out, { recursive: true });
    for (const [kind, file] of Object.entries(CHAIN_INFO_FILES)) {
      await writeFile(join(out, file), JSON.stringify(docs[kind as keyof typeof docs], null, 2) + "\n");
    }
    console.log(`wrote ${Object.values(CHAIN_INFO_FILES).map((f) => join(out, f)).join(", ")}`);
    return 0;
  },
};

/** Reads what the documents need from the node home; flags override the endpoints and names. */
export async function chainMetadata(home: string, flags: Flags): Promise<ChainMetadata> {
  const paths = nodePaths(home);
  const genesis = await readGenesis(paths);
  const config = await readAppConfig(paths);
  const str = (name: string): string | undefined => (typeof flags[name] === "string" ? (flags[name] as string) : undefined);
  const networkType = (str("network-type") ?? networkTypeOf(genesis.chain_id)) as NetworkType;
  if (!NETWORK_TYPES.includes(networkType)) throw new CliError(`--network-type must be one of ${NETWORK_TYPES.join(", ")}, not ${networkType}`);
  const registryName = str("chain-name") ?? (networkType === "mainnet" ? "ogpu" : `ogpu${networkType}`);
  if (!/^[a-z0-9]+$/.test(registryName)) throw new CliError(`--chain-name must be lowercase letters and digits (a chain-registry chain_name), not ${registryName}`);
  const bondDenom = bondDenomOf(genesis);
  const cometLaddr = getTomlString(await readFile(paths.cometConfig, "utf8"), "rpc", "laddr") ?? "tcp://127.0.0.1:26657";
  return {
    chainId: genesis.chain_id,
    registryName,
    prettyName: str("pretty-name") ?? "oGPU",
    networkType,
    rpc: str("rpc") ?? rpcUrlFromLaddr(cometLaddr),
    rest: str("rest") ?? rpcUrlFromLaddr(config.rest_laddr),
    grpc: str("grpc") ?? rpcUrlFromLaddr(config.grpc_address).replace(/^http:\/\//, ""),
    bondDenom,
    token: denomMetadataOf(bondDenom),
    minGasPriceScaled: minGasPriceIn(parseGasPrices(config.min_gas_prices), bondDenom),
  };
}

function networkTypeOf(chainId: string): NetworkType {
  if (/devnet/i.test(chainId)) return "devnet";
  if (/testnet/i.test(chainId)) return "testnet";
  return "mainnet";
}

type AppState = Record<string, { params?: Record<string, unknown> } | undefined>;

function bondDenomOf(genesis: GenesisDoc): string {
  const denom = (genesis.app_state as AppState | undefined)?.staking?.params?.bond_denom;
  return typeof denom === "string" ? denom : BASE_DENOM;
}

/** The bank metadata the chain serves for `denom` (it describes its one native denom). */
function denomMetadataOf(denom: string): Metadata {
  if (denom === NATIVE_DENOM_METADATA.base) return NATIVE_DENOM_METADATA;
  throw new CliError(`the chain serves no bank denom metadata for the bond denom ${denom} (only ${NATIVE_DENOM_METADATA.base}): wallets could not show it`);
}
