import { hexUpper } from "../crypto/bytes.js";
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Event } from "cosmjs-types/tendermint/abci/types";
import { OgpuApp } from "../app/app.js";
import { ChainHalt } from "../app/halt.js";
import { AbciServer } from "../app/abci/server.js";
import type { AbciApplication } from "../app/abci/application.js";
import { createAppWiring } from "../app/modules.js";
import { parseGasPrices } from "../app/tx/fees.js";
import { instrumentApp } from "./instrument.js";
import { createNodeMetrics } from "./metrics.js";
import { createMarketMetrics } from "./market-metrics.js";
import { checkReadiness, registerReadinessMetrics, type ReadinessOptions } from "./readiness.js";
import type { Logger } from "../app/log.js";
import { createRestServer, HTTP_DEFAULTS, type HttpSettings } from "./rest.js";
import { cometRpc } from "./comet-rpc.js";
import { getTask } from "../sdk/queries.js";
import { appQuerier, liveTaskCids, spendableUogpu, unpaidOutputCids } from "./blob-chain.js";
import { registerBlobRoutes, type BlobSettings } from "./blobs.js";
import { BlobReplicator } from "./blob-replication.js";
import type { BlobBackend } from "./blob-backend.js";
import { IpfsBlobBackend } from "./blob-ipfs.js";
import { startKubo, type KuboProcess } from "./kubo-process.js";
import { readConsensusSigner } from "./consensus-key.js";
import { registerExportRoute } from "./export-route.js";
import { startGrpcServer, type GrpcServer } from "./grpc.js";
import { registerUiRoutes } from "./ui-route.js";
import { registerChainInfoRoute, type ChainInfoSource } from "./chain-info-route.js";

export interface NodeOptions {
  home: string;
  appDb: string;
  abciAddress: string;
  /** host:port for REST and /metrics */
  restAddress: string;
  /** http://host:port of this node's CometBFT RPC, for the LCD's tx service and base/tendermint routes. */
  cometRpcUrl?: string;
  /** REST CORS, rate limit and body size (unset ones take HTTP_DEFAULTS). */
  http?: Partial<HttpSettings>;
  minGasPrices: string;
  checkInvariants: boolean;
  /** Gas cap for one Simulate query (app.json simulation_gas_limit). */
  simulationGasLimit?: number;
  /** Largest query request accepted, in bytes (app.json query_max_bytes). */
  queryMaxBytes?: number;
  /** Path of the cometbft binary to spawn, or undefined to attach to one started separately. */
  cometbft?: string;
  /** Extra args for `cometbft start` (port overrides). */
  cometbftArgs?: string[];
  /** Blob store settings (ogpud start --blob-* flags); unset ones take BLOB_DEFAULTS. */
  blobs?: BlobSettings;
  /** The built web dashboard (dist/ui) to serve at /ui; undefined = /ui not served. */
  uiDir?: string;
  /** Where blob bytes live (docs/storage.md): files under <home>/data/blobs (default), or IPFS. */
  storage?: StorageOptions;
  /** Serve GET /ogpu/node/v1/export (the committed state as a genesis document); off by default. */
  serveExport?: boolean;
  /** GET /ogpu/chain-info/v1/keplr (server/chain-info-route.ts); undefined = not served. */
  chainInfo?: ChainInfoSource;
  /** The gRPC query server (server/grpc.ts); undefined = not served. */
  grpc?: { address: string; descriptorSet: string };
  /** /readyz: cometbft's RPC, its block time and how many block times the last block may be old. */
  readiness: Omit<ReadinessOptions, "extraChecks">;
  log: Logger;
}

/**
 * The IPFS backend: kubo's RPC API; with `repo` and `binary`, ogpud runs that kubo itself
 * (started before the REST server, stopped after it), else it uses one running already.
 */
export interface StorageOptions {
  backend: "ipfs";
  api: string;
  repo?: string;
  binary?: string;
  fetchTimeoutMs?: number;
  /** Fetch and pin every newly submitted task's blobs from the IPFS peers (blob-replication.ts); default true. */
  replicate?: boolean;
}

/** A running node: the app, its ABCI and REST servers, and (usually) a cometbft child. */
export interface RunningNode {
  app: OgpuApp;
  rest: FastifyInstance;
  /** The gRPC server, when one was asked for. */
  grpc?: GrpcServer;
  /** Resolves with an exit code when the node has stopped (signal or cometbft exit). */
  stopped: Promise<number>;
  stop(): Promise<void>;
}

