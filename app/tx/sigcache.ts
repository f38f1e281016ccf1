import { createHash } from "node:crypto";
import type { PubKey } from "../../crypto/pubkey.js";
import { verifySignature } from "../../crypto/pubkey.js";

/**
 * Remembers signatures already verified. A tx is verified in CheckTx and again when its
 * block is executed; the second check is a lookup. Safe: the key binds the public key, the
 * exact signed bytes and the signature, so a hit means the same check would pass again.
 */
export class VerifiedSignatures {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 200_000) {}

  verify(pk: PubKey, signBytes: Uint8Array, signature: Uint8Array): boolean {
    const key = createHash("sha256").update(pk.key).update(signBytes).update(signature).digest("binary");
    if (this.seen.has(key)) return true;
    if (!verifySignature(pk, signBytes, signature)) return false;
    if (this.seen.size >= this.capacity) {
      // Sets iterate in insertion order: drop the oldest entry.
      this.seen.delete(this.seen.values().next().value!);
    }
    this.seen.add(key);
    return true;
  }
}
