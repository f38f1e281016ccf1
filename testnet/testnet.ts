import { MICRO_PER_OGPU as OGPU } from "../app/coins.js";
import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { cometbftBinary } from "../cmd/paths.js";
import { runOgpud } from "../cmd/ogpud/run.js";
import { Keyring, type KeyType } from "../crypto/keyring.js";
import { writeSecretFile } from "../crypto/secret-file.js";
import { ipfsPortsFrom, ogpudScript, rpcStatus, type NodePorts } from "./devnet.js";
import { stopOrphanKubo } from "./kubo.js";
import { childPids, stopOrphanCometbft } from "./processes.js";
import { livePid, processRunning, stopPidFile } from "./roles.js";
import { IPFS_REPO_DIR, ipfsPeerOf, setIpfsPeering } from "../cmd/ogpud/ipfs-repo.js";

/** `ogpud init` flags of a node with its own kubo (devnet.ts ipfsPortsFrom: p2p +7..+9). */
function ipfsInitFlags(ports: NodePorts): string[] {
  const kubo = ipfsPortsFrom(ports);
  return ["--storage", "ipfs", "--ipfs-api-port", String(kubo.api), "--ipfs-swarm-port", String(kubo.swarm), "--ipfs-gateway-port", String(kubo.gateway)];
}

/** One validator node of a loopback testnet, as written to nodes.json. */
export interface TestnetNode {
  moniker: string;
  home: string;
  rpc: string;
  rest: string;
  abci: string;
  p2p: string;
  nodeId: string;
  /** The validator's operator account (its key "validator" in the node's test keyring). */
  account: string;
  mnemonic: string;
  /** The operator key's type (secp256k1 unless made ML-DSA-65: a post-quantum auditor). */
  keyType?: KeyType;
  /** The node's own kubo (storage "ipfs"): RPC API, swarm and gateway ports on loopback. */
  kubo?: { api: number; swarm: number; gateway: number };
}

export interface Testnet {
  chainId: string;
  dir: string;
  /** Where the nodes keep blobs (absent in a nodes.json written before the IPFS switch: local). */
  storage?: "local" | "ipfs";
  nodes: TestnetNode[];
  /** A funded key in node0's keyring, for clients. */
  faucet: { name: string; address: string; mnemonic: string };
}

export interface TestnetOptions {
  dir: string;
  validators: number;
  /** Node i uses basePort + 10·i … +4 (p2p, rpc, abci, rest, gRPC) and +6 (CometBFT's Prometheus). */
  basePort: number;
  chainId?: string;
  blockTime?: string;
  /** Validator self-delegation in uogpu (default 10,000 OGPU). */
  selfDelegation?: bigint;
  checkInvariants?: boolean;
  /** Edits genesis app_state in place after the gentxs are collected (e.g. short slashing windows in tests). */
  genesisOverrides?: (appState: Record<string, unknown>) => void;
  /** Operator key type of validator i (default secp256k1); ML-DSA-65 makes its gentx and auditor post-quantum. */
  operatorKeyType?: (index: number) => KeyType;
  /**
   * "ipfs": every node runs its own kubo (ports +7..+9), all peered (docs/storage.md); the
   * testnet CLI's default. Default here: node-local blobs.
   */
  storage?: "local" | "ipfs";
}

export function nodePorts(basePort: number, i: number): NodePorts {
  const p = basePort + 10 * i;
  return { p2p: p, rpc: p + 1, abci: p + 2, rest: p + 3, grpc: p + 4, prometheus: p + 6 };
}

/** Every port node i listens on: its own (nodePorts) and, with IPFS storage, its kubo's. */
export function nodePortList(basePort: number, i: number, storage: "local" | "ipfs"): number[] {
  const ports = nodePorts(basePort, i);
  return [...Object.values(ports), ...(storage === "ipfs" ? Object.values(ipfsPortsFrom(ports)) : [])];
}

/** Runs one ogpud command in-process (output captured); throws with its stderr on failure. */
async function ogpud(args: string[]): Promise<void> {
  const run = await runOgpud(args);
  if (run.code !== 0) throw new Error(`ogpud ${args.join(" ")} failed (exit ${run.code}): ${run.stderr}`);
}

/**
 * Generates N validator homes the Cosmos way: init each node, fund every validator in one
 * genesis, one gentx per node (self-delegation with its own consensus key), collect the
 * gentxs in node0, copy the final genesis everywhere, and wire persistent peers.
 */
