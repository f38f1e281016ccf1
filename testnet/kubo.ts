/**
 * The testnet nodes' own kubo daemons (`ogpud init --storage ipfs`, docs/storage.md) as the
 * testnet CLI sees them: a node's blob backend (its app.json), whether its kubo answers and how
 * many peers it has, and a shutdown for a kubo left running by an ogpud that did not stop it
 * (SIGKILLed): `ogpud start` could not start that repo's daemon again, and `down` leaves no
 * `ipfs daemon` behind. Its state is read over kubo's RPC API, never by shelling out.
 */
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { create, type KuboRPCClient } from "kubo-rpc-client";
import { nodePaths, readAppConfig } from "../cmd/ogpud/home.js";
import { ipfsPeerOf } from "../cmd/ogpud/ipfs-repo.js";
import { terminatePids } from "./processes.js";

/** A node's blob backend; for IPFS, its kubo's RPC API and the repo ogpud runs (undefined: an external kubo). */
export type NodeStorage = { backend: "local" } | { backend: "ipfs"; api: string; repo?: string };

/** What a node's kubo answers: ready with its swarm peer count, or why not. */
export type KuboState = { ready: true; peers: number } | { ready: false; why: string };

const RPC_TIMEOUT_MS = 3_000;

export async function nodeStorage(home: string): Promise<NodeStorage> {
  const config = await readAppConfig(nodePaths(home));
  if (config.storage !== "ipfs") return { backend: "local" };
  return { backend: "ipfs", api: config.ipfs_api, repo: config.ipfs_repo === "" ? undefined : resolve(home, config.ipfs_repo) };
}

/**
 * The kubo at the node's API if it is the node's own (its peer id is the repo's), else undefined:
 * another process on the port is not this node's kubo, and must be neither counted nor stopped.
 */
async function ownKubo(storage: NodeStorage & { backend: "ipfs" }): Promise<{ ipfs: KuboRPCClient } | { why: string }> {
  const ipfs = create({ url: storage.api });
  let id: string;
  try {
    id = (await ipfs.id({ timeout: RPC_TIMEOUT_MS })).id.toString();
  } catch {
    return { why: `kubo not answering at ${storage.api}` };
  }
  if (storage.repo !== undefined && id !== ipfsPeerOf(storage.repo).id) return { why: `another kubo (${id}) answers at ${storage.api}` };
  return { ipfs };
}

export async function kuboState(storage: NodeStorage & { backend: "ipfs" }): Promise<KuboState> {
  const own = await ownKubo(storage);
  if ("why" in own) return { ready: false, why: own.why };
  try {
    return { ready: true, peers: (await own.ipfs.swarm.peers({ timeout: RPC_TIMEOUT_MS })).length };
  } catch (err) {
    return { ready: false, why: `swarm peers failed: ${(err as Error).message}` };
  }
}

/** One line for `status`: the backend, and for IPFS its kubo's state. */
export async function describeStorage(home: string): Promise<string> {
  const storage = await nodeStorage(home);
  if (storage.backend === "local") return "storage local";
  const state = await kuboState(storage);
  return `storage ipfs (${state.ready ? `kubo ready, ${state.peers} peer${state.peers === 1 ? "" : "s"}` : state.why})`;
}

/**
 * Pids of the `ipfs daemon` processes running on `repo` (their IPFS_PATH), from /proc: ogpud
 * starts kubo with IPFS_PATH set, and a process's environment is readable by its own user.
 */
export function kuboDaemonPids(repo: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // (argv[0] is not checked: OGPU_IPFS may name a wrapper of the binary)
      if (!readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").includes("daemon")) continue;
      if (readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(`IPFS_PATH=${repo}`)) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or another user's process
    }
  }
  return pids;
}

/**
 * Stops the kubo daemon of a node whose ogpud is stopped (ogpud stops its kubo itself, so one
 * still running was orphaned by an ogpud that died): SIGTERM, SIGKILL at the deadline. Returns
 * how many it stopped. A node on node-local blobs or an external kubo (ipfs_repo "") has none.
 */
export async function stopOrphanKubo(home: string, timeoutMs = 20_000): Promise<number> {
  const storage = await nodeStorage(home);
  if (storage.backend !== "ipfs" || storage.repo === undefined) return 0;
  const pids = kuboDaemonPids(storage.repo);
  await terminatePids(pids, `kubo of ${storage.repo}`, timeoutMs);
  return pids.length;
}
