import { readFile } from "node:fs/promises";
import { parseAccountAddress } from "../../app/address.js";
import { writeSecretFile } from "../../crypto/secret-file.js";

/**
 * Which chain address each chat user linked with `/start <address>` (Telegram user id →
 * ogpu1… granter), kept in one small JSON file under the bot's home so a restarted bot still
 * knows its users. It holds nothing the chain does not already show (the grants) but who is
 * who in the chat, so it is written owner-only (0600), whole, through a temporary file and a
 * rename: a crash leaves the old file or the new one, never half of one.
 */
export class LinkStore {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly links: Map<number, string>,
  ) {}

  /** The links in `path` (none yet when the file does not exist); a file that is not a links file is refused. */
  static async open(path: string): Promise<LinkStore> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return new LinkStore(path, new Map());
      throw err;
    }
    return new LinkStore(path, parseLinks(path, text));
  }

  get(userId: number): string | undefined {
    return this.links.get(userId);
  }

  /** Links `userId` to `address` and saves; writes run one after another, each with every link so far. */
  set(userId: number, address: string): Promise<void> {
    this.links.set(userId, address);
    const path = this.path;
    const text = JSON.stringify({ links: Object.fromEntries(this.links) }, null, 1) + "\n";
    const write = this.writing.then(() => writeSecretFile(path, text));
    // A failed write is the caller's to report; the next one still runs.
    this.writing = write.catch(() => undefined);
    return write;
  }
}

function parseLinks(path: string, text: string): Map<number, string> {
  const refuse = (why: string) => new Error(`${path} is not an ogpu-bot links file: ${why}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw refuse((err as Error).message);
  }
  const links = (doc as { links?: unknown } | null)?.links;
  if (typeof links !== "object" || links === null || Array.isArray(links)) throw refuse('no "links" object');
  const out = new Map<number, string>();
  for (const [id, address] of Object.entries(links as Record<string, unknown>)) {
    if (!/^[1-9][0-9]{0,15}$/.test(id) || !Number.isSafeInteger(Number(id))) throw refuse(`user id '${id}'`);
    if (typeof address !== "string") throw refuse(`the address of user ${id} is not a string`);
    try {
      parseAccountAddress(address);
    } catch (err) {
      throw refuse(`user ${id}: ${(err as Error).message}`);
    }
    out.set(Number(id), address);
  }
  return out;
}
