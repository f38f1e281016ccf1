import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root (folder holding package.json), from source or from dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the ogpu package root");
    dir = parent;
  }
  return dir;
}

/**
 * A tool binary `make install` provides: $<envVar>, else the project-local copy in .bin/,
 * else whatever `name` is on PATH.
 */
export function toolBinary(name: string, envVar: string): string {
  const fromEnv = process.env[envVar];
  if (fromEnv) return fromEnv;
  const local = join(packageRoot(), ".bin", name);
  return existsSync(local) ? local : name;
}

/** The cometbft binary ($OGPU_COMETBFT, .bin/cometbft, or PATH). */
export function cometbftBinary(): string {
  return toolBinary("cometbft", "OGPU_COMETBFT");
}

/** The kubo (IPFS) binary ($OGPU_IPFS, .bin/ipfs, or PATH): `ogpud init|start --storage ipfs`. */
export function ipfsBinary(): string {
  return toolBinary("ipfs", "OGPU_IPFS");
}
