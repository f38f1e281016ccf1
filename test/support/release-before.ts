import { cpSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../cmd/paths.js";

/**
 * Builds "the release before an upgrade" from this build: a copy of dist/ in `dir` whose
 * upgrade registry (dist/app/upgrades/registry.js) lacks the handler named `upgrade` — all an
 * operator's previous binary differs in, for the purpose of the upgrade (it cannot apply it).
 * package.json, node_modules and .bin are linked so the copy runs like the original. Returns
 * the path of its ogpud CLI script.
 */
export function releaseBefore(dir: string, upgrade: string): string {
  const root = packageRoot();
  cpSync(join(root, "dist"), join(dir, "dist"), { recursive: true });
  cpSync(join(root, "package.json"), join(dir, "package.json"));
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  symlinkSync(join(root, ".bin"), join(dir, ".bin"));
  const upgrades = join(dir, "dist", "app", "upgrades");
  renameSync(join(upgrades, "registry.js"), join(upgrades, "registry-release.js"));
  writeFileSync(
    join(upgrades, "registry.js"),
    `import { UPGRADE_HANDLERS as ALL } from "./registry-release.js";\nexport const UPGRADE_HANDLERS = ALL.filter((h) => h.name !== ${JSON.stringify(upgrade)});\n`,
  );
  return join(dir, "dist", "cmd", "ogpud", "main.js");
}
