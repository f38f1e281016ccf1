import type { ResponseQuery } from "cosmjs-types/tendermint/abci/types";
import { CliError, type Command, type Flags, type OptionSpec } from "../../cli.js";
import { GrpcStatusError, type QueryFn } from "../../../server/abci-query.js";
import { LCD_ROUTES } from "../../../server/rest.js";
import type { QueryParams } from "../../../server/routes-table.js";
import { nodeOption, outputFormat, outputOption, printResult, withNode, type NodeConnection, type Printable } from "../client.js";

/**
 * `ogpud q staking|distribution|slashing …`, shaped like gaiad's. Each command runs one LCD
 * route of the REST server's table (server/routes-*.ts) over the node's abci_query, so it
 * prints exactly the JSON the REST path answers: one definition of request and rendering.
 */
interface RouteQuerySpec {
  name: string;
  summary: string;
  /** Positional operands, bound in order to the route's path parameters. */
  args: { param: string; usage: string }[];
  /** The route for the given number of positionals (an optional trailing operand may pick another). */
  route: string | ((positionals: number) => string);
  optionalArg?: { param: string; usage: string };
  /** Flags passed as the route's query-string parameters. */
  flags?: Record<string, { param: string; description: string }>;
  paged?: boolean;
}

const PAGE_FLAGS: Record<string, { param: string; description: string }> = {
  limit: { param: "pagination.limit", description: "most items to return (default 100)" },
  "page-key": { param: "pagination.key", description: "next_key of the previous page (base64)" },
  "count-total": { param: "pagination.count_total", description: "fill pagination.total (true|false)" },
};

function abciQueryFn(node: NodeConnection): QueryFn {
  return async (req) => {
    const res = await node.comet.abciQuery({ path: req.path, data: req.data, height: Number(req.height), prove: false });
    return { code: res.code ?? 0, log: res.log ?? "", info: res.info ?? "", index: BigInt(res.index ?? 0), key: res.key, value: res.value, proofOps: undefined, height: BigInt(res.height ?? 0), codespace: res.codespace ?? "" } satisfies ResponseQuery;
  };
}

function routeQuery(spec: RouteQuerySpec): Command {
  const flagSpecs = { ...spec.flags, ...(spec.paged ? PAGE_FLAGS : {}) };
  const usage = [...spec.args.map((a) => `<${a.usage}>`), ...(spec.optionalArg ? [`[${spec.optionalArg.usage}]`] : [])].join(" ");
  const options: OptionSpec = { ...nodeOption, ...outputOption, ...Object.fromEntries(Object.entries(flagSpecs).map(([flag, f]) => [flag, { type: "string" as const, description: f.description }])) };
  return {
    name: spec.name,
    summary: spec.summary,
    usage,
    options,
    async run({ positionals, flags }) {
      const most = spec.args.length + (spec.optionalArg ? 1 : 0);
      if (positionals.length < spec.args.length || positionals.length > most) throw new CliError(`usage: ${spec.name} ${usage}`);
      const path = typeof spec.route === "string" ? spec.route : spec.route(positionals.length);
      const route = LCD_ROUTES.find((r) => r.path === path);
      if (!route) throw new Error(`no LCD route ${path}`);
      const names = [...spec.args, ...(spec.optionalArg ? [spec.optionalArg] : [])].map((a) => a.param);
      // An operand goes where the route reads it: a path parameter, or a query-string one (authz grants' granter).
      const inQuery = new Set(route.params.filter((p) => p.in === "query").map((p) => p.name));
      const bound = positionals.map((value, i) => [names[i]!, value] as const);
      const params = Object.fromEntries(bound.filter(([name]) => !inQuery.has(name)));
      const query = { ...queryParams(flags, flagSpecs), ...Object.fromEntries(bound.filter(([name]) => inQuery.has(name))) };
      const format = outputFormat(flags);
      return withNode(flags, async (node) => {
        try {
          const { json } = await route.run(abciQueryFn(node), { params, query }, 0n);
          printResult(format, json as Printable);
          return 0;
        } catch (err) {
          if (err instanceof GrpcStatusError) throw new CliError(err.message);
          throw err;
        }
      });
    },
  };
}

