import { accountAddressString, parseAccountAddress } from "../../app/address.js";
import type { Context } from "../../app/context.js";
import { asArray, asObject, asString, atPath, GenesisError } from "../../app/genesis-json.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { allGrants, GENERIC_AUTHORIZATION_TYPE_URL, getGrant, allowedMsgType, putGrant, SUBMIT_TASK_AUTHORIZATION_TYPE_URL, type Authorization, type GrantRecord } from "./store.js";

/**
 * `authz` genesis, the SDK's shape: `authorization` lists GrantAuthorization records
 * { granter, grantee, authorization: { "@type", … }, expiration (RFC 3339, whole seconds, or null) }.
 * Expired grants are dropped at import, as the SDK's InitGenesis drops them.
 */
const RFC3339_SECONDS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.0+)?Z$/;

function parseExpiration(value: unknown, path: string): bigint | undefined {
  if (value === null || value === undefined) return undefined;
  const m = RFC3339_SECONDS.exec(asString(value, path));
  if (!m) throw new GenesisError(`${path} must be an RFC 3339 UTC time in whole seconds (2030-01-01T00:00:00Z)`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return BigInt(Date.UTC(y, mo - 1, d, h, mi, s) / 1000);
}

const formatExpiration = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");

function parseAuthorization(value: unknown, path: string): Authorization {
  const o = asObject(value, path);
  const type = asString(o["@type"], `${path}.@type`);
  if (type === GENERIC_AUTHORIZATION_TYPE_URL) return { kind: "generic", msgTypeUrl: asString(o.msg, `${path}.msg`) };
  if (type === SUBMIT_TASK_AUTHORIZATION_TYPE_URL) {
    const limit = asString(o.spend_limit, `${path}.spend_limit`);
    if (!/^[1-9][0-9]{0,77}$/.test(limit)) throw new GenesisError(`${path}.spend_limit must be a positive decimal uogpu amount`);
    const maxTasks = o.max_tasks === undefined ? "0" : asString(o.max_tasks, `${path}.max_tasks`);
    if (!/^(0|[1-9][0-9]{0,19})$/.test(maxTasks)) throw new GenesisError(`${path}.max_tasks must be a decimal count`);
    return { kind: "submit_task", spendLimit: BigInt(limit), maxTasks: BigInt(maxTasks) };
  }
  throw new GenesisError(`${path}.@type ${type} is not an authorization this chain knows`);
}

function authorizationJson(a: Authorization): Record<string, string> {
  if (a.kind === "generic") return { "@type": GENERIC_AUTHORIZATION_TYPE_URL, msg: a.msgTypeUrl };
  return { "@type": SUBMIT_TASK_AUTHORIZATION_TYPE_URL, spend_limit: a.spendLimit.toString(), max_tasks: a.maxTasks.toString() };
}

export function initAuthzGenesis(ctx: Context, json: unknown): void {
  const s = asObject(json, "authz");
  asArray(s.authorization, "authz.authorization").forEach((entry, i) => {
    const path = `authz.authorization[${i}]`;
    const o = asObject(entry, path);
    atPath(path, () => {
      const g: GrantRecord = {
        granter: parseAccountAddress(asString(o.granter, `${path}.granter`), "granter"),
        grantee: parseAccountAddress(asString(o.grantee, `${path}.grantee`), "grantee"),
        authorization: parseAuthorization(o.authorization, `${path}.authorization`),
        expiration: parseExpiration(o.expiration, `${path}.expiration`),
      };
      if (Buffer.compare(g.granter, g.grantee) === 0) throw new GenesisError(`${path}: granter and grantee cannot be the same`);
      if (getGrant(ctx.store, g.granter, g.grantee, allowedMsgType(g.authorization))) throw new GenesisError(`${path}: a second grant for the same granter, grantee and msg type`);
      if (g.expiration !== undefined && g.expiration <= ctx.block.timeSeconds) return;
      putGrant(ctx.store, g);
    });
  });
}

export function exportAuthzGenesis(store: KVStore): unknown {
  return {
    authorization: [...allGrants(store)].map((g) => ({
      granter: accountAddressString(g.granter),
      grantee: accountAddressString(g.grantee),
      authorization: authorizationJson(g.authorization),
      expiration: g.expiration === undefined ? null : formatExpiration(g.expiration),
    })),
  };
}

export function defaultAuthzGenesis(): unknown {
  return { authorization: [] };
}
