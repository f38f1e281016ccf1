import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The import rules of docs/architecture.md, checked over the source text (no build needed):
 * module boundaries in x/, app/ below x/, and no cycles between top-level folders.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const TOP_LEVEL = ["app", "x", "server", "sdk", "worker", "crypto", "cmd", "testnet", "bench", "test"];
const SKIPPED = new Set(["node_modules", "dist", ".bin", "gen"]);

/** app/ files allowed to import x/: the composition root and the in-process test harness. */
const APP_IMPORTS_X = new Set(["app/modules.ts", "app/testkit.ts"]);

interface ImportLine {
  file: string;
  line: number;
  /** Repo-relative path of the imported file, with .ts. */
  target: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    if (SKIPPED.has(e.name)) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith(".ts") ? [path.split(sep).join("/")] : [];
  });
}

/** import/export … from "./x"; possibly over several lines (the braces hold no quotes or semicolons). */
const IMPORT = /^[ \t]*(import|export)[ \t]+(type[ \t]+)?(?:[^'";]*?[ \t\n]from[ \t]+)?["'](\.{1,2}\/[^"']+)["']/gm;

function importsOf(file: string): ImportLine[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  return [...text.matchAll(IMPORT)].map((m) => ({
    file,
    line: text.slice(0, m.index).split("\n").length,
    target: normalize(join(dirname(file), m[3]!)).split(sep).join("/").replace(/\.js$/, ".ts"),
    typeOnly: m[2] !== undefined,
  }));
}

const allImports: ImportLine[] = TOP_LEVEL.flatMap(sourceFiles).flatMap(importsOf);
const where = (i: ImportLine) => `${i.file}:${i.line} imports ${i.target}`;
const moduleOf = (path: string) => /^x\/([^/]+)\//.exec(path)?.[1];
const topOf = (path: string) => path.split("/")[0]!;
const isTest = (file: string) => file.endsWith(".test.ts");
/**
 * A module's test fixtures (x/<m>/testing.ts, fixture.ts) build whole chains and read other
 * modules' state, as tests do; they are exempt from the cross-module rule (not from the store rule).
 */
const isFixture = (file: string) => /^x\/[^/]+\/(testing|fixture)\.ts$/.test(file);

/** Every rule returns the offending import lines; the assertion message lists them. */
export function storeImportsFromOutside(imports: readonly ImportLine[]): string[] {
  return imports
    .filter((i) => /^x\/[^/]+\/(store|keys)\.ts$/.test(i.target) && moduleOf(i.file) !== moduleOf(i.target))
    .map(where);
}

export function crossModuleValueImports(imports: readonly ImportLine[]): string[] {
  return imports
    .filter((i) => !i.typeOnly && !isTest(i.file) && !isFixture(i.file))
    .filter((i) => moduleOf(i.file) !== undefined && moduleOf(i.target) !== undefined && moduleOf(i.file) !== moduleOf(i.target))
    .map(where);
}

export function appImportsOfX(imports: readonly ImportLine[]): string[] {
  return imports.filter((i) => topOf(i.file) === "app" && topOf(i.target) === "x" && !APP_IMPORTS_X.has(i.file)).map(where);
}

/**
 * Folder-level cycles: a path a → … → a over edges "some non-test file in a imports some file
 * in b". Test files are left out (a module's test may start a devnet or use e2e helpers), and so
 * is the composition root's app → x edge (the one sanctioned exception to "app/ is below x/").
 */
export function folderCycles(imports: readonly ImportLine[]): string[] {
  const edges = new Map<string, Map<string, ImportLine>>();
  for (const i of imports.filter((i) => !isTest(i.file) && !APP_IMPORTS_X.has(i.file))) {
    const [from, to] = [topOf(i.file), topOf(i.target)];
    if (from === to || !TOP_LEVEL.includes(to)) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, i);
  }
  const cycles: string[] = [];
  const visit = (node: string, path: string[]) => {
    for (const [next, example] of [...(edges.get(node) ?? new Map<string, ImportLine>())].sort(([a], [b]) => a.localeCompare(b))) {
      if (next === path[0]) cycles.push(`${[...path, next].join(" → ")} (closing edge: ${where(example)})`);
      else if (!path.includes(next) && next > path[0]!) visit(next, [...path, next]);
    }
  };
  for (const start of [...edges.keys()].sort()) visit(start, [start]);
  return cycles;
}

describe("import rules (docs/architecture.md)", () => {
  it("finds the imports it checks", () => {
    // Guards the scanner itself: a regex that matched nothing would pass every rule.
    expect(allImports.some((i) => i.file === "app/modules.ts" && i.target.startsWith("x/"))).toBe(true);
    expect(allImports.some((i) => i.typeOnly)).toBe(true);
    expect(relative(ROOT, join(ROOT, "x"))).toBe("x");
  });

  it("no file outside x/<m>/ imports x/<m>/store.ts or keys.ts", () => {
    expect(storeImportsFromOutside(allImports), "a module's store is private to it").toEqual([]);
  });

  it("x/<a> imports only types from x/<b> (other modules are reached through injected keepers)", () => {
    expect(crossModuleValueImports(allImports), "value imports across modules").toEqual([]);
  });

  it("app/ does not import x/ except the composition root (app/modules.ts) and the test harness", () => {
    expect(appImportsOfX(allImports), "app/ is the layer below x/").toEqual([]);
  });

  it("no import cycle between top-level folders", () => {
    expect(folderCycles(allImports), "folder cycles").toEqual([]);
  });

  it("each rule reports a broken import by file and line", () => {
    const fake = (file: string, target: string, typeOnly = false): ImportLine => ({ file, line: 7, target, typeOnly });
    expect(storeImportsFromOutside([fake("x/attest/keeper.ts", "x/market/store.ts")])).toEqual(["x/attest/keeper.ts:7 imports x/market/store.ts"]);
    expect(crossModuleValueImports([fake("x/attest/keeper.ts", "x/market/keeper.ts"), fake("x/attest/keeper.ts", "x/market/keeper.ts", true)])).toHaveLength(1);
    expect(appImportsOfX([fake("app/tx/ante.ts", "x/auth/keeper.ts")])).toHaveLength(1);
    expect(folderCycles([fake("sdk/a.ts", "worker/b.ts"), fake("worker/b.ts", "sdk/c.ts")])).toHaveLength(1);
  });
});

/** The files every x/<m> has (docs/architecture.md "A module's shape"); "tests" = any *.test.ts. */
const MODULE_PARTS = ["keeper", "msgs", "queries", "genesis", "params", "events", "errors", "invariants", "store", "module", "tests"];
/** `// Shape exemption: part, part — why` in module.ts, one line. */
const EXEMPTION = /^\/\/ Shape exemption: ([a-z, ]+) — \S.*$/m;

describe("module shape", () => {
  it("every x/<m> has each part, or module.ts documents why not", () => {
    const missing: string[] = [];
    for (const m of readdirSync(join(ROOT, "x"), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
      const files = readdirSync(join(ROOT, "x", m));
      const exempt = EXEMPTION.exec(readFileSync(join(ROOT, "x", m, "module.ts"), "utf8"))?.[1]!.split(", ") ?? [];
      for (const part of MODULE_PARTS) {
        const present = part === "tests" ? files.some((f) => f.endsWith(".test.ts")) : files.includes(`${part}.ts`);
        if (present && exempt.includes(part)) missing.push(`x/${m}: ${part} is exempted in module.ts but exists`);
        if (!present && !exempt.includes(part)) missing.push(`x/${m}/${part === "tests" ? "*.test.ts" : `${part}.ts`}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

