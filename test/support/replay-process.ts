/**
 * Replays a plan (app/replay-blocks.ts) in a fresh node process with the given flags
 * (`--stack-size=N`, …) and returns its per-block lines. Needs the build (dist/).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ReplayedBlock } from "../../app/replay-blocks.js";

const run = promisify(execFile);
const REPLAY = join(process.cwd(), "dist", "app", "replay-blocks.js");

export async function replayInProcess(planPath: string, nodeFlags: string[]): Promise<ReplayedBlock[]> {
  const { stdout } = await run(process.execPath, [...nodeFlags, REPLAY, planPath], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim().split("\n").map((line) => JSON.parse(line) as ReplayedBlock);
}
