import type { EncodeObject } from "@cosmjs/proto-signing";
import { MsgBeginRedelegate, MsgDelegate, MsgEditValidator, MsgUndelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { MsgWithdrawDelegatorReward, MsgWithdrawValidatorCommission } from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { CliError, stringFlag, type Command, type Flags, type OptionSpec } from "../../cli.js";
import { BASE_DENOM, parseCoins } from "../../../app/coins.js";
import { parseDec } from "../../../app/dec.js";
import { parseValoper, valoperString } from "../../../app/validator-address.js";
import { parseAccountAddress } from "../../../app/address.js";
import { createValidatorMsg } from "../../../x/genutil/gentx.js";
import { readConsensusPubKey } from "../../../server/consensus-key.js";
import { homeFlag } from "../home.js";
import { outputFormat, withNode } from "../client.js";
import { fromOption, printOutcome, signAndSend, txOptions } from "./tx.js";

/**
 * `ogpud tx staking|distribution|slashing …`, shaped like gaiad's: positionals are the
 * message's operands, --from the signing key; fees, gas and confirmation as for every tx.
 */
const options: OptionSpec = { ...txOptions, ...fromOption };

function cli<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
}

const valoperArg = (text: string) => cli(() => (parseValoper(text), text));

/** One uogpu amount, e.g. 1000000uogpu. */
function bondCoin(text: string): { denom: string; amount: string } {
  const coins = cli(() => parseCoins(text));
  if (coins.length !== 1 || coins[0]!.denom !== BASE_DENOM || coins[0]!.amount <= 0n) throw new CliError(`amount must be one positive ${BASE_DENOM} coin, got ${text}`);
  return { denom: BASE_DENOM, amount: coins[0]!.amount.toString() };
}

/** A Cosmos Dec flag (0.10) as wire atomics, or `fallback` when absent. */
function decFlag(flags: Flags, name: string, fallback?: string): string | undefined {
  const text = typeof flags[name] === "string" ? (flags[name] as string) : fallback;
  if (text === undefined) return undefined;
  return cli(() => parseDec(text).toString());
}

/** A tx command: `build` makes the messages from the positionals and the signer's address. */
export function txCommand(spec: { name: string; summary: string; usage: string; arity: [number, number]; options?: OptionSpec; build(args: string[], signer: string, flags: Flags): EncodeObject[]; describe(args: string[]): string }): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: `${spec.usage} --from <key>`,
    options: { ...options, ...spec.options },
    async run({ positionals, flags }) {
      const [min, max] = spec.arity;
      if (positionals.length < min || positionals.length > max) throw new CliError(`usage: ${spec.name} ${spec.usage} --from <key>`);
      stringFlag(flags, "from");
      const format = outputFormat(flags);
      return withNode(flags, async (node) => {
        const outcome = await signAndSend(flags, node, (signer) => spec.build(positionals, signer, flags), spec.describe(positionals));
        printOutcome(format, outcome);
        return 0;
      });
    },
  };
}

const createValidator = txCommand({
  name: "tx staking create-validator",
  summary: "Make the --from key a validator: self-delegation and this node's consensus key",
  usage: "--amount <n>uogpu [--moniker <name>] [--commission-rate 0.10] [--pubkey <base64 ed25519>]",
  arity: [0, 0],
  options: {
    amount: { type: "string", description: "self-delegation, e.g. 1000000000uogpu (required)" },
    moniker: { type: "string", description: "validator name (default: the key name or address)" },
    pubkey: { type: "string", description: "base64 ed25519 consensus key (default: the home's config/priv_validator_key.json)" },
    "commission-rate": { type: "string", description: "commission rate (default 0.10)" },
    "commission-max-rate": { type: "string", description: "maximum commission rate (default 0.20)" },
    "commission-max-change-rate": { type: "string", description: "maximum commission change per day (default 0.01)" },
    "min-self-delegation": { type: "string", description: "minimum self-delegation in uogpu (default 1)" },
  },
  build(_args, signer, flags) {
    const amount = bondCoin(stringFlag(flags, "amount"));
    const consensusKey = typeof flags.pubkey === "string" ? new Uint8Array(Buffer.from(flags.pubkey, "base64")) : cli(() => readConsensusPubKey(homeFlag(flags)));
    if (consensusKey.length !== 32) throw new CliError("--pubkey must be a base64 32-byte ed25519 key");
    const minSelf = stringFlag(flags, "min-self-delegation", "1");
    if (!/^[1-9][0-9]*$/.test(minSelf)) throw new CliError(`--min-self-delegation must be a positive integer, got ${minSelf}`);
    const operator = parseAccountAddress(signer);
    return [createValidatorMsg({
      operator,
      consensusKey,
      amount: BigInt(amount.amount),
      moniker: stringFlag(flags, "moniker", stringFlag(flags, "from")),
      commissionRate: decFlag(flags, "commission-rate", "0.10")!,
      commissionMaxRate: decFlag(flags, "commission-max-rate", "0.20")!,
      commissionMaxChangeRate: decFlag(flags, "commission-max-change-rate", "0.01")!,
      minSelfDelegation: BigInt(minSelf),
    })];
  },
  describe: () => "create a validator",
});

