/**
 * Auditor keys: the encryption key each validator's auditor (worker/auditor.ts) opens encrypted
 * task inputs with. A client sealing an input wraps its data key to every key of the active set
 * (Query/AuditorKeys, sdk/task-io.ts), because any active validator can be drawn on the task's
 * audit or dispute committee and must be able to re-execute it.
 *
 *   attest/ak/ ‖ len‖operator → enc_pubkey (1216 B, X25519 ‖ ML-KEM-768)
 *
 * Keyed by the operator account (the same 20 bytes as its valoper address), as committees name
 * their members. A key outlives its validator leaving the active set: the query filters by the
 * set, so a validator that comes back needs no new transaction.
 */
import { bytesEqual } from "../../crypto/bytes.js";
import { auditorKeyFingerprint } from "../../crypto/kem-pubkey.js";
import type { Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { accountAddressString } from "../../app/address.js";
import type { Context } from "../../app/context.js";
import { lengthPrefixed, splitLengthPrefixed } from "../../app/store/keys.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { attestError, AttestCode } from "./errors.js";
import { AttestEvent } from "./events.js";
import type { AttestDeps } from "./keeper.js";

const AUDITOR_KEY = "attest/ak/";

export interface AuditorKeyEntry {
  operator: Uint8Array;
  encPubkey: Uint8Array;
}

export function getAuditorKey(store: KVStore, operator: Uint8Array): Uint8Array | undefined {
  const raw = store.get(AUDITOR_KEY + lengthPrefixed(operator));
  return raw === undefined ? undefined : new Uint8Array(raw);
}

export function putAuditorKey(store: KVStore, operator: Uint8Array, encPubkey: Uint8Array): void {
  store.set(AUDITOR_KEY + lengthPrefixed(operator), encPubkey);
}

/** Every stored key, in operator order (genesis export). */
export function* allAuditorKeys(store: KVStore): Iterable<AuditorKeyEntry> {
  for (const [key, value] of store.iterate(AUDITOR_KEY)) {
    yield { operator: splitLengthPrefixed(key.slice(AUDITOR_KEY.length))[0]!, encPubkey: new Uint8Array(value) };
  }
}

/**
 * Whether `operator`'s auditor can open the task's input: always for a plain input; for an
 * encrypted one only when its current key's fingerprint is one the task declares.
 */
export function canOpenInput(store: KVStore, task: Pick<Task, "inputEncrypted" | "auditorKeyFingerprints">, operator: Uint8Array): boolean {
  if (!task.inputEncrypted) return true;
  const key = getAuditorKey(store, operator);
  if (!key) return false;
  const fingerprint = auditorKeyFingerprint(key);
  return task.auditorKeyFingerprints.some((f) => bytesEqual(f, fingerprint));
}

export function createAuditorKeys({ staking }: Pick<AttestDeps, "staking">) {
  /** Keys of the validators CometBFT currently has (the ones a committee can draw); keyless ones are left out. */
  function activeAuditorKeys(store: KVStore): AuditorKeyEntry[] {
    return staking.lastPowers(store).flatMap(({ operator }) => {
      const encPubkey = getAuditorKey(store, operator);
      return encPubkey ? [{ operator, encPubkey }] : [];
    });
  }

  /** MsgSetAuditorKey: only a validator's operator may publish a key, and only its own. */
  function setAuditorKey(ctx: Context, operator: Uint8Array, encPubkey: Uint8Array): void {
    if (!staking.getValidator(ctx.store, operator)) {
      throw attestError(AttestCode.NotValidator, `${accountAddressString(operator)} operates no validator: only a validator operator can publish an auditor key`);
    }
    const previous = getAuditorKey(ctx.store, operator);
    const changed = !previous || !bytesEqual(previous, encPubkey);
    if (changed) putAuditorKey(ctx.store, operator, encPubkey);
    ctx.events.emit(AttestEvent.AuditorKeySet, { validator: accountAddressString(operator), changed: String(changed) });
  }

  return { activeAuditorKeys, setAuditorKey };
}