/**
 * How long a halting node keeps cometbft up before failing FinalizeBlock. CometBFT exits at
 * once on a FinalizeBlock exception; meanwhile its consensus reactor still gossips the halting
 * block's precommits, which validators that have not committed it yet need — otherwise they
 * wait at the height below until someone restarts.
 */
const HALT_GRACE_MS = 5_000;

/** Holds back the FinalizeBlock answer of a halting block for HALT_GRACE_MS, then fails it. */
function holdHalts(app: AbciApplication): AbciApplication {
  return {
    ...app,
    finalizeBlock(req) {
      try {
        return app.finalizeBlock(req);
      } catch (err) {
        if (!(err instanceof ChainHalt)) throw err;
        return new Promise((_, reject) => setTimeout(() => reject(err), HALT_GRACE_MS));
      }
    },
  };
}

function splitHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(":");
  return { host: address.slice(0, i) || "127.0.0.1", port: Number(address.slice(i + 1)) };
}

/**
 * Starts the node: open state, serve ABCI and REST, then spawn cometbft with the same home
 * (it connects to our ABCI socket and replays any blocks the app is missing). Stopping
 * terminates cometbft first, so no block is half-applied, then closes the servers and the DB.
 */
export async function startNode(opts: NodeOptions): Promise<RunningNode> {
  // Set when a block halts the chain (app/halt.ts): the node stops and exits with its code.
  let halted: ChainHalt | undefined;
  let onHalt = (_halt: ChainHalt): void => undefined;
  const app = await OgpuApp.open(opts.appDb, createAppWiring(), {
    minGasPrices: parseGasPrices(opts.minGasPrices),
    checkInvariants: opts.checkInvariants,
    simulationGasLimit: opts.simulationGasLimit,
    queryMaxBytes: opts.queryMaxBytes,
    // No module label: the app's lines (halts, broken invariants) read as the node's own.
    log: opts.log,
    signBeacon: readConsensusSigner(opts.home),
    onHalt: (halt) => onHalt(halt),
  });
  const { height, appHash } = app.lastCommit;
  const log = opts.log;
  log.info(`state at height ${height}, app hash ${hexUpper(appHash) || "(empty)"}`);
  try {
    app.startupCheck();
  } catch (err) {
    await app.close();
    throw err;
  }
  const metrics = createNodeMetrics();
  metrics.height.set(Number(height));
  const chain = appQuerier(app);
  const market = createMarketMetrics(metrics.registry, chain, log);
  const readiness = () => checkReadiness(opts.readiness);
  registerReadinessMetrics(metrics.registry, readiness);
  // The ABCI server's lines already begin with "abci: ".
  // Made once the blob store is open; blocks committed before then replicate nothing.
  let replicator: BlobReplicator | undefined;
  const observers = {
    blockEvents: (events: readonly Event[]) => {
      market.observeBlockEvents(events);
      replicator?.observeBlockEvents(events);
    },
    committed: () => replicator?.committed(),
  };
  const abci = new AbciServer(holdHalts(instrumentApp(app, metrics, observers)), { logger: (line) => log.info(line) });
  await abci.listen(opts.abciAddress);
  const rest = await createRestServer({
    query: (req) => app.query(req),
    metrics,
    health: () => ({ height: app.lastCommit.height, appHash: app.lastCommit.appHash, chainId: app.currentChainId }),
    readiness,
    log,
    comet: opts.cometRpcUrl === undefined ? undefined : cometRpc(opts.cometRpcUrl),
    http: { ...HTTP_DEFAULTS, ...opts.http },
  });
  // Content-addressed blobs (task inputs/outputs) on the node's disk, in the same server. Quota and
  // expiry read chain state through the app's own query interface at the last committed height.
  let kubo: KuboProcess | undefined;
  let backend: BlobBackend | undefined;
  const storage = opts.storage;
  if (storage?.repo !== undefined && storage.binary !== undefined) {
    kubo = await startKubo({ binary: storage.binary, repo: storage.repo, api: storage.api, logFile: join(opts.home, "ipfs.log"), fetchTimeoutMs: storage.fetchTimeoutMs, log: (line) => log.info(line) });
    backend = kubo.backend;
  } else if (storage) {
    backend = await IpfsBlobBackend.open({ api: storage.api, fetchTimeoutMs: storage.fetchTimeoutMs });
  }
  const blobs = await registerBlobRoutes(rest, {
    ...opts.blobs,
    backend,
    dir: join(opts.home, "data", "blobs"),
    currentHeight: () => app.lastCommit.height,
    spendableUogpu: (account) => spendableUogpu(chain, account),
    liveCids: () => liveTaskCids(chain),
    unpaidOutputCids: () => unpaidOutputCids(chain),
  });
  if (backend?.kind === "ipfs" && storage?.replicate !== false) {
    replicator = new BlobReplicator({
      store: blobs.store,
      task: (id) => getTask(chain, id),
      currentHeight: () => app.lastCommit.height,
      maxBlobBytes: blobs.maxBlobBytes,
      log: log.child({ module: "blobs" }),
    });
    log.info("blob replication on: every new task's input, payload and program bundle is fetched from IPFS peers and pinned");
  }
  if (opts.uiDir !== undefined) registerUiRoutes(rest, opts.uiDir);
  if (opts.chainInfo !== undefined) registerChainInfoRoute(rest, opts.chainInfo);
  if (opts.serveExport) registerExportRoute(rest, app, join(opts.home, "config", "genesis.json"));
  // A node that cannot serve must not leave its kubo behind.
  await rest.listen(splitHostPort(opts.restAddress)).catch(async (err: unknown) => {
    await kubo?.stop();
    throw err;
  });
  log.info(`REST, /metrics, /healthz and /readyz on http://${opts.restAddress}`);
  let grpc: GrpcServer | undefined;
  if (opts.grpc) {
    // Same query function as REST: gRPC, REST and abci_query answer from one implementation.
    grpc = await startGrpcServer({ ...opts.grpc, query: (req) => app.query(req), methodPaths: app.queryPaths, maxRequestBytes: opts.queryMaxBytes }).catch(async (err: Error) => {
      await rest.close();
      await abci.close();
      await app.close();
      throw new Error(`gRPC server on ${opts.grpc!.address}: ${err.message}`);
    });
    log.info(`gRPC (with server reflection) on ${opts.grpc.address}`);
  }

  let resolveStopped!: (code: number) => void;
  const stopped = new Promise<number>((r) => (resolveStopped = r));
  let child: ChildProcess | undefined;
  let stopping = false;
  onHalt = (halt) => {
    halted = halt;
    if (halt.upgrade) writeUpgradeInfo(opts.home, halt.upgrade);
    log.error(`chain halted at this block (exit code ${halt.exitCode}); stopping in ${HALT_GRACE_MS / 1000}s`);
    // With the FinalizeBlock exception (holdHalts): cometbft stops on it, we stop it anyway.
    setTimeout(() => void shutdown(halt.exitCode), HALT_GRACE_MS);
  };

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child?.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await grpc?.close();
    await replicator?.close();
    await rest.close();
    await kubo?.stop();
    await abci.close();
    await app.close();
    resolveStopped(code);
  };

  if (opts.cometbft) {
    const logFile = createWriteStream(join(opts.home, "cometbft.log"), { flags: "a" });
    child = spawn(opts.cometbft, ["start", "--home", opts.home, ...(opts.cometbftArgs ?? [])], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.pipe(logFile, { end: false });
    child.stderr!.pipe(logFile, { end: false });
    log.info(`cometbft started (pid ${child.pid}), log ${join(opts.home, "cometbft.log")}`);
    child.on("exit", (code, signal) => {
      if (stopping) return;
      if (halted) return void shutdown(halted.exitCode);
      log.error(`cometbft exited unexpectedly (code ${code}, signal ${signal}); stopping`);
      void shutdown(1);
    });
  }
  kubo?.child.on("exit", (code, signal) => {
    if (stopping) return;
    log.error(`kubo exited unexpectedly (code ${code}, signal ${signal}); stopping`);
    void shutdown(1);
  });
  return { app, rest, grpc, stopped, stop: () => shutdown(0) };
}

/**
 * `data/upgrade-info.json`, as the SDK writes it when it halts for an upgrade: what
 * cosmovisor-style supervisors read to pick the next binary.
 */
function writeUpgradeInfo(home: string, upgrade: { name: string; height: bigint; info: string }): void {
  const body = { name: upgrade.name, height: Number(upgrade.height), info: upgrade.info };
  writeFileSync(join(home, "data", "upgrade-info.json"), JSON.stringify(body) + "\n");
}
