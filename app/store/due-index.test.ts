import { describe, expect, it } from "vitest";
import { addDue, dueEntries, removeDue } from "./due-index.js";
import { keyBytes, u64Key } from "./keys.js";
import { MemStore } from "./kvstore.js";

const PREFIX = "m/due/";

describe("due-at-height index", () => {
  it("keys are prefix ‖ u64 big-endian height ‖ rest, byte for byte", () => {
    const store = new MemStore();
    addDue(store, PREFIX, 258n, "id-7", Uint8Array.from([9]));
    const [[key, value]] = [...store.iterate(PREFIX)] as [[string, Uint8Array]];
    expect([...keyBytes(key)]).toEqual([...Buffer.from(PREFIX, "latin1"), 0, 0, 0, 0, 0, 0, 1, 2, ...Buffer.from("id-7", "latin1")]);
    expect([...value]).toEqual([9]);
  });

  it("returns entries due by H in (height, rest) order, numerically across byte lengths", () => {
    const store = new MemStore();
    for (const [h, rest] of [[300n, u64Key(1n)], [2n, u64Key(5n)], [2n, u64Key(3n)], [70_000n, u64Key(2n)]] as const) addDue(store, PREFIX, h, rest);
    addDue(store, "m/other/", 1n, "x");
    const due = dueEntries(store, PREFIX, 300n).map((e) => [e.height, e.rest]);
    expect(due).toEqual([[2n, u64Key(3n)], [2n, u64Key(5n)], [300n, u64Key(1n)]]);
    expect(dueEntries(store, PREFIX).map((e) => e.height)).toEqual([2n, 2n, 300n, 70_000n]);
    expect(dueEntries(store, PREFIX, 1n)).toEqual([]);
  });

  it("is collected before returning, so callers can delete what they visit", () => {
    const store = new MemStore();
    for (let i = 1n; i <= 5n; i++) addDue(store, PREFIX, i, u64Key(i));
    for (const e of dueEntries(store, PREFIX, 3n)) removeDue(store, PREFIX, e.height, e.rest);
    expect(dueEntries(store, PREFIX).map((e) => e.height)).toEqual([4n, 5n]);
  });
});
