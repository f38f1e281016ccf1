import type { Invariant } from "../../app/module.js";
import { allDone, getPlan, getVersions } from "./store.js";

/** A scheduled plan is valid and not already applied; stored versions and applied heights are positive. */
export const upgradeInvariants: Invariant[] = [
  {
    name: "upgrade/plan-and-versions",
    check(store) {
      const plan = getPlan(store);
      if (plan && (plan.name === "" || plan.height <= 0n)) return `scheduled plan "${plan.name}" at height ${plan.height} is invalid`;
      const done = [...allDone(store)];
      if (plan && done.some((d) => d.name === plan.name)) return `scheduled plan "${plan.name}" was already applied`;
      const bad = done.find((d) => d.height <= 0n);
      if (bad) return `applied plan "${bad.name}" has height ${bad.height}`;
      const version = getVersions(store).find((v) => v.version <= 0n);
      return version ? `module ${version.name} has version ${version.version}` : null;
    },
  },
];
