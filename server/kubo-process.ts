/**
 * Runs the node's own kubo (`ipfs daemon` on `<home>/ipfs`, made by `ogpud init --storage ipfs`)
 * as a child of ogpud, as cometbft is: started before the blob routes open, stopped after the
 * REST server closed. LIBP2P_FORCE_PNET makes kubo refuse to start without the chain's swarm key.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { IpfsBlobBackend } from "./blob-ipfs.js";

export interface KuboProcess {
  child: ChildProcess;
  backend: IpfsBlobBackend;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
/** How often ogpud re-dials the repo's Peering.Peers that are not connected. */
const PEERING_INTERVAL_MS = 5_000;

/**
 * The repo's Peering.Peers as dialable multiaddrs (`<addr>/p2p/<id>`). kubo's own peering service
 * did not connect in a private network with routing off (kubo 0.43.1, loopback), so ogpud dials them.
 */
export function peeringAddrs(repo: string): string[] {
  const config = JSON.parse(readFileSync(join(repo, "config"), "utf8")) as { Peering?: { Peers?: Array<{ ID: string; Addrs?: string[] }> | null } };
  return (config.Peering?.Peers ?? []).flatMap((p) => (p.Addrs ?? []).map((a) => `${a}/p2p/${p.ID}`));
}

export async function startKubo(opts: { binary: string; repo: string; api: string; logFile: string; fetchTimeoutMs?: number; log: (line: string) => void }): Promise<KuboProcess> {
  const logFile = createWriteStream(opts.logFile, { flags: "a" });
  const child = spawn(opts.binary, ["daemon", "--migrate=false"], { env: { ...process.env, IPFS_PATH: opts.repo, LIBP2P_FORCE_PNET: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.pipe(logFile, { end: false });
  child.stderr!.pipe(logFile, { end: false });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  opts.log(`kubo started (pid ${child.pid}), repo ${opts.repo}, log ${opts.logFile}`);
  let timer: NodeJS.Timeout | undefined;
  const stop = async () => {
    clearInterval(timer);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    logFile.end();
  };
  // The daemon answers its RPC API once its repo is open and its swarm listening.
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exitedEarly) throw new Error(`kubo exited at start (code ${child.exitCode}); see ${opts.logFile}`);
    try {
      const backend = await IpfsBlobBackend.open({ api: opts.api, fetchTimeoutMs: opts.fetchTimeoutMs });
      const peers = peeringAddrs(opts.repo);
      if (peers.length > 0) {
        const dial = () => void backend.connectPeers(peers).catch(() => undefined);
        dial();
        timer = setInterval(dial, PEERING_INTERVAL_MS);
        timer.unref();
      }
      return { child, backend, stop };
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw err;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
