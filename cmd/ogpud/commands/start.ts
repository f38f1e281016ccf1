import { CliError, intFlag, type Command, type Flags } from "../../cli.js";
import { join, resolve } from "node:path";
import { cometbftBinary, ipfsBinary, packageRoot } from "../../paths.js";
import { startNode, type StorageOptions } from "../../../server/node.js";
import { DESCRIPTOR_SET_PATH } from "../../../server/grpc.js";
import { UI_BUILD_DIR } from "../../../server/ui-route.js";
import { BLOB_DEFAULTS, type BlobSettings } from "../../../server/blobs.js";
import { homeFlag, homeOption, nodePaths, readAppConfig, type AppConfig } from "../home.js";
import { ChainHalt } from "../../../app/halt.js";
import { logOptions, loggerFromFlags } from "../../log-flags.js";
import { parseCometDuration } from "../../../server/readiness.js";
import { rpcUrlFromLaddr } from "../../../server/comet-rpc.js";
import { getTomlString } from "../toml.js";
import { readFile } from "node:fs/promises";
import type { ChainInfoSource } from "../../../server/chain-info-route.js";
import { parseGasPrices } from "../../../app/tx/fees.js";
import { keplrChainInfo, minGasPriceIn, type ChainMetadata } from "../chain-info.js";
import { chainMetadata } from "./chain-info.js";

