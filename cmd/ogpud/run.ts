import { runCli } from "../cli.js";
import { ogpudSpec } from "./spec.js";

export interface OgpudRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `ogpud <argv>` inside this process with its console output captured — for scripts
 * (testnet/) and tests that drive the real CLI without paying a process start per command.
 */
export async function runOgpud(argv: readonly string[]): Promise<OgpudRun> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    const code = await runCli(ogpudSpec, [...argv]);
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}
