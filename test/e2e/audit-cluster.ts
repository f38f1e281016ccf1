/**
 * Processes for test/e2e/programs-audit.e2e.test.ts: real `ogpu-worker start` / `ogpu-worker
 * audit` children (dist/worker/main.js) with their output in a log file, and a blob-store relay
 * the test controls. Workers and the auditor reach the node's REST server through a relay,
 * which forwards every request unchanged except GETs of the blobs the test marked: for those
 * it serves the real bytes with one byte flipped — a tampered store or mirror, as a worker or
 * an auditor could meet one. The node itself never serves bytes that do not hash to their CID
 * (server/blob-store.ts re-hashes on read), so a relay is where tampering can happen.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, request } from "node:http";
import { join } from "node:path";
import { packageRoot } from "../../cmd/paths.js";

const workerScript = () => join(packageRoot(), "dist", "worker", "main.js");

/** `ogpu-worker init` with a test keyring; returns the new account's address. */
export function initWorkerHome(home: string): string {
  const r = spawnSync(process.execPath, [workerScript(), "init", "--home", home, "--keyring-backend", "test"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ogpu-worker init failed: ${r.stderr}`);
  return /address:\s+(\S+)/.exec(r.stdout)![1]!;
}

export interface RoleProcess {
  logFile: string;
  proc: ChildProcess;
  exited: Promise<unknown>;
}

/** `ogpu-worker <args>` as a child, stdout and stderr appended to `logFile`; `env` adds to (or overrides) ours. */
export function spawnRole(args: readonly string[], logFile: string, env: Record<string, string> = {}): RoleProcess {
  const log = createWriteStream(logFile, { flags: "a" });
  const proc = spawn(process.execPath, [workerScript(), ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  proc.stdout!.pipe(log, { end: false });
  proc.stderr!.pipe(log, { end: false });
  return { logFile, proc, exited: new Promise((resolve) => proc.once("exit", resolve)) };
}

export async function stopRole(role: RoleProcess): Promise<void> {
  if (role.proc.exitCode === null && role.proc.signalCode === null) role.proc.kill("SIGTERM");
  await role.exited;
}

export const readLog = (role: RoleProcess) => readFile(role.logFile, "utf8").catch(() => "");

export interface TamperingRelay {
  url: string;
  /** From now on, GET /blobs/<cid> answers the real bytes with one byte flipped. */
  tamper(cid: string): void;
  close(): Promise<void>;
}

export async function startTamperingRelay(port: number, target: string): Promise<TamperingRelay> {
  const tampered = new Set<string>();
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const cid = /^\/blobs\/([^/?]+)$/.exec(req.url ?? "")?.[1];
    const forward = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      if (req.method !== "GET" || !cid || !tampered.has(cid) || up.statusCode !== 200) {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      up.on("data", (c: Buffer) => chunks.push(c));
      up.on("end", () => {
        const body = Buffer.concat(chunks);
        body[body.length - 1]! ^= 0xff;
        res.writeHead(200, { ...up.headers, "content-length": String(body.length) });
        res.end(body);
      });
    });
    forward.on("error", (err) => {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`relay: ${err.message}`);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    tamper: (cid) => void tampered.add(cid),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