export const startCommand: Command = {
  name: "start",
  summary: "Run the node: ABCI app, REST + /metrics + /readyz, gRPC, and a cometbft child process",
  usage: "[--home <dir>] [--no-cometbft] [--serve-export] [--grpc.address <host:port>] [--blob-* <n>] [--blob-replicate=false] [--log-level <level>] [--log-format pretty|json]",
  options: {
    ...homeOption,
    ...logOptions,
    "ready-max-block-age": { type: "string", description: "/readyz answers 503 when the last block is older than this many block times (default 30; app.json ready_max_block_age_blocks)" },
    "no-cometbft": { type: "boolean", description: "serve ABCI only; attach a cometbft started separately" },
    "rest-laddr": { type: "string", description: "REST listen address host:port (overrides app.json)" },
    "grpc.address": { type: "string", description: "gRPC listen address host:port (default 0.0.0.0:9090; overrides app.json grpc_address)" },
    "grpc.enable": { type: "string", description: "serve gRPC: true or false, e.g. --grpc.enable=false (default true; overrides app.json grpc_enable)" },
    "abci-laddr": { type: "string", description: "ABCI listen address tcp://host:port (overrides app.json)" },
    "min-gas-prices": { type: "string", description: "mempool fee floor, e.g. 0.001uogpu (overrides app.json)" },
    "check-invariants": { type: "boolean", description: "check every invariant after every block (dev mode)" },
    "blob-bytes-per-ogpu": { type: "string", description: `blob quota per whole OGPU of the uploader's spendable balance; 0 OGPU → 0 bytes (default ${BLOB_DEFAULTS.bytesPerOgpu})` },
    "blob-max-bytes": { type: "string", description: `largest single blob (default ${BLOB_DEFAULTS.maxBlobBytes})` },
    "blob-max-total-bytes": { type: "string", description: `most bytes the blob store holds in all; beyond it uploads get 507 (default ${BLOB_DEFAULTS.maxTotalBytes})` },
    "blob-min-free-bytes": { type: "string", description: `free space the blob store leaves on its disk; below it uploads get 507 (default ${BLOB_DEFAULTS.minFreeDiskBytes})` },
    "blob-retention-blocks": { type: "string", description: `blobs no live task references are deleted this many blocks after upload (default ${BLOB_DEFAULTS.retentionBlocks})` },
    "ipfs-api": { type: "string", description: "with app.json storage \"ipfs\": the kubo RPC API to use (overrides app.json ipfs_api)" },
    "blob-replicate": { type: "string", description: "with storage \"ipfs\": fetch and pin every newly submitted task's input, payload and program bundle from the IPFS peers: true or false, e.g. --blob-replicate=false (default true; app.json blob_replicate)" },
    "blob-sweep-interval-ms": { type: "string", description: `how often the expiry sweep runs, in ms; 0 = never (default ${BLOB_DEFAULTS.sweepIntervalMs})` },
    "blob-sweep-max": { type: "string", description: `most blobs one sweep examines (default ${BLOB_DEFAULTS.sweepMaxBlobs})` },
    "simulation-gas-limit": { type: "string", description: "gas cap for one Simulate query (default 10000000; overrides app.json)" },
    "query-max-bytes": { type: "string", description: "largest query request accepted, in bytes (default 2097152; overrides app.json)" },
    "cors-allowed-origins": { type: "string", description: "comma-separated origins REST answers cross-origin, * = any, none = no CORS (default *; overrides app.json)" },
    "rate-limit-per-minute": { type: "string", description: "REST requests one client IP may make per minute, 0 = unlimited (default 3000; overrides app.json)" },
    "rest-max-body-bytes": { type: "string", description: "largest REST request body, e.g. a tx to broadcast (default 3145728; overrides app.json)" },
    "serve-export": { type: "boolean", description: "serve GET /ogpu/node/v1/export, the whole committed state as a genesis document for `ogpud shadow-fork --from` (off by default; app.json serve_export)" },
  },
  async run({ flags }) {
    const paths = nodePaths(homeFlag(flags));
    const config = await readAppConfig(paths);
    const str = (name: string, fallback: string) => (typeof flags[name] === "string" ? (flags[name] as string) : fallback);
    const abciAddress = str("abci-laddr", config.abci_laddr);
    const positive = (name: string, fallback: number) => {
      const value = Number(str(name, String(fallback)));
      if (!Number.isSafeInteger(value) || value <= 0) throw new CliError(`--${name} must be a positive integer, not ${String(flags[name] ?? fallback)}`);
      return value;
    };
    const log = loggerFromFlags("ogpud", flags, { level: config.log_level, format: config.log_format });
    const corsFlag = typeof flags["cors-allowed-origins"] === "string" ? (flags["cors-allowed-origins"] as string) : undefined;
    const corsOrigins = corsFlag === undefined ? config.cors_allowed_origins : corsFlag === "none" ? [] : corsFlag.split(",").map((o) => o.trim()).filter(Boolean);
    const rateLimit = flags["rate-limit-per-minute"] === undefined ? config.rate_limit_per_minute : intFlag(flags, "rate-limit-per-minute", 0);
    // The LCD's tx service, base/tendermint routes and /readyz ask this node's CometBFT, at its configured RPC address.
    const cometConfig = await readFile(paths.cometConfig, "utf8");
    const cometRpcUrl = rpcUrlFromLaddr(getTomlString(cometConfig, "rpc", "laddr") ?? "tcp://127.0.0.1:26657");
    const node = await startNode({
      home: paths.home,
      appDb: paths.appDb,
      abciAddress,
      restAddress: str("rest-laddr", config.rest_laddr),
      cometRpcUrl,
      http: { corsAllowedOrigins: corsOrigins, rateLimitPerMinute: rateLimit, maxBodyBytes: positive("rest-max-body-bytes", config.rest_max_body_bytes) },
      minGasPrices: str("min-gas-prices", config.min_gas_prices),
      checkInvariants: flags["check-invariants"] === true || config.check_invariants,
      simulationGasLimit: positive("simulation-gas-limit", config.simulation_gas_limit),
      queryMaxBytes: positive("query-max-bytes", config.query_max_bytes),
      cometbft: flags["no-cometbft"] ? undefined : cometbftBinary(),
      cometbftArgs: ["--proxy_app", abciAddress],
      blobs: blobSettings(flags),
      // The web dashboard this package was built with (npm run build:web), at /ui.
      uiDir: join(packageRoot(), UI_BUILD_DIR),
      storage: storageOptions(paths.home, config, str("ipfs-api", config.ipfs_api), booleanFlag(flags, "blob-replicate", config.blob_replicate)),
      serveExport: flags["serve-export"] === true || config.serve_export,
      chainInfo: keplrChainInfoSource(paths.home, str("min-gas-prices", config.min_gas_prices)),
      grpc: booleanFlag(flags, "grpc.enable", config.grpc_enable) ? { address: str("grpc.address", config.grpc_address), descriptorSet: join(packageRoot(), DESCRIPTOR_SET_PATH) } : undefined,
      readiness: {
        cometRpcUrl,
        blockTimeMs: parseCometDuration(getTomlString(cometConfig, "consensus", "timeout_commit") ?? "1s") ?? 1000,
        maxBlockAgeBlocks: positive("ready-max-block-age", config.ready_max_block_age_blocks),
      },
      log,
    }).catch((err: Error) => {
      // This binary must not run on this chain (app/halt.ts): say why, exit with the halt's code.
      if (err instanceof ChainHalt) return err;
      throw new CliError(`cannot start the node: ${err.message}`);
    });
    if (node instanceof ChainHalt) {
      log.error(`cannot start: ${node.message}`);
      return node.exitCode;
    }
    const onSignal = (signal: string) => {
      log.info(`${signal} received, stopping`);
      void node.stop();
    };
    process.once("SIGINT", () => onSignal("SIGINT"));
    process.once("SIGTERM", () => onSignal("SIGTERM"));
    return node.stopped;
  },
};

