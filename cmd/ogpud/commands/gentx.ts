import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CliError, stringFlag, type Command } from "../../cli.js";
import { cometbftBinary } from "../../paths.js";
import { BASE_DENOM, parseCoins } from "../../../app/coins.js";
import { encodePubKeyAny } from "../../../crypto/pubkey.js";
import { fromBech32, ACCOUNT_PREFIX } from "../../../crypto/bech32.js";
import { createValidatorMsg, signGentx } from "../../../x/genutil/gentx.js";
import { readConsensusPubKey } from "../../../server/consensus-key.js";
import { homeFlag, homeOption, nodePaths, readGenesis, writeGenesis, type NodePaths } from "../home.js";
import { keyringFromFlags, keyringOptions } from "../keyring-flags.js";
import { valoperString } from "../../../app/validator-address.js";
import { parseDec } from "../../../app/dec.js";

/** The ed25519 consensus public key CometBFT generated for this node. */
function consensusPubKey(paths: NodePaths): Uint8Array {
  try {
    return readConsensusPubKey(paths.home);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

function decFlag(value: unknown, fallback: string, name: string): string {
  const text = typeof value === "string" ? value : fallback;
  try {
    return parseDec(text).toString();
  } catch {
    throw new CliError(`--${name} must be a decimal such as 0.10, got ${text}`);
  }
}

const gentxDir = (paths: NodePaths) => join(paths.config, "gentx");

export const genesisGentxCommand: Command = {
  name: "genesis gentx",
  summary: "Create a genesis tx that makes this node a validator (self-delegation + consensus key)",
  usage: "<key-name> <amount, e.g. 1000000000uogpu> [--home <dir>] [--chain-id <id>] [--moniker <name>] [--commission-rate 0.10]",
  options: {
    ...homeOption,
    ...keyringOptions,
    "chain-id": { type: "string", description: "chain id to sign for (default: genesis.json's)" },
    moniker: { type: "string", description: "validator name (default: the key name)" },
    "commission-rate": { type: "string", description: "commission rate (default 0.10)" },
    "commission-max-rate": { type: "string", description: "maximum commission rate (default 0.20)" },
    "commission-max-change-rate": { type: "string", description: "maximum daily commission change (default 0.01)" },
    "min-self-delegation": { type: "string", description: "minimum self-delegation in uogpu (default 1)" },
  },
  async run({ positionals, flags }) {
    const [keyName, amountText] = positionals;
    if (!keyName || !amountText) throw new CliError("usage: ogpud genesis gentx <key-name> <amount>");
    const coins = parseCoins(amountText);
    if (coins.length !== 1 || coins[0]!.denom !== BASE_DENOM) throw new CliError(`amount must be a single ${BASE_DENOM} coin, got ${amountText}`);
    const amount = coins[0]!.amount;
    const paths = nodePaths(homeFlag(flags));
    const genesis = await readGenesis(paths);
    const chainId = stringFlag(flags, "chain-id", genesis.chain_id);
    const keyring = keyringFromFlags(flags);
    const info = await keyring.show(keyName);
    const operator = fromBech32(info.address, ACCOUNT_PREFIX);
    // The SDK's check: the self-delegation must be covered by the account's genesis balance.
    const balances = ((genesis.app_state?.bank as { balances?: { address: string; coins: { denom: string; amount: string }[] }[] } | undefined)?.balances ?? []);
    const held = BigInt(balances.find((b) => b.address === info.address)?.coins.find((c) => c.denom === BASE_DENOM)?.amount ?? "0");
    if (held < amount) throw new CliError(`${info.address} has ${held}${BASE_DENOM} in genesis, less than the self-delegation ${amount}${BASE_DENOM}: run 'ogpud genesis add-account' first`);

    const msg = createValidatorMsg({
      operator,
      consensusKey: await consensusPubKey(paths),
      amount,
      moniker: stringFlag(flags, "moniker", keyName),
      commissionRate: decFlag(flags["commission-rate"], "0.10", "commission-rate"),
      commissionMaxRate: decFlag(flags["commission-max-rate"], "0.20", "commission-max-rate"),
      commissionMaxChangeRate: decFlag(flags["commission-max-change-rate"], "0.01", "commission-max-change-rate"),
      minSelfDelegation: BigInt(stringFlag(flags, "min-self-delegation", "1")),
    });
    const signerPubKey = encodePubKeyAny(await keyring.pubKey(keyName));
    const txBytes = await signGentx([msg], signerPubKey, chainId, async (bytes) => (await keyring.sign(keyName, bytes)).signature);
    const nodeId = execFileSync(cometbftBinary(), ["show-node-id", "--home", paths.home], { encoding: "utf8" }).trim();
    await mkdir(gentxDir(paths), { recursive: true });
    const file = join(gentxDir(paths), `gentx-${nodeId}.json`);
    const summary = { chain_id: chainId, node_id: nodeId, operator: info.address, validator: valoperString(operator), self_delegation: `${amount}${BASE_DENOM}` };
    await writeFile(file, JSON.stringify({ summary, tx: Buffer.from(txBytes).toString("base64") }, null, 2) + "\n");
    console.log(`genesis tx written to ${file}`);
  },
};

export const genesisCollectGentxsCommand: Command = {
  name: "genesis collect-gentxs",
  summary: "Put every gentx in config/gentx/ into genesis.json; the app then returns the validator set",
  usage: "[--home <dir>] [--gentx-dir <dir>]",
  options: { ...homeOption, "gentx-dir": { type: "string", description: "folder of gentx-*.json files (default <home>/config/gentx)" } },
  async run({ flags }) {
    const paths = nodePaths(homeFlag(flags));
    const dir = stringFlag(flags, "gentx-dir", gentxDir(paths));
    const files = existsSync(dir) ? (await readdir(dir)).filter((f) => /^gentx-.*\.json$/.test(f)).sort() : [];
    if (files.length === 0) throw new CliError(`no gentx-*.json files in ${dir}: run 'ogpud genesis gentx' first`);
    const genTxs: string[] = [];
    for (const f of files) {
      const { tx } = JSON.parse(await readFile(join(dir, f), "utf8")) as { tx?: unknown };
      if (typeof tx !== "string") throw new CliError(`${f} has no "tx" field`);
      genTxs.push(tx);
    }
    const genesis = await readGenesis(paths);
    const appState = genesis.app_state ?? {};
    appState.genutil = { ...((appState.genutil as object | undefined) ?? {}), gen_txs: genTxs };
    // CometBFT takes the set InitChain returns when genesis.json lists none.
    await writeGenesis(paths, { ...genesis, validators: [], app_state: appState });
    console.log(`collected ${genTxs.length} gentx(s) into ${paths.genesis}`);
  },
};

export const gentxCommands: Command[] = [genesisGentxCommand, genesisCollectGentxsCommand];
