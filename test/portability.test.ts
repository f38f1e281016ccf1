/**
 * Issue 9 item 8: no absolute path of one machine (a home folder, a checkout location, a
 * specific temp file) appears in any tracked file, so code, tests and docs work in every
 * checkout. System paths every machine has (interpreters, device files, /run, /etc) are fine;
 * temp files come from os.tmpdir(), the project root from cmd/paths.ts.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../cmd/paths.js";

/** Tracked files that are generated, vendored or binary: nobody writes paths into them by hand. */
const SKIPPED = [/(^|\/)node_modules\//, /(^|\/)dist\//, /(^|\/)package-lock\.json$/, /\.(png|jpe?g|gif|ico|pdf|wasm|gz|zip|bin)$/];

/**
 * A path that starts at the root of one machine's file system: work or home folders, the
 * root user's home, macOS user and temp folders, mount points, a named file in the temp dir,
 * and Windows user folders. A preceding word character, dot, tilde, `$` or `}` means the path
 * is relative to something (`~/…`, `$HOME/…`, `${dir}/…`, `a/b/…`), so it is not a hit.
 */
const MACHINE_PATH = /(?:^|[^\w.~$}-])(\/(?:work|root|Users|mnt|srv|var\/folders)\/|\/home\/[A-Za-z_]|\/tmp\/[\w.-]|[A-Za-z]:\\Users\\)/;
/** Web addresses name paths on a server, not on this machine. */
const URL = /\b[a-z][a-z0-9+.-]*:\/\/(?!\/)[^\s"'`)<>]+/gi;

/** `file:line: text` for every machine-specific path in the given file's text. */
function machinePathHits(file: string, text: string): string[] {
  return text.split("\n").flatMap((line, i) => (MACHINE_PATH.test(line.replace(URL, "")) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

function trackedTextFiles(root: string): { file: string; text: string }[] {
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter((f) => f && !SKIPPED.some((re) => re.test(f)));
  return files.flatMap((file) => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(root, file));
    } catch {
      return []; // tracked but deleted in this working tree
    }
    return bytes.subarray(0, 8000).includes(0) ? [] : [{ file, text: bytes.toString("utf8") }];
  });
}

describe("issue 9 item 8: no absolute machine paths in the repo", () => {
  it("item 9.8 portability: the detector flags machine paths and leaves system paths and URLs alone", () => {
    const slash = "/";
    const bad = [`${slash}work${slash}main/.bin/cometbft`, `${slash}home${slash}alice/x`, `cd ${slash}root${slash}ogpu`, `"${slash}Users${slash}bob/x"`, `"${slash}tmp${slash}app.sock"`, `unix://${slash}tmp${slash}a.sock`, `file://${slash}work${slash}x`, `C:\\Users\\bob`];
    const good = [`#!${slash}usr/bin/env node`, `> ${slash}dev/null`, `https://example.com${slash}home${slash}docs`, `~${slash}work${slash}x`, `$HOME${slash}work/x`, `\${dir}${slash}tmp/x`, `unix://${slash}run/ogpud/app.sock`, `src${slash}work${slash}x`];
    for (const line of bad) expect(machinePathHits("f", line), line).toHaveLength(1);
    for (const line of good) expect(machinePathHits("f", line), line).toEqual([]);
  });

  it("item 9.8 portability: no tracked text file holds an absolute path of one machine", () => {
    const files = trackedTextFiles(packageRoot());
    expect(files.length).toBeGreaterThan(50);
    const hits = files.flatMap(({ file, text }) => machinePathHits(file, text));
    expect(hits, `machine-specific paths (use os.tmpdir(), cmd/paths.ts or a relative path):\n${hits.join("\n")}`).toEqual([]);
  });
});
