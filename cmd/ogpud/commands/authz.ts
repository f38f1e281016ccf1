import { MsgGrant, MsgRevoke } from "cosmjs-types/cosmos/authz/v1beta1/tx";
import { GenericAuthorization } from "cosmjs-types/cosmos/authz/v1beta1/authz";
import { CliError, stringFlag, type Command, type Flags } from "../../cli.js";
import { BASE_DENOM, parseCoins } from "../../../app/coins.js";
import { parseAccountAddress } from "../../../app/address.js";
import { SubmitTaskAuthorization } from "../../../proto/gen/ogpu/authz/v1/authz.js";
import { MSG } from "../../../sdk/registry.js";
import { SUBMIT_TASK_AUTHORIZATION_TYPE_URL } from "../../../proto/msg-types.js";
import { txCommand } from "./staking.js";

const GRANT_URL = MsgGrant.typeUrl;

/** --expiration: unix seconds or an RFC 3339 UTC time; undefined = never. */
function expirationFlag(flags: Flags): { seconds: bigint; nanos: number } | undefined {
  const text = flags.expiration;
  if (typeof text !== "string") return undefined;
  if (/^[0-9]+$/.test(text)) return { seconds: BigInt(text), nanos: 0 };
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw new CliError(`--expiration must be unix seconds or an RFC 3339 UTC time (2030-01-01T00:00:00Z), got '${text}'`);
  return { seconds: BigInt(ms / 1000), nanos: 0 };
}

function spendLimitFlag(flags: Flags): string {
  const coins = parseCoins(stringFlag(flags, "spend-limit"));
  if (coins.length !== 1 || coins[0]!.denom !== BASE_DENOM || coins[0]!.amount <= 0n) throw new CliError(`--spend-limit must be a positive ${BASE_DENOM} amount, e.g. 5000000${BASE_DENOM}`);
  return coins[0]!.amount.toString();
}

const grant = txCommand({
  name: "tx authz grant",
  summary: "Let <grantee> act for the --from key: 'submit-task' (task submission up to --spend-limit of escrow) or 'generic' (--msg-type)",
  usage: "<grantee> submit-task --spend-limit <n>uogpu [--max-tasks <n>] [--expiration <time>] | <grantee> generic --msg-type <type-url> [--expiration <time>]",
  arity: [2, 2],
  options: {
    "spend-limit": { type: "string", description: "submit-task: total escrow the grantee may move, e.g. 5000000uogpu" },
    "max-tasks": { type: "string", description: "submit-task: most submissions (default 0 = no count limit)" },
    "msg-type": { type: "string", description: "generic: the msg type URL allowed" },
    expiration: { type: "string", description: "unix seconds or RFC 3339 UTC time the grant ends (default: never)" },
  },
  build([grantee, kind], granter, flags) {
    parseAccountAddress(grantee!, "grantee");
    let authorization;
    if (kind === "submit-task") {
      const maxTasks = stringFlag(flags, "max-tasks", "0");
      if (!/^[0-9]+$/.test(maxTasks)) throw new CliError(`--max-tasks must be a count, got '${maxTasks}'`);
      authorization = { typeUrl: SUBMIT_TASK_AUTHORIZATION_TYPE_URL, value: SubmitTaskAuthorization.encode({ spendLimit: spendLimitFlag(flags), maxTasks: BigInt(maxTasks) }).finish() };
    } else if (kind === "generic") {
      authorization = { typeUrl: GenericAuthorization.typeUrl, value: GenericAuthorization.encode({ msg: stringFlag(flags, "msg-type") }).finish() };
    } else {
      throw new CliError(`authorization kind must be 'submit-task' or 'generic', got '${kind}'`);
    }
    return [{ typeUrl: GRANT_URL, value: MsgGrant.fromPartial({ granter, grantee, grant: { authorization, expiration: expirationFlag(flags) } }) }];
  },
  describe: ([grantee, kind]) => `grant ${kind} to ${grantee}`,
});

const revoke = txCommand({
  name: "tx authz revoke",
  summary: "Take back the grant the --from key gave <grantee> for <msg-type-url> (submit-task: " + MSG.SubmitTask + ")",
  usage: "<grantee> <msg-type-url>",
  arity: [2, 2],
  build: ([grantee, msgTypeUrl], granter) => [{ typeUrl: MsgRevoke.typeUrl, value: MsgRevoke.fromPartial({ granter, grantee: grantee!, msgTypeUrl: msgTypeUrl! }) }],
  describe: ([grantee, msgTypeUrl]) => `revoke ${msgTypeUrl} from ${grantee}`,
});

export const authzTxCommands: Command[] = [grant, revoke];
