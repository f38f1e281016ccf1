import { rename, rm, writeFile } from "node:fs/promises";

/**
 * Writes a file that holds secrets (mnemonics, keys): owner-only (0600) from its first byte,
 * through a temporary file and a rename, so a crash never leaves it half-written and an
 * existing file with looser permissions is replaced rather than rewritten in place.
 */
export async function writeSecretFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text, { mode: 0o600, flag: "wx" });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
