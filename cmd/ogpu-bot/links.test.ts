import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testKey } from "../../app/testkit.js";
import { LinkStore } from "./links.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ogpu-bot-links-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("ogpu-bot LinkStore", () => {
  it("a reopened store finds every link saved, even ones saved at once; the file is owner-only and leaves no temporary file", async () => {
    const path = join(dir, "links.json");
    const first = await LinkStore.open(path);
    expect(first.get(7)).toBeUndefined();
    await Promise.all([first.set(7, testKey(0).address), first.set(8, testKey(1).address), first.set(7, testKey(2).address)]);
    const reopened = await LinkStore.open(path);
    expect([reopened.get(7), reopened.get(8)]).toEqual([testKey(2).address, testKey(1).address]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(["links.json"]);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ links: { 7: testKey(2).address, 8: testKey(1).address } });
  });

  it("a file that is not a links file is refused with its path and why, not silently emptied", async () => {
    const path = join(dir, "links.json");
    for (const [text, why] of [
      ["{", /links\.json is not an ogpu-bot links file/],
      ['{"links":[]}', /no "links" object/],
      ['{"links":{"x":"ogpu1"}}', /user id 'x'/],
      ['{"links":{"7":"cosmos1qqqq"}}', /user 7/],
    ] as const) {
      await writeFile(path, text);
      await expect(LinkStore.open(path), text).rejects.toThrow(why);
    }
    expect(await readFile(path, "utf8")).toBe('{"links":{"7":"cosmos1qqqq"}}');
  });
});
