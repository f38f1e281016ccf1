import { createHash } from "node:crypto";
import { keyBytes } from "./keys.js";
import type { ChangeSet } from "./kvstore.js";

/**
 * App hash v1: a hash chain over each block's sorted change set,
 *   app_hash(h) = sha256(app_hash(h-1) ‖ sha256(canonical(changes(h))))
 * It commits to the whole state because state is a pure function of the change history,
 * it costs O(changes) per block, and it is identical on every node and across restarts.
 * A block that changes nothing keeps the previous hash. An authenticated tree (proofs for
 * queries) is a later step; see docs/store.md.
 */
export function nextAppHash(previous: Uint8Array, changes: ChangeSet): Uint8Array {
  if (changes.size === 0) return previous;
  const keys = [...changes.keys()].sort();
  const digest = createHash("sha256");
  for (const key of keys) {
    const value = changes.get(key)!;
    const k = keyBytes(key);
    digest.update(lengthHeader(k.length));
    digest.update(k);
    if (value === null) {
      digest.update(DELETED);
    } else {
      digest.update(SET);
      digest.update(lengthHeader(value.length));
      digest.update(value);
    }
  }
  return new Uint8Array(createHash("sha256").update(previous).update(digest.digest()).digest());
}

const SET = Uint8Array.of(1);
const DELETED = Uint8Array.of(0);

function lengthHeader(n: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
