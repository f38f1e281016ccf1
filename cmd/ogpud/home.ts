import { DEFAULT_LOG_SETTINGS, type LogFormat, type LogLevel } from "../../app/log.js";
import { DEFAULT_READY_MAX_BLOCK_AGE_BLOCKS } from "../../server/readiness.js";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { CliError, type Flags, type OptionSpec } from "../cli.js";
import { DEFAULT_SIMULATION_GAS_LIMIT } from "../../app/app.js";
import { DEFAULT_QUERY_MAX_BYTES } from "../../app/query.js";
import { DEFAULT_GRPC_ADDRESS } from "../../server/grpc.js";
import { HTTP_DEFAULTS } from "../../server/rest.js";
import { IPFS_DEFAULTS } from "../../server/blob-ipfs.js";

/** A node home: CometBFT's config/ and data/ plus our app.json and the app's LevelDB. */
export interface NodePaths {
  home: string;
  config: string;
  genesis: string;
  cometConfig: string;
  appConfig: string;
  appDb: string;
}

export function nodePaths(home: string): NodePaths {
  return {
    home,
    config: join(home, "config"),
    genesis: join(home, "config", "genesis.json"),
    cometConfig: join(home, "config", "config.toml"),
    appConfig: join(home, "config", "app.json"),
    appDb: join(home, "data", "ogpu.db"),
  };
}

export const DEFAULT_HOME = join(homedir(), ".ogpud");

export const homeOption: OptionSpec = {
  home: { type: "string", description: `node home folder (default ${DEFAULT_HOME})` },
};

export function homeFlag(flags: Flags): string {
  return typeof flags.home === "string" ? flags.home : DEFAULT_HOME;
}

/** ogpud's own node settings (config/app.json); CometBFT's stay in config.toml. */
export interface AppConfig {
  abci_laddr: string;
  rest_laddr: string;
  /** Mempool fee floor, e.g. "0.001uogpu"; enforced in CheckTx only. */
  min_gas_prices: string;
  /** Check every invariant after every block and halt on a violation (dev mode). */
  check_invariants: boolean;
  /** Gas cap for one Simulate query: simulate is unsigned and fee-less, so this bounds its work. */
  simulation_gas_limit: number;
  /** Largest abci_query / REST query request accepted, in bytes. */
  query_max_bytes: number;
  /** Serve GET /ogpu/node/v1/export (whole state as a genesis document, for shadow forks). */
  serve_export: boolean;
  /** Serve the gRPC query endpoint (the SDK's app.toml [grpc] enable). */
  grpc_enable: boolean;
  /** gRPC listen address host:port (the SDK's [grpc] address). */
  grpc_address: string;
  /** ogpud's log level and format (--log-level / --log-format override them). */
  log_level: LogLevel;
  log_format: LogFormat;
  /** /readyz answers 503 when the last block is older than this many block times (consensus.timeout_commit). */
  ready_max_block_age_blocks: number;
  /** Origins REST answers cross-origin (CORS); ["*"] = any, [] = none. */
  cors_allowed_origins: string[];
  /** REST requests one client IP may make per minute (0 = unlimited; blob routes have their own quotas). */
  rate_limit_per_minute: number;
  /** Largest REST request body (a tx to broadcast or simulate), in bytes. */
  rest_max_body_bytes: number;
  /** Where blob bytes live (docs/storage.md): "local" files under data/blobs, or "ipfs" (kubo). */
  storage: "local" | "ipfs";
  /** kubo RPC API the IPFS backend talks to: the node's own kubo, or an existing one / an IPFS cluster's. */
  ipfs_api: string;
  /** kubo repo ogpud starts and stops (relative to the home, e.g. "ipfs"); "" = use the kubo at ipfs_api as it runs. */
  ipfs_repo: string;
  /** Longest wait, in ms, for a blob fetched from the node's IPFS peers. */
  ipfs_fetch_timeout_ms: number;
  /** With storage "ipfs": fetch and pin every newly submitted task's blobs from the IPFS peers (docs/storage.md). */
  blob_replicate: boolean;
}

export const DEFAULT_APP_CONFIG: AppConfig = {
  abci_laddr: "tcp://127.0.0.1:26658",
  rest_laddr: "127.0.0.1:1317",
  min_gas_prices: "0.001uogpu",
  check_invariants: false,
  simulation_gas_limit: DEFAULT_SIMULATION_GAS_LIMIT,
  query_max_bytes: DEFAULT_QUERY_MAX_BYTES,
  serve_export: false,
  grpc_enable: true,
  grpc_address: DEFAULT_GRPC_ADDRESS,
  log_level: DEFAULT_LOG_SETTINGS.level,
  log_format: DEFAULT_LOG_SETTINGS.format,
  ready_max_block_age_blocks: DEFAULT_READY_MAX_BLOCK_AGE_BLOCKS,
  cors_allowed_origins: [...HTTP_DEFAULTS.corsAllowedOrigins],
  rate_limit_per_minute: HTTP_DEFAULTS.rateLimitPerMinute,
  rest_max_body_bytes: HTTP_DEFAULTS.maxBodyBytes,
  storage: "local",
  ipfs_api: "http://127.0.0.1:5001",
  ipfs_repo: "",
  ipfs_fetch_timeout_ms: IPFS_DEFAULTS.fetchTimeoutMs,
  blob_replicate: true,
};

export async function readAppConfig(paths: NodePaths): Promise<AppConfig> {
  if (!existsSync(paths.appConfig)) throw new CliError(`no node at ${paths.home}: run 'ogpud init <moniker> --home ${paths.home}' first`);
  const json = JSON.parse(await readFile(paths.appConfig, "utf8")) as Partial<AppConfig>;
  return { ...DEFAULT_APP_CONFIG, ...json };
}

export async function writeAppConfig(paths: NodePaths, config: AppConfig): Promise<void> {
  await writeFile(paths.appConfig, JSON.stringify(config, null, 2) + "\n");
}

export interface GenesisDoc {
  chain_id: string;
  app_state?: Record<string, unknown>;
  [key: string]: unknown;
}

export async function readGenesis(paths: NodePaths): Promise<GenesisDoc> {
  if (!existsSync(paths.genesis)) throw new CliError(`no genesis at ${paths.genesis}: run 'ogpud init' first`);
  return JSON.parse(await readFile(paths.genesis, "utf8")) as GenesisDoc;
}

export async function writeGenesis(paths: NodePaths, doc: GenesisDoc): Promise<void> {
  await writeFile(paths.genesis, JSON.stringify(doc, null, 2) + "\n");
}
