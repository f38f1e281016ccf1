/**
 * The kubo repo `ogpud init --storage ipfs` makes beside the node (`<home>/ipfs`, docs/storage.md):
 * a private IPFS network per chain — swarm key, no public bootstrap, no MDNS, loopback TCP only
 * (kubo's private networks take TCP transports only), no content routing: blobs move over bitswap
 * between the peers the node keeps connections to (Peering.Peers, set by the testnet or the
 * operator). `ogpud start` runs `ipfs daemon` on it (server/kubo-process.ts).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface IpfsPorts {
  /** kubo RPC API (the blob server's client talks to it). */
  api: number;
  /** libp2p swarm (TCP). */
  swarm: number;
  /** HTTP gateway (loopback; not used by ogpud, kept off the default 8080). */
  gateway: number;
}

/** The repo's folder in a node home (app.json ipfs_repo). */
export const IPFS_REPO_DIR = "ipfs";

export const DEFAULT_IPFS_PORTS: IpfsPorts = { api: 5001, swarm: 4001, gateway: 8089 };

/** A peer the node keeps connected: its peer id and swarm multiaddrs. */
export interface IpfsPeer {
  id: string;
  addrs: string[];
}

/**
 * The chain's default swarm key: sha256("ogpu/ipfs-swarm-key/v1\n" ‖ chain id), so every node of
 * a chain derives the same one with no exchange. It separates the chain's IPFS network from the
 * public one and from other chains; it is not a secret (the chain id is public): pass
 * `--ipfs-swarm-key` for a network only key holders may join.
 */
export function chainSwarmKey(chainId: string): string {
  return createHash("sha256").update(`ogpu/ipfs-swarm-key/v1\n${chainId}`).digest("hex");
}

/** kubo's swarm.key file for a 32-byte hex key. */
export function swarmKeyFile(keyHex: string): string {
  if (!/^[0-9a-f]{64}$/.test(keyHex)) throw new Error("an IPFS swarm key is 32 bytes as 64 lowercase hex characters");
  return `/key/swarm/psk/1.0.0/\n/base16/\n${keyHex}\n`;
}

type KuboConfig = Record<string, unknown> & { Identity: { PeerID: string } };

function readConfig(repo: string): KuboConfig {
  return JSON.parse(readFileSync(join(repo, "config"), "utf8")) as KuboConfig;
}

function writeConfig(repo: string, config: KuboConfig): void {
  writeFileSync(join(repo, "config"), JSON.stringify(config, null, 2) + "\n");
}

function section(config: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = config[name];
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  const fresh: Record<string, unknown> = {};
  config[name] = fresh;
  return fresh;
}

/** Creates and configures the repo; returns the node's peer id. */
export function initIpfsRepo(opts: { binary: string; repo: string; swarmKey: string; ports: IpfsPorts }): IpfsPeer {
  execFileSync(opts.binary, ["init", "--empty-repo"], { env: { ...process.env, IPFS_PATH: opts.repo }, stdio: "pipe" });
  writeFileSync(join(opts.repo, "swarm.key"), swarmKeyFile(opts.swarmKey), { mode: 0o600 });
  const config = readConfig(opts.repo);
  const swarm = `/ip4/127.0.0.1/tcp/${opts.ports.swarm}`;
  Object.assign(section(config, "Addresses"), {
    API: `/ip4/127.0.0.1/tcp/${opts.ports.api}`,
    Gateway: `/ip4/127.0.0.1/tcp/${opts.ports.gateway}`,
    Swarm: [swarm],
    Announce: [],
    NoAnnounce: [],
    AppendAnnounce: [],
  });
  config.Bootstrap = [];
  // Nothing reaches outside the chain's peers: no autoconf fetch, no delegated routers or publishers.
  section(config, "AutoConf").Enabled = false;
  section(config, "AutoTLS").Enabled = false;
  section(config, "DNS").Resolvers = {};
  section(config, "Routing").DelegatedRouters = [];
  section(config, "Ipns").DelegatedPublishers = [];
  section(config, "Discovery").MDNS = { Enabled: false };
  section(config, "Routing").Type = "none";
  section(config, "Provide").Enabled = false;
  // Private networks (swarm.key) run on TCP only.
  Object.assign(section(section(config, "Swarm"), "Transports"), {
    Network: { QUIC: false, WebTransport: false, WebRTCDirect: false, Websocket: false, TCP: true },
  });
  Object.assign(section(config, "Swarm"), { RelayClient: { Enabled: false }, RelayService: { Enabled: false }, DisableNatPortMap: true, EnableHolePunching: false });
  writeConfig(opts.repo, config);
  return { id: config.Identity.PeerID, addrs: [swarm] };
}

/** The repo's own peer id and swarm addresses (what other nodes put in their Peering.Peers). */
export function ipfsPeerOf(repo: string): IpfsPeer {
  const config = readConfig(repo);
  const swarm = section(config, "Addresses").Swarm;
  return { id: config.Identity.PeerID, addrs: Array.isArray(swarm) ? (swarm as string[]) : [] };
}

/** Sets the peers kubo keeps connected (Peering.Peers); takes effect at the next `ogpud start`. */
export function setIpfsPeering(repo: string, peers: readonly IpfsPeer[]): void {
  const config = readConfig(repo);
  const self = config.Identity.PeerID;
  section(config, "Peering").Peers = peers.filter((p) => p.id !== self).map((p) => ({ ID: p.id, Addrs: p.addrs }));
  writeConfig(repo, config);
}
