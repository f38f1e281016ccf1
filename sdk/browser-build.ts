/**
 * How to bundle the SDK for browsers (sdk/browser.ts): a vite/rollup plugin that swaps the one
 * Node-only module on that path, crypto/hash.js (node:crypto hashing), for
 * crypto/hash.browser.js (@noble/hashes), whether vite bundles the TypeScript sources or the
 * compiled dist/ files. Everything else is the same code on both sides.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The swaps: a module path (without extension) → its browser twin. */
const BROWSER_TWINS: Readonly<Record<string, string>> = { [join("crypto", "hash")]: join("crypto", "hash.browser") };

interface ResolvePlugin {
  name: string;
  enforce: "pre";
  resolveId(source: string, importer: string | undefined): string | null;
}

/** The plugin for vite's `plugins` (or rollup's): `root` is the folder holding crypto/ (the repo or dist/). */
export function browserBuildAliases(root: string): ResolvePlugin {
  return {
    name: "ogpu-browser-twins",
    enforce: "pre",
    resolveId(source, importer) {
      if (!importer || !source.startsWith(".")) return null;
      const target = resolve(dirname(importer), source);
      const ext = target.endsWith(".js") ? ".js" : target.endsWith(".ts") ? ".ts" : "";
      const stem = ext ? target.slice(0, -ext.length) : target;
      for (const [from, to] of Object.entries(BROWSER_TWINS)) {
        // Sources import "./hash.js" but the file on disk is hash.ts; dist/ holds hash.js.
        if (stem === join(root, from)) return [".ts", ".js"].map((e) => join(root, to) + e).find((path) => existsSync(path)) ?? join(root, to) + (ext || ".js");
      }
      return null;
    },
  };
}
