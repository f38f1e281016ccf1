import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nextAppHash } from "./apphash.js";
import { CommittedStore } from "./committed.js";
import { Branch, MemStore, type ChangeSet } from "./kvstore.js";
import { u64Key, parseU64Key } from "./keys.js";

const v = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));
const entries = (it: Iterable<[string, Uint8Array]>) => [...it].map(([k, val]) => [k, text(val)]);

describe("branches", () => {
  it("overlay writes and deletes, merged in key order with the parent", () => {
    const base = new MemStore();
    for (const k of ["a/1", "a/3", "a/5", "b/1"]) base.set(k, v(`base ${k}`));
    const branch = new Branch(base);
    branch.set("a/2", v("new"));
    branch.set("a/3", v("changed"));
    branch.delete("a/5");
    branch.set("a/6", v("new 6"));
    expect(entries(branch.iterate("a/"))).toEqual([
      ["a/1", "base a/1"],
      ["a/2", "new"],
      ["a/3", "changed"],
      ["a/6", "new 6"],
    ]);
    expect(branch.has("a/5")).toBe(false);
    expect(text(base.get("a/3"))).toBe("base a/3"); // parent untouched until writeToParent
    branch.writeToParent();
    expect(entries(base.iterate("a/"))).toEqual(entries(branch.iterate("a/")));
  });

  it("a discarded nested branch leaves its parent as it was", () => {
    const base = new MemStore();
    base.set("k", v("1"));
    const block = new Branch(base);
    block.set("k", v("2"));
    const tx = new Branch(block);
    tx.set("k", v("3"));
    tx.set("x", v("y"));
    expect(text(tx.get("k"))).toBe("3");
    // tx dropped (message failed): nothing of it reaches the block branch
    expect(text(block.get("k"))).toBe("2");
    expect(block.has("x")).toBe(false);
  });

  it("a scan survives writes between its steps and stops early without reading the rest", () => {
    const store = new MemStore();
    for (const k of ["p/1", "p/2", "p/3", "p/4"]) store.set(k, v(k));
    const seen: string[] = [];
    for (const [k] of store.iterate("p/")) {
      seen.push(k);
      if (k === "p/1") store.delete("p/2"); // removed ahead of the cursor: not visited
      if (k === "p/3") store.delete("p/3"); // removed under the cursor: the scan goes on after it
    }
    expect(seen).toEqual(["p/1", "p/3", "p/4"]);
    const branch = new Branch(store);
    branch.set("p/0", v("x"));
    branch.delete("p/4");
    expect(entries(branch.iterate("p/"))).toEqual([["p/0", "x"], ["p/1", "p/1"]]);
  });

  it("u64 keys sort numerically", () => {
    const store = new MemStore();
    for (const n of [300n, 2n, 70_000n, 1n]) store.set("n/" + u64Key(n), v(String(n)));
    expect([...store.iterate("n/")].map(([k]) => parseU64Key(k.slice(2)))).toEqual([1n, 2n, 300n, 70_000n]);
  });
});

describe("app hash", () => {
  it("depends on the changes, not on the order they were made", () => {
    const a: ChangeSet = new Map([["x", v("1")], ["y", null], ["z", v("3")]]);
    const b: ChangeSet = new Map([["z", v("3")], ["x", v("1")], ["y", null]]);
    const prev = new Uint8Array(32);
    expect(nextAppHash(prev, a)).toEqual(nextAppHash(prev, b));
    expect(nextAppHash(prev, a)).not.toEqual(nextAppHash(prev, new Map([["x", v("1")], ["z", v("3")]])));
    expect(nextAppHash(prev, new Map())).toEqual(prev); // empty block keeps the hash
  });

  it("distinguishes a deletion from an empty value and key/value boundaries", () => {
    const prev = new Uint8Array(32);
    expect(nextAppHash(prev, new Map([["k", null]]))).not.toEqual(nextAppHash(prev, new Map([["k", new Uint8Array()]])));
    expect(nextAppHash(prev, new Map([["ab", v("c")]]))).not.toEqual(nextAppHash(prev, new Map([["a", v("bc")]])));
  });
});

describe("committed store on LevelDB", () => {
  it("persists state, height and app hash together and reloads them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ogpu-store-"));
    try {
      const store = await CommittedStore.open(join(dir, "db"));
      expect(store.lastCommit.height).toBe(0n);
      await store.commit(new Map([["a", v("1")], ["b", v("2")]]), { height: 1n, appHash: v("h1"), timeSeconds: 1n });
      await store.commit(new Map([["a", null], ["c", v("3")]]), { height: 2n, appHash: v("h2"), timeSeconds: 2n });
      await store.close();
      const reopened = await CommittedStore.open(join(dir, "db"));
      expect(reopened.lastCommit).toEqual({ height: 2n, appHash: v("h2"), timeSeconds: 2n });
      expect(entries(reopened.iterate(""))).toEqual([["b", "2"], ["c", "3"]]);
      expect(() => reopened.set()).toThrow();
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
