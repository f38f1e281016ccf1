import { asArray, asObject, asString, atPath, GenesisError } from "../../app/genesis-json.js";
import type { KVStore } from "../../app/store/kvstore.js";
import type { VersionMap } from "../../app/upgrades/types.js";
import { allDone, getPlan, getVersions, setDone, setPlan, setVersion } from "./store.js";

/**
 * Genesis section `upgrade` (all optional; the SDK's is empty, ours also carries what an
 * export must keep so an imported chain behaves the same):
 *
 *   { "plan": null | { "name": "v0.2", "height": "1200", "info": "…" },
 *     "applied": [{ "name": "v0.2", "height": "1200" }],
 *     "module_versions": [{ "name": "market", "version": "2" }] }
 *
 * A module module_versions does not list (all of them on a fresh chain, or in a genesis from
 * before x/upgrade existed) is recorded at this binary's version: a chain is born at the release
 * that starts it. A listed one keeps the given version (an export of a chain some of whose
 * modules still await their migrations).
 */
export function initUpgradeGenesis(store: KVStore, json: unknown, binaryVersions: VersionMap): void {
  const s = asObject(json, "upgrade");
  const positive = (path: string, value: unknown) =>
    atPath(path, () => {
      const n = BigInt(asString(value, path));
      if (n <= 0n) throw new GenesisError(`${path} must be a positive integer`);
      return n;
    });
  if (s.plan !== undefined && s.plan !== null) {
    const p = asObject(s.plan, "upgrade.plan");
    const name = asString(p.name, "upgrade.plan.name");
    if (name === "") throw new GenesisError("upgrade.plan.name cannot be empty");
    setPlan(store, { name, height: positive("upgrade.plan.height", p.height), info: p.info === undefined ? "" : asString(p.info, "upgrade.plan.info") });
  }
  asArray(s.applied, "upgrade.applied").forEach((entry, i) => {
    const o = asObject(entry, `upgrade.applied[${i}]`);
    setDone(store, asString(o.name, `upgrade.applied[${i}].name`), positive(`upgrade.applied[${i}].height`, o.height));
  });
  const versions = new Map(Object.entries(binaryVersions).map(([name, v]) => [name, BigInt(v)]));
  asArray(s.module_versions, "upgrade.module_versions").forEach((entry, i) => {
    const o = asObject(entry, `upgrade.module_versions[${i}]`);
    versions.set(asString(o.name, `upgrade.module_versions[${i}].name`), positive(`upgrade.module_versions[${i}].version`, o.version));
  });
  for (const name of [...versions.keys()].sort()) setVersion(store, name, versions.get(name)!);
}

export function exportUpgradeGenesis(store: KVStore): unknown {
  const plan = getPlan(store);
  return {
    plan: plan ? { name: plan.name, height: plan.height.toString(), info: plan.info } : null,
    applied: [...allDone(store)].map((d) => ({ name: d.name, height: d.height.toString() })),
    module_versions: getVersions(store).map((v) => ({ name: v.name, version: v.version.toString() })),
  };
}

/** A fresh chain's `upgrade` section (`ogpud init`): nothing scheduled, versions from the binary. */
export function defaultUpgradeGenesis(): unknown {
  return { plan: null, applied: [], module_versions: [] };
}
