import type { GrantAuthorization } from "cosmjs-types/cosmos/authz/v1beta1/authz";
import {
  QueryGranteeGrantsRequest,
  QueryGranteeGrantsResponse,
  QueryGranterGrantsRequest,
  QueryGranterGrantsResponse,
  QueryGrantsRequest,
  QueryGrantsResponse,
} from "cosmjs-types/cosmos/authz/v1beta1/query";
import { accountAddressString, parseQueryAddress } from "../../app/address.js";
import { defineQuery, type QueryMethod } from "../../app/module.js";
import { paginateFiltered } from "../../app/pagination.js";
import { keyBytes } from "../../app/store/keys.js";
import { decodeGrant, getGrant, GRANT, granteePrefix, granterPrefix, grantToWire, type GrantRecord } from "./store.js";
import { authzError, AuthzCode } from "./errors.js";

const grantAuthorization = (g: GrantRecord): GrantAuthorization => ({ granter: accountAddressString(g.granter), grantee: accountAddressString(g.grantee), ...grantToWire(g) });

/** The SDK's authz queries (paths, request and response types), with the SDK's pagination rules (app/pagination.ts). */
export const authzQueries: QueryMethod[] = [
  defineQuery("/cosmos.authz.v1beta1.Query/Grants", { request: QueryGrantsRequest, response: QueryGrantsResponse }, (ctx, req) => {
    const granter = parseQueryAddress(req.granter);
    const grantee = parseQueryAddress(req.grantee);
    if (req.msgTypeUrl !== "") {
      const g = getGrant(ctx.store, granter, grantee, req.msgTypeUrl);
      if (!g) throw authzError(AuthzCode.NotFound, `authorization not found for ${req.msgTypeUrl} type`);
      return { grants: [grantToWire(g)], pagination: undefined };
    }
    const prefix = granterPrefix(granter, grantee);
    const { items, pagination } = paginateFiltered(ctx.store, prefix, req.pagination, (tail, value) => grantToWire(decodeGrant(prefix.slice(GRANT.length) + tail, value)));
    return { grants: items, pagination };
  }),
  defineQuery("/cosmos.authz.v1beta1.Query/GranterGrants", { request: QueryGranterGrantsRequest, response: QueryGranterGrantsResponse }, (ctx, req) => {
    const prefix = granterPrefix(parseQueryAddress(req.granter));
    const { items, pagination } = paginateFiltered(ctx.store, prefix, req.pagination, (tail, value) => grantAuthorization(decodeGrant(prefix.slice(GRANT.length) + tail, value)));
    return { grants: items, pagination };
  }),
  defineQuery("/cosmos.authz.v1beta1.Query/GranteeGrants", { request: QueryGranteeGrantsRequest, response: QueryGranteeGrantsResponse }, (ctx, req) => {
    const grantee = parseQueryAddress(req.grantee);
    const prefix = granteePrefix(grantee);
    const { items, pagination } = paginateFiltered(ctx.store, prefix, req.pagination, (tail) => {
      // tail = lp(granter) ‖ type_url
      const granter = new Uint8Array(keyBytes(tail.slice(1, 1 + tail.charCodeAt(0))));
      const g = getGrant(ctx.store, granter, grantee, tail.slice(1 + tail.charCodeAt(0)));
      return g && grantAuthorization(g);
    });
    return { grants: items, pagination };
  }),
];