/**
 * The node's Keplr ChainInfo, as `ogpud chain-info` computes it, at the min gas price this node
 * enforces (a --min-gas-prices flag included); genesis and config are read once, on first use.
 */
function keplrChainInfoSource(home: string, minGasPrices: string): ChainInfoSource {
  let meta: Promise<ChainMetadata> | undefined;
  return async (rest) => {
    const m = await (meta ??= chainMetadata(home, {}));
    return keplrChainInfo({ ...m, rest, minGasPriceScaled: minGasPriceIn(parseGasPrices(minGasPrices), m.bondDenom) });
  };
}

/** --<name>=true|false (--grpc.enable, --blob-replicate), else the app.json value. */
function booleanFlag(flags: Flags, name: string, configured: boolean): boolean {
  const value = flags[name];
  if (value === undefined) return configured;
  if (value !== "true" && value !== "false") throw new CliError(`--${name} must be true or false, not ${String(value)}`);
  return value === "true";
}

/** app.json's storage: local (undefined), or IPFS through ipfs_api, run by ogpud when ipfs_repo names a repo. */
function storageOptions(home: string, config: AppConfig, api: string, replicate: boolean): StorageOptions | undefined {
  if (config.storage === "local") return undefined;
  if (config.storage !== "ipfs") throw new CliError(`app.json storage must be "local" or "ipfs", not ${JSON.stringify(config.storage)}`);
  const repo = config.ipfs_repo === "" ? undefined : resolve(home, config.ipfs_repo);
  return { backend: "ipfs", api, repo, binary: repo === undefined ? undefined : ipfsBinary(), fetchTimeoutMs: config.ipfs_fetch_timeout_ms, replicate };
}

/** The --blob-* flags given; the rest take BLOB_DEFAULTS in the store. */
function blobSettings(flags: Flags): BlobSettings {
  const int = (name: string) => (flags[name] === undefined ? undefined : intFlag(flags, name, 0));
  const retention = int("blob-retention-blocks");
  return {
    bytesPerOgpu: int("blob-bytes-per-ogpu"),
    maxBlobBytes: int("blob-max-bytes"),
    maxTotalBytes: int("blob-max-total-bytes"),
    minFreeDiskBytes: int("blob-min-free-bytes"),
    retentionBlocks: retention === undefined ? undefined : BigInt(retention),
    sweepMaxBlobs: int("blob-sweep-max"),
    sweepIntervalMs: int("blob-sweep-interval-ms"),
  };
}
