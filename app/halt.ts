/**
 * A deliberate, deterministic stop of the chain at a block (the SDK's upgrade panic): thrown
 * from FinalizeBlock before anything of the block is committed, so every node stops at the
 * same height with the same state, and CometBFT replays that block to whatever binary is
 * started next. OgpuApp logs it and hands it to the node, which stops cometbft and exits
 * with `exitCode` — never a generic failure code, so supervisors can tell a planned halt
 * from a crash.
 */
export class ChainHalt extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** For a software upgrade: what `data/upgrade-info.json` records (cosmovisor's format). */
    readonly upgrade?: { name: string; height: bigint; info: string },
  ) {
    super(message);
    this.name = "ChainHalt";
  }
}

/** Exit code of `ogpud start` when the chain halted for a software upgrade this binary lacks. */
export const UPGRADE_NEEDED_EXIT_CODE = 3;
/** Exit code when this binary knows an upgrade the chain has scheduled but not reached yet. */
export const BINARY_TOO_NEW_EXIT_CODE = 4;
