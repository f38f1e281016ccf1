import { hex } from "../../crypto/bytes.js";
import { afterEach, describe, expect, it } from "vitest";
import { MemStore } from "../../app/store/kvstore.js";
import { generateKemKeyPair } from "../../crypto/kem.js";
import { QueryAuditorKeysRequest, QueryAuditorKeysResponse } from "../../proto/gen/ogpu/attest/v1/query.js";
import { MsgSetAuditorKey } from "../../proto/gen/ogpu/attest/v1/tx.js";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { MSG } from "../../sdk/registry.js";
import { getAuditorKey } from "./auditor-keys.js";
import { AttestCode } from "./errors.js";
import { exportAttestGenesis, initAttestGenesis } from "./genesis.js";
import { type BlockOutcome, type ChainSigner, expectOk, OGPU, startPosChain, type PosChain } from "./testing.js";

let chain: PosChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

const setKeyMsg = (validator: string, encPubkey: Uint8Array): Any => ({ typeUrl: MSG.SetAuditorKey, value: MsgSetAuditorKey.encode({ validator, encPubkey }).finish() });
const newKey = () => generateKemKeyPair().publicKey;

function auditorKeys(c: PosChain): { validator: string; encPubkey: string }[] {
  const res = c.app.query({ path: "/ogpu.attest.v1.Query/AuditorKeys", data: QueryAuditorKeysRequest.encode({}).finish(), height: 0n, prove: false });
  expect(res.code).toBe(0);
  return QueryAuditorKeysResponse.decode(res.value).auditorKeys.map((k) => ({ validator: k.validator, encPubkey: hex(k.encPubkey) }));
}

const send = (c: PosChain, signer: ChainSigner, encPubkey: Uint8Array) => c.run([signer.tx([setKeyMsg(signer.address, encPubkey)])]);
const keyEvent = (outcome: BlockOutcome) => outcome.txResults[0]?.events.find((e) => e.type === "attest_auditor_key");
const attr = (outcome: BlockOutcome, key: string) => keyEvent(outcome)?.attributes.find((a) => a.key === key)?.value;

async function twoValidators(): Promise<PosChain> {
  chain = await startPosChain({ validatorStakes: [200n * OGPU, 100n * OGPU], workers: [{}] });
  return chain;
}

describe("MsgSetAuditorKey and Query/AuditorKeys", () => {
  it("a validator operator publishes its key; the query lists the active set's keys only", async () => {
    const c = await twoValidators();
    expect(auditorKeys(c)).toEqual([]);
    const [a, b] = c.validators.map((v) => v.signer);
    const keyA = newKey();
    const outcome = expectOk(await send(c, a!, keyA));
    expect(attr(outcome, "validator")).toBe(a!.address);
    expect(attr(outcome, "changed")).toBe("true");
    // b published nothing: it is left out rather than listed with an empty key.
    expect(auditorKeys(c)).toEqual([{ validator: a!.address, encPubkey: hex(keyA) }]);

    const keyB = newKey();
    expectOk(await send(c, b!, keyB));
    const listed = auditorKeys(c);
    expect(listed).toHaveLength(2);
    expect(listed).toContainEqual({ validator: b!.address, encPubkey: hex(keyB) });
  });

  it("is idempotent, and a new key replaces the old one", async () => {
    const c = await twoValidators();
    const a = c.validators[0]!.signer;
    const first = newKey();
    expectOk(await send(c, a, first));
    const again = expectOk(await send(c, a, first));
    expect(attr(again, "changed")).toBe("false");
    const second = newKey();
    expect(attr(expectOk(await send(c, a, second)), "changed")).toBe("true");
    expect(auditorKeys(c)).toEqual([{ validator: a.address, encPubkey: hex(second) }]);
  });

  it("refuses an account that operates no validator, and a key of the wrong length", async () => {
    const c = await twoValidators();
    const notValidator = await send(c, c.client, newKey());
    expect(notValidator.txResults[0]).toMatchObject({ codespace: "attest", code: AttestCode.NotValidator });
    expect(notValidator.txResults[0]!.log).toMatch(/operates no validator/);
    expect(getAuditorKey(c.app.store, Buffer.from(c.client.key.addressBytes))).toBeUndefined();

    const short = await send(c, c.validators[0]!.signer, new Uint8Array(1215));
    expect(short.txResults[0]).toMatchObject({ codespace: "attest", code: AttestCode.InvalidField });
    expect(short.txResults[0]!.log).toMatch(/1216 bytes/);
    expect(auditorKeys(c)).toEqual([]);
  });

  it("exports the keys in genesis and imports them back", async () => {
    const c = await twoValidators();
    const a = c.validators[0]!.signer;
    const key = newKey();
    expectOk(await send(c, a, key));
    const exported = exportAttestGenesis(c.app.store) as { auditor_keys: { validator: string; enc_pubkey: string }[] };
    expect(exported.auditor_keys).toEqual([{ validator: a.address, enc_pubkey: Buffer.from(key).toString("base64") }]);

    const fresh = new MemStore();
    initAttestGenesis(fresh, JSON.parse(JSON.stringify(exported)));
    expect(getAuditorKey(fresh, a.key.addressBytes)).toEqual(key);
    expect(() => initAttestGenesis(new MemStore(), { ...exported, auditor_keys: [{ validator: a.address, enc_pubkey: "AAAA" }] })).toThrow(/1216 bytes/);
  });
});
