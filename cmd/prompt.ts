import { createInterface, type Interface } from "node:readline";
import { Writable } from "node:stream";

/**
 * Questions a command asks its user, on stderr: on a terminal, one line each (secrets without
 * echo); with stdin piped, one line of stdin per question, in order — how gaiad scripts answer prompts
 * (`printf 'pass\npass\n' | gaiad keys export k`).
 */

let piped: { rl: Interface; lines: AsyncIterator<string> } | undefined;

async function nextPipedLine(): Promise<string> {
  if (!piped) {
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
    piped = { rl, lines: rl[Symbol.asyncIterator]() };
  }
  const next = await piped.lines.next();
  return next.done ? "" : next.value;
}

/** Stops reading stdin, so a finished command does not wait on an open pipe. */
export function closePrompts(): void {
  piped?.rl.close();
  piped = undefined;
}

/** Asks one question on stderr; the answer without surrounding whitespace. */
export async function promptLine(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    process.stderr.write(question);
    return (await nextPipedLine()).trim();
  }
  return ask(question, false);
}

/** Like promptLine, but a terminal does not echo what is typed (passphrases). */
export async function promptSecret(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    process.stderr.write(question);
    return nextPipedLine();
  }
  return ask(question, true);
}

async function ask(question: string, hidden: boolean): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = new Promise<string>((resolve) => rl.question(question, resolve));
    muted = hidden;
    const text = await answer;
    if (hidden) process.stderr.write("\n");
    return hidden ? text : text.trim();
  } finally {
    rl.close();
  }
}
