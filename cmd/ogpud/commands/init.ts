import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CliError, stringFlag, type Command, type Flags } from "../../cli.js";
import { cometbftBinary, ipfsBinary } from "../../paths.js";
import { DEFAULT_APP_CONFIG, homeFlag, homeOption, nodePaths, readAppConfig, readGenesis, writeAppConfig, writeGenesis, type GenesisDoc, type NodePaths } from "../home.js";
import { setTomlValues } from "../toml.js";
import { chainSwarmKey, DEFAULT_IPFS_PORTS, initIpfsRepo, IPFS_REPO_DIR, type IpfsPeer, type IpfsPorts } from "../ipfs-repo.js";
import { defaultAppState } from "../genesis-state.js";

export interface PortOptions {
  p2p: number;
  rpc: number;
  abci: number;
  rest: number;
  grpc: number;
  /** CometBFT's own Prometheus metrics (config.toml [instrumentation]). */
  prometheus: number;
}

/**
 * Vote extensions from height 1: validators' extensions carry their beacon signatures, so
 * every block from 2 on is seeded by the randomness beacon (app/beacon.ts) and block 1 alone
 * by the fallback seed.
 */
export const VOTE_EXTENSIONS_ENABLE_HEIGHT = "1";

/**
 * consensus_params.block.max_gas: the most gas_wanted one block's txs may sum to (ProcessProposal
 * rejects more). 100M is ~7,000 MsgSends (~14k gas each) or ~430 worst-case failing task
 * submissions at 2,000 workers: the worst block an attacker can buy is bounded by what it pays.
 */
export const MAX_BLOCK_GAS = "100000000";

function withConsensusParams(genesis: GenesisDoc): GenesisDoc {
  const params = (genesis.consensus_params ?? {}) as Record<string, unknown>;
  const abci = (params.abci ?? {}) as Record<string, unknown>;
  const block = (params.block ?? {}) as Record<string, unknown>;
  return {
    ...genesis,
    consensus_params: { ...params, block: { ...block, max_gas: MAX_BLOCK_GAS }, abci: { ...abci, vote_extensions_enable_height: VOTE_EXTENSIONS_ENABLE_HEIGHT } },
  };
}

export const DEFAULT_PORTS: PortOptions = { p2p: 26656, rpc: 26657, abci: 26658, rest: 1317, grpc: 9090, prometheus: 26660 };

function portFlag(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new CliError(`--${name} must be a port number, got ${String(value)}`);
  return n;
}

