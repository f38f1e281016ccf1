import { CliError, type Command } from "../../cli.js";
import { coinsToWire, parseCoins } from "../../../app/coins.js";
import { parseAccountAddress } from "../../../app/address.js";
import { homeFlag, homeOption, nodePaths, readGenesis, writeGenesis } from "../home.js";
import { keyringFromFlags, keyringOptions } from "../keyring-flags.js";

/** Accepts a bech32 address or the name of a key in the node's keyring. */
async function resolveAddress(nameOrAddress: string, flags: Parameters<typeof keyringFromFlags>[0]): Promise<string> {
  if (nameOrAddress.startsWith("ogpu1")) {
    parseAccountAddress(nameOrAddress);
    return nameOrAddress;
  }
  return (await keyringFromFlags(flags).show(nameOrAddress)).address;
}

export const genesisAddAccountCommand: Command = {
  name: "genesis add-account",
  summary: "Give an account a starting balance in genesis.json",
  usage: "<address|key-name> <coins, e.g. 1000000uogpu> [--home <dir>]",
  options: { ...homeOption, ...keyringOptions },
  async run({ positionals, flags }) {
    const [who, coinsText] = positionals;
    if (!who || !coinsText) throw new CliError("usage: ogpud genesis add-account <address|key-name> <coins>");
    const address = await resolveAddress(who, flags);
    const coins = parseCoins(coinsText);
    const paths = nodePaths(homeFlag(flags));
    const genesis = await readGenesis(paths);
    const appState = genesis.app_state ?? {};
    const bank = (appState.bank ?? {}) as { balances?: { address: string; coins: { denom: string; amount: string }[] }[] };
    const balances = bank.balances ?? [];
    if (balances.some((b) => b.address === address)) throw new CliError(`${address} already has a genesis balance`);
    balances.push({ address, coins: coinsToWire(coins) });
    appState.bank = { ...bank, balances };
    await writeGenesis(paths, { ...genesis, app_state: appState });
    console.log(`added ${coinsText} for ${address} to ${paths.genesis}`);
  },
};