/** The SDK's sentinel: a description field the edit leaves as it is. */
const DO_NOT_MODIFY = "[do-not-modify]";

const editValidator = txCommand({
  name: "tx staking edit-validator",
  summary: "Change the --from key's validator description, commission rate or minimum self-delegation",
  usage: "[--moniker <name>] [--identity <id>] [--website <url>] [--security-contact <email>] [--details <text>] [--commission-rate 0.12] [--min-self-delegation <n>]",
  arity: [0, 0],
  options: {
    moniker: { type: "string", description: "new name" },
    identity: { type: "string", description: "new identity (e.g. a Keybase id)" },
    website: { type: "string", description: "new website" },
    "security-contact": { type: "string", description: "new security contact" },
    details: { type: "string", description: "new details" },
    "commission-rate": { type: "string", description: "new commission rate (at most once per 24 h, within max change rate)" },
    "min-self-delegation": { type: "string", description: "new, higher minimum self-delegation in uogpu" },
  },
  build(_args, signer, flags) {
    const field = (name: string) => (typeof flags[name] === "string" ? (flags[name] as string) : DO_NOT_MODIFY);
    const value = MsgEditValidator.fromPartial({
      validatorAddress: valoperString(parseAccountAddress(signer)),
      description: { moniker: field("moniker"), identity: field("identity"), website: field("website"), securityContact: field("security-contact"), details: field("details") },
      commissionRate: decFlag(flags, "commission-rate") ?? "",
      minSelfDelegation: typeof flags["min-self-delegation"] === "string" ? flags["min-self-delegation"] : "",
    });
    return [{ typeUrl: "/cosmos.staking.v1beta1.MsgEditValidator", value }];
  },
  describe: () => "edit a validator",
});

const delegate = txCommand({
  name: "tx staking delegate",
  summary: "Delegate uogpu to a validator",
  usage: "<validator-address> <amount>",
  arity: [2, 2],
  build: ([validator, amount], signer) => [{ typeUrl: "/cosmos.staking.v1beta1.MsgDelegate", value: MsgDelegate.fromPartial({ delegatorAddress: signer, validatorAddress: valoperArg(validator!), amount: bondCoin(amount!) }) }],
  describe: ([validator, amount]) => `delegate ${amount} to ${validator}`,
});

const unbond = txCommand({
  name: "tx staking unbond",
  summary: "Undelegate uogpu from a validator (paid out after the unbonding period)",
  usage: "<validator-address> <amount>",
  arity: [2, 2],
  build: ([validator, amount], signer) => [{ typeUrl: "/cosmos.staking.v1beta1.MsgUndelegate", value: MsgUndelegate.fromPartial({ delegatorAddress: signer, validatorAddress: valoperArg(validator!), amount: bondCoin(amount!) }) }],
  describe: ([validator, amount]) => `unbond ${amount} from ${validator}`,
});

const redelegate = txCommand({
  name: "tx staking redelegate",
  summary: "Move a delegation from one validator to another without unbonding",
  usage: "<src-validator-address> <dst-validator-address> <amount>",
  arity: [3, 3],
  build: ([src, dst, amount], signer) => [{ typeUrl: "/cosmos.staking.v1beta1.MsgBeginRedelegate", value: MsgBeginRedelegate.fromPartial({ delegatorAddress: signer, validatorSrcAddress: valoperArg(src!), validatorDstAddress: valoperArg(dst!), amount: bondCoin(amount!) }) }],
  describe: ([src, dst, amount]) => `redelegate ${amount} from ${src} to ${dst}`,
});

const withdrawRewards = txCommand({
  name: "tx distribution withdraw-rewards",
  summary: "Withdraw a delegation's rewards (and, with --commission, the validator's own commission)",
  usage: "<validator-address> [--commission]",
  arity: [1, 1],
  options: { commission: { type: "boolean", description: "also withdraw the validator's commission (--from must be its operator)" } },
  build([validator], signer, flags) {
    const validatorAddress = valoperArg(validator!);
    const msgs: EncodeObject[] = [{ typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward", value: MsgWithdrawDelegatorReward.fromPartial({ delegatorAddress: signer, validatorAddress }) }];
    if (flags.commission) {
      if (valoperString(parseAccountAddress(signer)) !== validatorAddress) throw new CliError(`--commission: ${signer} is not the operator of ${validatorAddress}`);
      msgs.push({ typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission", value: MsgWithdrawValidatorCommission.fromPartial({ validatorAddress }) });
    }
    return msgs;
  },
  describe: ([validator]) => `withdraw rewards from ${validator}`,
});

const unjail = txCommand({
  name: "tx slashing unjail",
  summary: "Unjail the --from key's validator after its downtime jail has passed",
  usage: "",
  arity: [0, 0],
  build: (_args, signer) => [{ typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail", value: MsgUnjail.fromPartial({ validatorAddr: valoperString(parseAccountAddress(signer)) }) }],
  describe: () => "unjail",
});

export const stakingTxCommands: Command[] = [createValidator, editValidator, delegate, unbond, redelegate, withdrawRewards, unjail];
