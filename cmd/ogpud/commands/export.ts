import { hexUpper } from "../../../crypto/bytes.js";
import { CliError, type Command } from "../../cli.js";
import { OgpuApp } from "../../../app/app.js";
import { createAppWiring } from "../../../app/modules.js";
import { exportGenesisDocument } from "../../../app/genesis-export.js";
import { homeFlag, homeOption, nodePaths, readGenesis } from "../home.js";

/**
 * `ogpud export`: the committed state as a new genesis file (for a chain restart, an upgrade
 * by export/import, or `ogpud shadow-fork --from-file`). Reads the node's LevelDB directly, so
 * the node must be stopped: LevelDB allows one process at a time and the running node holds
 * its lock (a running node can serve the same document over REST: `ogpud start --serve-export`).
 */
export const exportCommand: Command = {
  name: "export",
  summary: "Print a genesis JSON made from the node's committed state (node must be stopped)",
  usage: "[--home <dir>]",
  options: { ...homeOption },
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new CliError("usage: export [--home <dir>]");
    const paths = nodePaths(homeFlag(flags));
    const genesis = await readGenesis(paths);
    const app = await openCommittedState(paths.appDb);
    try {
      if (app.lastCommit.height === 0n) throw new CliError(`the node at ${paths.home} has no committed block yet: nothing to export`);
      // The new chain continues where this one stopped.
      const { genesis: exported, height, appHash } = exportGenesisDocument(app, genesis);
      console.log(JSON.stringify(exported, null, 2));
      console.error(`exported state at height ${height}, app hash ${hexUpper(appHash)}`);
      return 0;
    } finally {
      await app.close();
    }
  },
};

async function openCommittedState(dbPath: string): Promise<OgpuApp> {
  try {
    // No mempool or invariant work happens here; the options only matter to a serving node.
    return await OgpuApp.open(dbPath, createAppWiring(), { minGasPrices: [], checkInvariants: false });
  } catch (err) {
    if (isLockError(err)) throw new CliError(`cannot open ${dbPath}: the database is in use — stop the node first`);
    throw new CliError(`cannot open ${dbPath}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** classic-level reports a held LOCK file as LEVEL_DATABASE_NOT_OPEN caused by LEVEL_LOCKED. */
function isLockError(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = (e as Error & { cause?: unknown }).cause) {
    const code = (e as Error & { code?: unknown }).code;
    if (code === "LEVEL_LOCKED" || /lock/i.test(e.message)) return true;
  }
  return false;
}
