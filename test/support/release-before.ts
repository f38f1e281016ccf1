import { cpSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../cmd/paths.js";

/** The x/market param the `v0.2` migration adds to state (x/market 1 → 2). */
export const PARAM_ADDED_BY_UPGRADE = "max_gpu_models";

/**
 * Deletes the one stretch of compiled `file` that `pattern` matches; throws when it matches
 * no stretch or several, so a change to the compiled source cannot silently leave the copy
 * unchanged.
 */
function removeOnce(file: string, pattern: RegExp, what: string): void {
  const text = readFileSync(file, "utf8");
  const found = text.match(new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`)) ?? [];
  if (found.length !== 1) throw new Error(`release-before: ${what} matched ${found.length} times in ${file}`);
  writeFileSync(file, text.replace(pattern, ""));
}

/**
 * Builds "the release before an upgrade" from this build: a copy of dist/ in `dir` that
 * differs from it in what the previous release lacked for the purpose of the upgrade —
 * - its upgrade registry (dist/app/upgrades/registry.js) lacks the handler named `upgrade`
 *   (it cannot apply it);
 * - its x/market has no `max_gpu_models` param: gone from the params defaults and validation
 *   (so the params it writes at InitChain lack it, and a genesis giving it is refused as an
 *   unknown param) and from MsgSubmitTask's check (no cap on requirements.gpu_models lists
 *   beyond the generic Msg list cap).
 * package.json, node_modules, .bin and proto (gRPC descriptors) are linked so the copy runs like the original. Returns
 * the path of its ogpud CLI script.
 */
export function releaseBefore(dir: string, upgrade: string): string {
  const root = packageRoot();
  const dist = join(dir, "dist");
  cpSync(join(root, "dist"), dist, { recursive: true });
  cpSync(join(root, "package.json"), join(dir, "package.json"));
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  symlinkSync(join(root, ".bin"), join(dir, ".bin"));
  // The gRPC server reads its reflection descriptors from proto/gen/descriptors.binpb under the package root.
  symlinkSync(join(root, "proto"), join(dir, "proto"));
  const upgrades = join(dist, "app", "upgrades");
  renameSync(join(upgrades, "registry.js"), join(upgrades, "registry-release.js"));
  writeFileSync(
    join(upgrades, "registry.js"),
    `import { UPGRADE_HANDLERS as ALL } from "./registry-release.js";\nexport const UPGRADE_HANDLERS = ALL.filter((h) => h.name !== ${JSON.stringify(upgrade)});\n`,
  );
  const market = join(dist, "x", "market");
  removeOnce(join(market, "params.js"), /^\s*max_gpu_models: \d+,\n/m, "the max_gpu_models default");
  removeOnce(join(market, "params.js"), /^\s*if \(!Number\.isSafeInteger\(p\.max_gpu_models\)[^\n]*\n[^\n]*max_gpu_models must be[^\n]*\n/m, "the max_gpu_models validation");
  removeOnce(join(market, "msgs.js"), /^\s*if \(req\.models\.length > p\.max_gpu_models\)\n[^\n]*\n/m, "MsgSubmitTask's max_gpu_models check");
  return join(dist, "cmd", "ogpud", "main.js");
}