export async function createTestnet(opts: TestnetOptions): Promise<Testnet> {
  const chainId = opts.chainId ?? "ogpu-testnet-1";
  const selfDelegation = opts.selfDelegation ?? 10_000n * OGPU;
  rmSync(opts.dir, { recursive: true, force: true });
  mkdirSync(opts.dir, { recursive: true });
  const nodes: TestnetNode[] = [];
  for (let i = 0; i < opts.validators; i++) {
    const home = join(opts.dir, `node${i}`);
    const ports = nodePorts(opts.basePort, i);
    await ogpud([
      "init", `node${i}`, "--home", home, "--chain-id", chainId,
      "--p2p-port", String(ports.p2p), "--rpc-port", String(ports.rpc), "--abci-port", String(ports.abci), "--rest-port", String(ports.rest), "--grpc-port", String(ports.grpc),
      "--prometheus-port", String(ports.prometheus), "--block-time", opts.blockTime ?? "1s", ...(opts.checkInvariants === false ? [] : ["--check-invariants"]),
      ...(opts.storage === "ipfs" ? ipfsInitFlags(ports) : []),
    ]);
    const keyType = opts.operatorKeyType?.(i) ?? "secp256k1";
    const { info, mnemonic } = await Keyring.open(home, "test").add("validator", { type: keyType });
    const nodeId = execFileSync(cometbftBinary(), ["show-node-id", "--home", home], { encoding: "utf8" }).trim();
    nodes.push({
      moniker: `node${i}`, home, nodeId, account: info.address, mnemonic, keyType,
      ...(opts.storage === "ipfs" ? { kubo: ipfsPortsFrom(ports) } : {}),
      rpc: `http://127.0.0.1:${ports.rpc}`, rest: `http://127.0.0.1:${ports.rest}`,
      abci: `tcp://127.0.0.1:${ports.abci}`, p2p: `127.0.0.1:${ports.p2p}`,
    });
  }
  const genesisHome = nodes[0]!.home;
  const faucetKey = await Keyring.open(genesisHome, "test").add("faucet");
  for (const node of nodes) await ogpud(["genesis", "add-account", node.account, `${100_000n * OGPU}uogpu`, "--home", genesisHome]);
  await ogpud(["genesis", "add-account", faucetKey.info.address, `${400_000n * OGPU}uogpu`, "--home", genesisHome]);

  const gentxDir = join(genesisHome, "config", "gentx");
  mkdirSync(gentxDir, { recursive: true });
  for (const node of nodes) {
    if (node.home !== genesisHome) copyFileSync(join(genesisHome, "config", "genesis.json"), join(node.home, "config", "genesis.json"));
    await ogpud(["genesis", "gentx", "validator", `${selfDelegation}uogpu`, "--home", node.home, "--keyring-backend", "test", "--moniker", node.moniker]);
    const own = join(node.home, "config", "gentx");
    if (node.home !== genesisHome) for (const f of readdirSync(own)) copyFileSync(join(own, f), join(gentxDir, f));
  }
  await ogpud(["genesis", "collect-gentxs", "--home", genesisHome]);
  if (opts.genesisOverrides) {
    const genesisPath = join(genesisHome, "config", "genesis.json");
    const genesis = JSON.parse(readFileSync(genesisPath, "utf8")) as { app_state: Record<string, unknown> };
    opts.genesisOverrides(genesis.app_state);
    writeFileSync(genesisPath, JSON.stringify(genesis, null, 2) + "\n");
  }
  if (opts.storage === "ipfs") {
    const ipfsPeers = nodes.map((n) => ipfsPeerOf(join(n.home, IPFS_REPO_DIR)));
    for (const node of nodes) setIpfsPeering(join(node.home, IPFS_REPO_DIR), ipfsPeers);
  }
  for (const node of nodes) {
    if (node.home !== genesisHome) copyFileSync(join(genesisHome, "config", "genesis.json"), join(node.home, "config", "genesis.json"));
    const peers = nodes.filter((n) => n !== node).map((n) => `${n.nodeId}@${n.p2p}`).join(",");
    const configPath = join(node.home, "config", "config.toml");
    writeFileSync(configPath, readFileSync(configPath, "utf8").replace(/^persistent_peers = ".*"$/m, `persistent_peers = "${peers}"`));
  }
  const testnet: Testnet = { chainId, dir: opts.dir, storage: opts.storage ?? "local", nodes, faucet: { name: "faucet", address: faucetKey.info.address, mnemonic: faucetKey.mnemonic } };
  // nodes.json holds every validator's and the faucet's mnemonic.
  await writeSecretFile(join(opts.dir, "nodes.json"), JSON.stringify(testnet, null, 2) + "\n");
  return testnet;
}

export function readTestnet(dir: string): Testnet {
  const file = join(dir, "nodes.json");
  if (!existsSync(file)) throw new Error(`no testnet in ${dir} (nodes.json missing): run the up command first`);
  return JSON.parse(readFileSync(file, "utf8")) as Testnet;
}

const pidFile = (node: TestnetNode) => join(node.home, "ogpud.pid");

