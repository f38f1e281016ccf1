/**
 * Programs from a directory on disk (Node only): its files as bundle entries, packed by the one
 * bundle implementation (sdk/program-pack.ts, sdk/programs.ts) that browsers use too.
 */
import { lstat, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { PACK_LIMITS, PackError, type PackEntry } from "./program-pack.js";
import { packProgramFiles, type PackedProgram } from "./programs.js";

/** Reads a directory tree into entries (regular files only; the executable bit is any x bit). */
export async function readDirectoryEntries(root: string): Promise<PackEntry[]> {
  const entries: PackEntry[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const host = join(dir, name);
      const path = prefix === "" ? name : `${prefix}/${name}`;
      const st = await lstat(host);
      if (st.isDirectory()) await walk(host, path);
      else if (st.isFile()) {
        if (entries.length >= PACK_LIMITS.files) throw new PackError(`more than ${PACK_LIMITS.files} files under ${root}`);
        entries.push({ path, executable: (st.mode & 0o111) !== 0, data: new Uint8Array(await readFile(host)) });
      } else throw new PackError(`"${path}" is not a regular file or directory (symlinks and special files are not packed)`);
    }
  };
  await walk(root, "");
  return entries;
}

/** Packs the directory `dir`: same files → same bytes → same CID, on any machine. */
export async function packProgram(dir: string): Promise<PackedProgram> {
  return packProgramFiles(await readDirectoryEntries(dir));
}
