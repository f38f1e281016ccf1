import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../cmd/paths.js";
import { offsetPort, portAt, PORT_WINDOW, RECOMMENDED_PORT_OFFSETS, TEST_PORTS, type PortRange } from "./ports.js";

const ROOT = packageRoot();
const ranges = Object.entries(TEST_PORTS) as [string, PortRange][];

/** Every .ts file of the repository (not node_modules, dist or generated code), as a repository path. */
function sourceFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ["node_modules", "dist", "gen", ".git"].includes(entry.name) || entry.name.startsWith(".") ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") ? [relative(ROOT, path)] : [];
  });
}

/** Files that start nodes, roles or listeners: the ones whose ports must come from the registry. */
const STARTS_PROCESSES = /\b(startTestNode|startDevnetNode|initDevnet|spawnNode|createTestnet|startComputeCluster|startMarketCluster|startKvstoreNode|startKvstoreTestnet|spawnRole|portsFrom|offsetPort)\b|\.listen\(/;
/** `ogpud init`'s default ports (26656..26660), which no range uses: they may be named anywhere. */
const isInitDefault = (port: number) => port >= 26656 && port <= 26660;

describe("test port registry (testnet/ports.ts)", () => {
  it("no two ranges overlap", () => {
    const sorted = [...ranges].sort(([, a], [, b]) => a.base - b.base);
    for (let i = 1; i < sorted.length; i++) {
      const [prevName, prev] = sorted[i - 1]!;
      const [name, r] = sorted[i]!;
      expect(prev.base + prev.size, `${prevName} (${prev.base}+${prev.size}) runs into ${name} (${r.base})`).toBeLessThanOrEqual(r.base);
    }
  });

  it("every range lies in the window, and above 1024 and below the ephemeral ports after every recommended offset", () => {
    for (const [name, r] of ranges) {
      expect(r.size, name).toBeGreaterThan(0);
      expect(r.base, name).toBeGreaterThanOrEqual(PORT_WINDOW.first);
      expect(r.base + r.size, name).toBeLessThanOrEqual(PORT_WINDOW.end);
    }
    const windowSize = PORT_WINDOW.end - PORT_WINDOW.first;
    for (const offset of RECOMMENDED_PORT_OFFSETS) {
      expect(PORT_WINDOW.first + offset, `offset ${offset}`).toBeGreaterThan(1024);
      expect(PORT_WINDOW.end - 1 + offset, `offset ${offset}`).toBeLessThan(32768);
      // Two recommended offsets never put two checkouts' windows on the same ports.
      for (const other of RECOMMENDED_PORT_OFFSETS) if (other !== offset) expect(Math.abs(other - offset), `${offset} vs ${other}`).toBeGreaterThanOrEqual(windowSize);
    }
  });

  it("each range's owner uses it, and no other file does", () => {
    const texts = sourceFiles().map((file) => ({ file, text: readFileSync(join(ROOT, file), "utf8") }));
    for (const [name, r] of ranges) {
      const users = texts.filter(({ text }) => new RegExp(`\\bTEST_PORTS\\.${name}\\b`).test(text)).map(({ file }) => file);
      expect(users, name).toEqual([r.owner]);
    }
  });

  it("no file that starts processes hard-codes a port of the window; every e2e suite takes its ports from the registry", () => {
    const offenders: string[] = [];
    for (const file of sourceFiles()) {
      if (file === "testnet/ports.ts") continue;
      const text = readFileSync(join(ROOT, file), "utf8");
      if (/\.e2e\.test\.ts$/.test(file) && !/\bTEST_PORTS\b/.test(text)) offenders.push(`${file}: does not take its ports from TEST_PORTS`);
      // Test and harness code only: a production file's numbers (histogram buckets…) are not test ports.
      if (!/\.test\.ts$|^bench\/|^testnet\//.test(file) || !STARTS_PROCESSES.test(text)) continue;
      text.split("\n").forEach((line, i) => {
        for (const m of line.matchAll(/(?<![\w.])(\d{5})(?![\w.])/g)) {
          const port = Number(m[1]);
          if (port >= PORT_WINDOW.first - 5 && port < PORT_WINDOW.end + 100 && !isInitDefault(port)) offenders.push(`${file}:${i + 1}: ${port}`);
        }
      });
    }
    expect(offenders).toEqual([]);
  });

  it("portAt refuses a port beyond the range; offsetPort applies OGPU_PORT_OFFSET and refuses a non-integer one", () => {
    const small: PortRange = { base: 1000, size: 10, owner: "some.e2e.test.ts" };
    expect(portAt(small, 9)).toBe(1009);
    expect(() => portAt(small, 10)).toThrow(/outside some\.e2e\.test\.ts's range 1000\+10/);
    const saved = process.env.OGPU_PORT_OFFSET;
    try {
      process.env.OGPU_PORT_OFFSET = "-600";
      expect(offsetPort(1000)).toBe(400);
      process.env.OGPU_PORT_OFFSET = "-6k";
      expect(() => offsetPort(1000)).toThrow(/OGPU_PORT_OFFSET must be an integer/);
    } finally {
      if (saved === undefined) delete process.env.OGPU_PORT_OFFSET;
      else process.env.OGPU_PORT_OFFSET = saved;
    }
  });
});
