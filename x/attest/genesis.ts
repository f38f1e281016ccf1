import { asArray, asObject, asString, atPath, GenesisError } from "../../app/genesis-json.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { Phase, TaskRecord } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { KEM_PUBKEY_LENGTH } from "../../crypto/kem.js";
import { allAuditorKeys, putAuditorKey } from "./auditor-keys.js";
import { attestParams } from "./params.js";
import { addDue, addDuty, allDue, allDuties, allPendingOpenings, allRecords, COMMITTEE_DEADLINES, DRAWS, putPendingOpening, putRecord, REVEAL_DEADLINES } from "./store.js";
import { parseAccountAddress, accountAddressString } from "../../app/address.js";

/** The deadline indexes, by their genesis field name. */
const DEADLINE_INDEXES = [
  ["reveal_deadlines", REVEAL_DEADLINES],
  ["draws", DRAWS],
  ["committee_deadlines", COMMITTEE_DEADLINES],
] as const;

/**
 * `attest` genesis: params and, for exported chains, the open records (base64 protobuf), the
 * deadline indexes ({height, task_id}: exactly what the chain had, since an entry's life is
 * not a function of the record alone — an audit committee can be due while the record is
 * still in its reveal phase) and the votes still owed (with `pending_openings`: seals still
 * to open after their task ended, base64 seal and settled digest). A genesis with records but
 * without deadline lists gets them rebuilt from the records. `auditor_keys`
 * ({validator: ogpu1…, enc_pubkey: base64}) carries the validators' published auditor keys.
 */
export function initAttestGenesis(store: KVStore, json: unknown): void {
  const state = asObject(json, "attest");
  attestParams.set(store, atPath("attest.params", () => attestParams.parse(state.params)));
  const listed = DEADLINE_INDEXES.some(([field]) => state[field] !== undefined);
  asArray(state.records, "attest.records").forEach((entry, i) => {
    const path = `attest.records[${i}]`;
    const record = atPath(path, () => TaskRecord.decode(Buffer.from(asString(entry, path), "base64")));
    putRecord(store, record);
    if (listed) return;
    if (record.phase === Phase.PHASE_REVEAL && record.revealByHeight > 0n) addDue(store, REVEAL_DEADLINES, record.revealByHeight, record.taskId);
    if (record.drawHeight > 0n) addDue(store, DRAWS, record.drawHeight, record.taskId);
    const committee = record.phase === Phase.PHASE_AUDIT ? record.audit : record.phase === Phase.PHASE_DISPUTE ? record.dispute : undefined;
    if (committee && committee.members.length > 0) addDue(store, COMMITTEE_DEADLINES, committee.deadlineHeight, record.taskId);
  });
  for (const [field, index] of DEADLINE_INDEXES) {
    if (state[field] === undefined) continue;
    asArray(state[field], `attest.${field}`).forEach((entry, i) => {
      const path = `attest.${field}[${i}]`;
      const o = asObject(entry, path);
      atPath(path, () => addDue(store, index, BigInt(asString(o.height, `${path}.height`)), BigInt(asString(o.task_id, `${path}.task_id`))));
    });
  }
  asArray(state.duties, "attest.duties").forEach((entry, i) => {
    const path = `attest.duties[${i}]`;
    const o = asObject(entry, path);
    atPath(path, () => addDuty(store, BigInt(asString(o.task_id, `${path}.task_id`)), parseAccountAddress(asString(o.validator, `${path}.validator`)), BigInt(asString(o.deadline, `${path}.deadline`))));
  });
  asArray(state.pending_openings, "attest.pending_openings").forEach((entry, i) => {
    const path = `attest.pending_openings[${i}]`;
    const o = asObject(entry, path);
    const opening = { seal: Buffer.from(asString(o.seal, `${path}.seal`), "base64"), finalDigest: Buffer.from(asString(o.final_digest, `${path}.final_digest`), "base64") };
    atPath(path, () => putPendingOpening(store, BigInt(asString(o.task_id, `${path}.task_id`)), parseAccountAddress(asString(o.validator, `${path}.validator`)), opening));
  });
  asArray(state.auditor_keys, "attest.auditor_keys").forEach((entry, i) => {
    const path = `attest.auditor_keys[${i}]`;
    const o = asObject(entry, path);
    const operator = atPath(path, () => parseAccountAddress(asString(o.validator, `${path}.validator`)));
    const encPubkey = Buffer.from(asString(o.enc_pubkey, `${path}.enc_pubkey`), "base64");
    if (encPubkey.length !== KEM_PUBKEY_LENGTH) throw new GenesisError(`${path}.enc_pubkey must be ${KEM_PUBKEY_LENGTH} bytes, got ${encPubkey.length}`);
    putAuditorKey(store, operator, new Uint8Array(encPubkey));
  });
}

export function exportAttestGenesis(store: KVStore): unknown {
  return {
    params: attestParams.get(store),
    records: [...allRecords(store)].map((r) => Buffer.from(TaskRecord.encode(r).finish()).toString("base64")),
    ...Object.fromEntries(DEADLINE_INDEXES.map(([field, index]) => [field, allDue(store, index).map((d) => ({ height: d.height.toString(), task_id: d.taskId.toString() }))])),
    duties: [...allDuties(store)].map((d) => ({ task_id: d.taskId.toString(), validator: accountAddressString(d.validator), deadline: d.deadline.toString() })),
    pending_openings: [...allPendingOpenings(store)].map((p) => ({
      task_id: p.taskId.toString(),
      validator: accountAddressString(p.validator),
      seal: Buffer.from(p.opening.seal).toString("base64"),
      final_digest: Buffer.from(p.opening.finalDigest).toString("base64"),
    })),
    auditor_keys: [...allAuditorKeys(store)].map((k) => ({ validator: accountAddressString(k.operator), enc_pubkey: Buffer.from(k.encPubkey).toString("base64") })),
  };
}

/** A fresh chain's `attest` section (`ogpud init`): default params, no records. */
export function defaultAttestGenesis(): unknown {
  return { params: attestParams.parse(undefined), records: [], duties: [] };
}