export const initCommand: Command = {
  name: "init",
  summary: "Create a node home: CometBFT config (its Prometheus metrics on) and keys, genesis (vote extensions from height 1, block max_gas 100M), and ogpud's app.json",
  usage: "<moniker> [--home <dir>] [--chain-id <id>] [--storage local|ipfs] [ports]",
  options: {
    ...homeOption,
    "chain-id": { type: "string", description: "chain id (default ogpu-devnet-1)" },
    "p2p-port": { type: "string", description: "CometBFT p2p port (default 26656)" },
    "rpc-port": { type: "string", description: "CometBFT RPC port (default 26657)" },
    "abci-port": { type: "string", description: "ABCI socket port (default 26658)" },
    "rest-port": { type: "string", description: "REST / metrics port (default 1317)" },
    "grpc-port": { type: "string", description: "gRPC port (default 9090, on 0.0.0.0)" },
    "prometheus-port": { type: "string", description: "CometBFT's own Prometheus metrics on 127.0.0.1:<port>/metrics (default 26660)" },
    "block-time": { type: "string", description: "CometBFT timeout_commit (default 1s)" },
    storage: { type: "string", description: "blob backend: local (files under data/blobs, default) or ipfs (a kubo repo in <home>/ipfs that ogpud start runs: docs/storage.md)" },
    "ipfs-api-port": { type: "string", description: `with --storage ipfs: kubo RPC API port on 127.0.0.1 (default ${DEFAULT_IPFS_PORTS.api})` },
    "ipfs-swarm-port": { type: "string", description: `with --storage ipfs: kubo swarm (TCP) port on 127.0.0.1 (default ${DEFAULT_IPFS_PORTS.swarm})` },
    "ipfs-gateway-port": { type: "string", description: `with --storage ipfs: kubo gateway port on 127.0.0.1 (default ${DEFAULT_IPFS_PORTS.gateway})` },
    "ipfs-swarm-key": { type: "string", description: "with --storage ipfs: the private network's key, 64 hex (default: derived from the chain id, the same on every node)" },
    "check-invariants": { type: "boolean", description: "check every invariant after every block (dev mode)" },
    overwrite: { type: "boolean", description: "replace an existing home" },
  },
  async run({ positionals, flags }) {
    const moniker = positionals[0];
    if (!moniker) throw new CliError("usage: ogpud init <moniker> [--home <dir>] [--chain-id <id>]");
    const paths = nodePaths(homeFlag(flags));
    if (existsSync(paths.genesis)) {
      if (!flags.overwrite) throw new CliError(`${paths.home} already has a genesis; use --overwrite to replace the node`);
      await rm(paths.home, { recursive: true, force: true });
    }
    const ports: PortOptions = {
      p2p: portFlag(flags["p2p-port"], DEFAULT_PORTS.p2p, "p2p-port"),
      rpc: portFlag(flags["rpc-port"], DEFAULT_PORTS.rpc, "rpc-port"),
      abci: portFlag(flags["abci-port"], DEFAULT_PORTS.abci, "abci-port"),
      rest: portFlag(flags["rest-port"], DEFAULT_PORTS.rest, "rest-port"),
      grpc: portFlag(flags["grpc-port"], DEFAULT_PORTS.grpc, "grpc-port"),
      prometheus: portFlag(flags["prometheus-port"], DEFAULT_PORTS.prometheus, "prometheus-port"),
    };
    const storage = stringFlag(flags, "storage", "local");
    if (storage !== "local" && storage !== "ipfs") throw new CliError(`--storage must be local or ipfs, not ${storage}`);
    execFileSync(cometbftBinary(), ["init", "--home", paths.home], { stdio: "pipe" });

    const chainId = stringFlag(flags, "chain-id", "ogpu-devnet-1");
    const genesis = await readGenesis(paths);
    await writeGenesis(paths, { ...withConsensusParams(genesis), chain_id: chainId, initial_height: "1", app_state: defaultAppState() });

    const toml = await readFile(paths.cometConfig, "utf8");
    await writeFile(
      paths.cometConfig,
      setTomlValues(toml, [
        ["", "moniker", moniker],
        ["", "proxy_app", `tcp://127.0.0.1:${ports.abci}`],
        ["rpc", "laddr", `tcp://127.0.0.1:${ports.rpc}`],
        ["rpc", "cors_allowed_origins", ["*"]],
        ["p2p", "laddr", `tcp://127.0.0.1:${ports.p2p}`],
        // Loopback testnets run several nodes on one IP.
        ["p2p", "addr_book_strict", false],
        ["p2p", "allow_duplicate_ip", true],
        // Room for bursts of client txs (the benchmark pushes tens of thousands).
        ["mempool", "size", 50000],
        ["mempool", "cache_size", 200000],
        ["consensus", "timeout_commit", stringFlag(flags, "block-time", "1s")],
        // CometBFT's consensus, p2p and mempool metrics (cometbft_*), scraped beside ogpud's /metrics.
        ["instrumentation", "prometheus", true],
        ["instrumentation", "prometheus_listen_addr", `127.0.0.1:${ports.prometheus}`],
      ]),
    );
    await writeAppConfig(paths, {
      ...DEFAULT_APP_CONFIG,
      abci_laddr: `tcp://127.0.0.1:${ports.abci}`,
      rest_laddr: `127.0.0.1:${ports.rest}`,
      grpc_address: `0.0.0.0:${ports.grpc}`,
      check_invariants: flags["check-invariants"] === true,
    });
    const ipfs = storage === "ipfs" ? await initIpfsStorage(paths, flags, chainId) : undefined;
    const nodeId = execFileSync(cometbftBinary(), ["show-node-id", "--home", paths.home], { encoding: "utf8" }).trim();
    console.log(JSON.stringify({ moniker, chain_id: chainId, home: paths.home, node_id: nodeId, ports, ...(ipfs ? { ipfs } : {}) }, null, 2));
  },
};

/** `--storage ipfs`: the kubo repo in <home>/ipfs (cmd/ogpud/ipfs-repo.ts) and app.json pointing at it. */
async function initIpfsStorage(paths: NodePaths, flags: Flags, chainId: string): Promise<{ peer_id: string; ports: IpfsPorts }> {
  const ports: IpfsPorts = {
    api: portFlag(flags["ipfs-api-port"], DEFAULT_IPFS_PORTS.api, "ipfs-api-port"),
    swarm: portFlag(flags["ipfs-swarm-port"], DEFAULT_IPFS_PORTS.swarm, "ipfs-swarm-port"),
    gateway: portFlag(flags["ipfs-gateway-port"], DEFAULT_IPFS_PORTS.gateway, "ipfs-gateway-port"),
  };
  const swarmKey = stringFlag(flags, "ipfs-swarm-key", chainSwarmKey(chainId));
  if (!/^[0-9a-f]{64}$/.test(swarmKey)) throw new CliError("--ipfs-swarm-key must be 32 bytes as 64 lowercase hex characters");
  let peer: IpfsPeer;
  try {
    peer = initIpfsRepo({ binary: ipfsBinary(), repo: join(paths.home, IPFS_REPO_DIR), swarmKey, ports });
  } catch (err) {
    throw new CliError(`cannot create the kubo repo (is kubo installed? make install puts it in .bin/ipfs): ${err instanceof Error ? err.message : String(err)}`);
  }
  const config = await readAppConfig(paths);
  await writeAppConfig(paths, { ...config, storage: "ipfs", ipfs_api: `http://127.0.0.1:${ports.api}`, ipfs_repo: IPFS_REPO_DIR });
  return { peer_id: peer.id, ports };
}
