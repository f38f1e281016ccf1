import {
  QueryAppliedPlanRequest,
  QueryAppliedPlanResponse,
  QueryAuthorityRequest,
  QueryAuthorityResponse,
  QueryCurrentPlanRequest,
  QueryCurrentPlanResponse,
  QueryModuleVersionsRequest,
  QueryModuleVersionsResponse,
} from "cosmjs-types/cosmos/upgrade/v1beta1/query";
import { govAuthority } from "../../app/authority.js";
import { notFound } from "../../app/errors.js";
import { defineQuery, type QueryMethod } from "../../app/module.js";
import type { UpgradeKeeper } from "./keeper.js";

/** cosmos.upgrade.v1beta1.Query: the scheduled plan, applied plans by name, stored module versions, the authority. */
export function upgradeQueries(keeper: UpgradeKeeper): QueryMethod[] {
  return [
    defineQuery("/cosmos.upgrade.v1beta1.Query/CurrentPlan", { request: QueryCurrentPlanRequest, response: QueryCurrentPlanResponse }, (ctx) => ({
      plan: keeper.currentPlan(ctx.store),
    })),
    // An unknown name answers height 0, as the SDK does.
    defineQuery("/cosmos.upgrade.v1beta1.Query/AppliedPlan", { request: QueryAppliedPlanRequest, response: QueryAppliedPlanResponse }, (ctx, req) => ({
      height: keeper.appliedHeight(ctx.store, req.name) ?? 0n,
    })),
    defineQuery("/cosmos.upgrade.v1beta1.Query/ModuleVersions", { request: QueryModuleVersionsRequest, response: QueryModuleVersionsResponse }, (ctx, req) => {
      const all = keeper.moduleVersions(ctx.store);
      if (req.moduleName === "") return { moduleVersions: all };
      const one = all.filter((v) => v.name === req.moduleName);
      if (one.length === 0) throw notFound(`x/upgrade: QueryModuleVersions module ${req.moduleName} not found`);
      return { moduleVersions: one };
    }),
    defineQuery("/cosmos.upgrade.v1beta1.Query/Authority", { request: QueryAuthorityRequest, response: QueryAuthorityResponse }, () => ({
      address: govAuthority(),
    })),
  ];
}