function queryParams(flags: Flags, specs: Record<string, { param: string }>): QueryParams {
  return Object.fromEntries(Object.entries(specs).filter(([flag]) => typeof flags[flag] === "string").map(([flag, s]) => [s.param, flags[flag] as string]));
}

const STAKING = "/cosmos/staking/v1beta1";
const AUTHZ = "/cosmos/authz/v1beta1";
const DISTRIBUTION = "/cosmos/distribution/v1beta1";
const SLASHING = "/cosmos/slashing/v1beta1";
const validator = { param: "validator_addr", usage: "validator-address" };
const delegator = { param: "delegator_addr", usage: "delegator-address" };

export const stakingQueryCommands: Command[] = [
  routeQuery({ name: "q staking validators", summary: "All validators (bonded, unbonding and unbonded), paged", args: [], route: `${STAKING}/validators`, paged: true, flags: { status: { param: "status", description: "only BOND_STATUS_BONDED | _UNBONDING | _UNBONDED" } } }),
  routeQuery({ name: "q staking validator", summary: "One validator", args: [validator], route: `${STAKING}/validators/{validator_addr}` }),
  routeQuery({ name: "q staking delegations", summary: "All delegations of a delegator, with their token value", args: [delegator], route: `${STAKING}/delegations/{delegator_addr}`, paged: true }),
  routeQuery({ name: "q staking delegation", summary: "One delegation, with its token value", args: [delegator, validator], route: `${STAKING}/validators/{validator_addr}/delegations/{delegator_addr}` }),
  routeQuery({ name: "q staking unbonding-delegations", summary: "All unbonding delegations of a delegator", args: [delegator], route: `${STAKING}/delegators/{delegator_addr}/unbonding_delegations`, paged: true }),
  routeQuery({
    name: "q staking redelegations", summary: "Redelegations of a delegator", args: [delegator], route: `${STAKING}/delegators/{delegator_addr}/redelegations`, paged: true,
    flags: { "src-validator": { param: "src_validator_addr", description: "only from this validator" }, "dst-validator": { param: "dst_validator_addr", description: "only to this validator" } },
  }),
  routeQuery({ name: "q staking pool", summary: "Bonded and not-bonded token totals", args: [], route: `${STAKING}/pool` }),
  routeQuery({ name: "q staking params", summary: "Staking parameters", args: [], route: `${STAKING}/params` }),
  routeQuery({
    name: "q distribution rewards", summary: "Pending rewards of a delegator: every delegation and the total, or one validator's", args: [{ param: "delegator_address", usage: "delegator-address" }],
    optionalArg: { param: "validator_address", usage: "validator-address" },
    route: (n) => (n === 1 ? `${DISTRIBUTION}/delegators/{delegator_address}/rewards` : `${DISTRIBUTION}/delegators/{delegator_address}/rewards/{validator_address}`),
  }),
  routeQuery({ name: "q distribution commission", summary: "A validator's accumulated, unwithdrawn commission", args: [{ param: "validator_address", usage: "validator-address" }], route: `${DISTRIBUTION}/validators/{validator_address}/commission` }),
  routeQuery({ name: "q distribution params", summary: "Distribution parameters", args: [], route: `${DISTRIBUTION}/params` }),
  routeQuery({ name: "q slashing signing-info", summary: "A validator's liveness record (by consensus address ogpuvalcons1…)", args: [{ param: "cons_address", usage: "validator-consensus-address" }], route: `${SLASHING}/signing_infos/{cons_address}` }),
  routeQuery({ name: "q slashing params", summary: "Slashing parameters", args: [], route: `${SLASHING}/params` }),
];

export const authzQueryCommands: Command[] = [
  routeQuery({
    name: "q authz grants", summary: "The grants a granter gave a grantee (one msg type's with <msg-type-url>); a submit-task grant's spend_limit is what is left",
    args: [{ param: "granter", usage: "granter-address" }, { param: "grantee", usage: "grantee-address" }], optionalArg: { param: "msg_type_url", usage: "msg-type-url" },
    route: `${AUTHZ}/grants`, paged: true,
  }),
];