/** Starts a node in the background (detached: it outlives the command), logging to its home; `startArgs`: more `ogpud start` flags. */
export function startTestnetNode(node: TestnetNode, startArgs: readonly string[] = []): number {
  const out = openSync(join(node.home, "ogpud.log"), "a");
  const child = spawn(process.execPath, [ogpudScript(), "start", "--home", node.home, ...startArgs], { detached: true, stdio: ["ignore", out, out] });
  child.unref();
  writeFileSync(pidFile(node), String(child.pid));
  return child.pid!;
}

export function testnetNodePid(node: TestnetNode): number | undefined {
  return livePid(pidFile(node));
}

/**
 * SIGTERM (clean stop: ogpud stops its cometbft first, and its kubo) and wait until the process
 * is gone; then stop the node's cometbft and kubo if an ogpud that died (SIGKILL) left them running.
 */
export async function stopTestnetNode(node: TestnetNode, timeoutMs = 20_000): Promise<void> {
  await stopPidFile(pidFile(node), timeoutMs);
  await stopOrphanCometbft(node.home, timeoutMs);
  await stopOrphanKubo(node.home, timeoutMs);
}

/** The whole node dies at once, as in a machine crash: SIGKILL to ogpud and its children (cometbft, kubo). */
export async function killTestnetNode(node: TestnetNode): Promise<void> {
  const pid = testnetNodePid(node);
  if (pid === undefined) return;
  const children = childPids(pid);
  for (const p of [pid, ...children]) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      // exited meanwhile
    }
  }
  const deadline = Date.now() + 30_000;
  while (testnetNodePid(node) !== undefined || children.some(processRunning)) {
    if (Date.now() > deadline) throw new Error(`${node.moniker}'s processes survived SIGKILL`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Nodes of this testnet whose process is alive (per their pid files). */
export function runningTestnetNodes(testnet: Testnet): { node: TestnetNode; pid: number }[] {
  return testnet.nodes.flatMap((node) => {
    const pid = testnetNodePid(node);
    return pid === undefined ? [] : [{ node, pid }];
  });
}

/** Every port a node listens on (from its addresses in nodes.json), its kubo's included. */
export function testnetNodePortList(node: TestnetNode): number[] {
  const own = [node.p2p, node.rpc, node.abci, node.rest].map((address) => Number(address.slice(address.lastIndexOf(":") + 1)));
  return [...own, ...(node.kubo ? Object.values(node.kubo) : [])];
}

/** The given loopback ports that something on this machine already listens on. */
export async function busyPorts(ports: readonly number[]): Promise<number[]> {
  const busy: number[] = [];
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once("error", () => resolve(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (!free) busy.push(port);
  }
  return busy;
}

/** The last lines of a node's ogpud and cometbft logs (for failure reports). */
export function testnetNodeLogTail(node: TestnetNode, lines = 15): string {
  return ["ogpud.log", "cometbft.log"].map((name) => {
    const path = join(node.home, name);
    const text = existsSync(path) ? readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n") : "(no log)";
    return `--- ${node.moniker} ${name} (tail) ---\n${text}`;
  }).join("\n");
}

/**
 * Waits until every node's own process is alive and its RPC (answering with its own node id,
 * not some other process on the port) reports `height`. Throws with every node's state and log
 * tail as soon as a node's process exits, or at the deadline.
 */
export async function waitForTestnet(testnet: Testnet, height: bigint, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const state = new Map<string, string>();
  for (;;) {
    const exited = testnet.nodes.filter((n) => testnetNodePid(n) === undefined);
    let ready = exited.length === 0;
    if (ready) {
      for (const node of testnet.nodes) {
        const s = await rpcStatus(node.rpc).catch((err: Error) => err);
        const summary = s instanceof Error ? `rpc ${node.rpc} not answering` : s.nodeId !== node.nodeId ? `rpc ${node.rpc} answered by another node (${s.nodeId})` : `height ${s.height}`;
        state.set(node.moniker, summary);
        if (s instanceof Error || s.nodeId !== node.nodeId || s.height < height) ready = false;
      }
      if (ready) return;
    }
    if (exited.length > 0 || Date.now() > deadline) {
      for (const node of exited) state.set(node.moniker, "process exited");
      const why = exited.length > 0 ? `${exited.map((n) => n.moniker).join(", ")} exited` : `not all nodes reached height ${height} within ${timeoutMs / 1000}s`;
      const report = testnet.nodes.map((n) => `  ${n.moniker}: ${state.get(n.moniker) ?? "unknown"}`).join("\n");
      throw new Error(`testnet did not come up: ${why}\n${report}\n${testnet.nodes.map((n) => testnetNodeLogTail(n)).join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Heights and app hashes as each node's RPC reports them (undefined for a node that is down). */
export async function testnetStatus(testnet: Testnet) {
  return Promise.all(testnet.nodes.map((n) => rpcStatus(n.rpc).catch(() => undefined)));
}
