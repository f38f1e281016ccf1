/**
 * The deterministic bundle format of programs (and of a program's declared outputs): the same
 * files give the same bytes — hence the same blob CID, the task's `program_hash` — on every
 * machine, whatever the mtimes, owners, umask or directory listing order.
 *
 *   "OGPUPKG1"                      8-byte magic
 *   u32be count                     number of files (directories are implied by paths)
 *   count × { u16be pathLength, path (UTF-8, "/"-separated, relative),
 *             u8 mode (0 = regular, 1 = executable), u32be size, size bytes }
 *
 * Entries are sorted by path bytes, strictly ascending (so no duplicates); nothing follows the
 * last one. The decoder refuses anything else, so a bundle has exactly one encoding and equal
 * CIDs mean equal contents. Only regular files: symlinks, devices and sockets are refused at
 * pack time (a link could point outside the bundle). Path components are never "", "." or
 * "..", and no file is also a directory of another path.
 *
 * No I/O here, so a browser packs with the same code (web/src/customer/program.ts); reading a
 * directory from disk is sdk/program-dir.ts.
 */
import { compareBytes } from "../crypto/bytes.js";

export const PACK_MAGIC = "OGPUPKG1";
export const PACK_LIMITS = { files: 4096, pathBytes: 1024, totalBytes: 64 * 1024 * 1024 } as const;

export interface PackEntry {
  path: string;
  executable: boolean;
  data: Uint8Array;
}

export class PackError extends Error {
  constructor(message: string) {
    super(`program bundle: ${message}`);
    this.name = "PackError";
  }
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

function checkPath(path: string): void {
  const bytes = utf8.encode(path).length;
  if (bytes === 0 || bytes > PACK_LIMITS.pathBytes) throw new PackError(`path "${path}" must be 1..${PACK_LIMITS.pathBytes} bytes`);
  if (path.includes("\0") || path.includes("\\")) throw new PackError(`path "${path}" contains NUL or a backslash`);
  for (const part of path.split("/")) {
    if (part === "" || part === "." || part === "..") throw new PackError(`path "${path}" must be relative, without empty, "." or ".." components`);
  }
}

/** Sorted by path bytes; throws on duplicates and on a file that is also another path's directory. */
function canonical(entries: readonly PackEntry[]): PackEntry[] {
  if (entries.length > PACK_LIMITS.files) throw new PackError(`${entries.length} files; at most ${PACK_LIMITS.files}`);
  const sorted = [...entries].sort((a, b) => compareBytes(utf8.encode(a.path), utf8.encode(b.path)));
  const files = new Set<string>();
  for (const [i, e] of sorted.entries()) {
    checkPath(e.path);
    if (i > 0 && sorted[i - 1]!.path === e.path) throw new PackError(`path "${e.path}" appears twice`);
    files.add(e.path);
  }
  for (const e of sorted) {
    const parts = e.path.split("/");
    for (let n = 1; n < parts.length; n++) {
      const dir = parts.slice(0, n).join("/");
      if (files.has(dir)) throw new PackError(`"${dir}" is both a file and the directory of "${e.path}"`);
    }
  }
  return sorted;
}

/** Encodes files into the canonical bundle bytes. */
export function packFiles(entries: readonly PackEntry[]): Uint8Array {
  const sorted = canonical(entries);
  const paths = sorted.map((e) => utf8.encode(e.path));
  const total = 12 + sorted.reduce((n, e, i) => n + 2 + paths[i]!.length + 1 + 4 + e.data.length, 0);
  if (total > PACK_LIMITS.totalBytes) throw new PackError(`${total} bytes; at most ${PACK_LIMITS.totalBytes}`);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(utf8.encode(PACK_MAGIC), 0);
  view.setUint32(8, sorted.length);
  let at = 12;
  sorted.forEach((e, i) => {
    const path = paths[i]!;
    view.setUint16(at, path.length);
    out.set(path, at + 2);
    at += 2 + path.length;
    out[at] = e.executable ? 1 : 0;
    view.setUint32(at + 1, e.data.length);
    out.set(e.data, at + 5);
    at += 5 + e.data.length;
  });
  return out;
}

/** Decodes a bundle, refusing every non-canonical encoding. */
export function unpackFiles(bundle: Uint8Array): PackEntry[] {
  if (bundle.length > PACK_LIMITS.totalBytes) throw new PackError(`${bundle.length} bytes; at most ${PACK_LIMITS.totalBytes}`);
  if (bundle.length < 12 || new TextDecoder().decode(bundle.subarray(0, 8)) !== PACK_MAGIC) throw new PackError(`not a bundle (magic "${PACK_MAGIC}" missing)`);
  const view = new DataView(bundle.buffer, bundle.byteOffset, bundle.byteLength);
  const count = view.getUint32(8);
  if (count > PACK_LIMITS.files) throw new PackError(`${count} files; at most ${PACK_LIMITS.files}`);
  const need = (at: number, n: number) => {
    if (at + n > bundle.length) throw new PackError("truncated");
  };
  const entries: PackEntry[] = [];
  let at = 12;
  for (let i = 0; i < count; i++) {
    need(at, 2);
    const pathLength = view.getUint16(at);
    need(at + 2, pathLength + 5);
    const pathBytes = bundle.subarray(at + 2, at + 2 + pathLength);
    if (i > 0 && compareBytes(utf8.encode(entries[i - 1]!.path), pathBytes) >= 0) throw new PackError("entries are not in strictly ascending path order");
    let path: string;
    try {
      path = utf8Strict.decode(pathBytes);
    } catch {
      throw new PackError("a path is not valid UTF-8");
    }
    at += 2 + pathLength;
    const mode = bundle[at]!;
    if (mode > 1) throw new PackError(`"${path}" has mode ${mode}; only 0 (regular) and 1 (executable) exist`);
    const size = view.getUint32(at + 1);
    need(at + 5, size);
    entries.push({ path, executable: mode === 1, data: bundle.subarray(at + 5, at + 5 + size) });
    at += 5 + size;
  }
  if (at !== bundle.length) throw new PackError(`${bundle.length - at} bytes after the last entry`);
  canonical(entries);
  return entries;
}
