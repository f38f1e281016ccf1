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
 * The cometbft binary: $OGPU_COMETBFT, else the project-local copy `make install` puts in
 * .bin/, else whatever `cometbft` is on PATH.
 */
export function cometbftBinary(): string {
  if (process.env.OGPU_COMETBFT) return process.env.OGPU_COMETBFT;
  const local = join(packageRoot(), ".bin", "cometbft");
  return existsSync(local) ? local : "cometbft";
}
