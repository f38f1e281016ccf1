/**
 * Issue 10 item 11 — keys and addresses, in process (the attacks are pure state machine):
 * encryption keys are validated at registration, addresses are canonical 20-byte lowercase
 * bech32, and every string field of every Msg has a length cap.
 */
import type { Any } from "cosmjs-types/google/protobuf/any";
import { hasFromPartial, type GeneratedType } from "@cosmjs/proto-signing";
import { afterEach, describe, expect, it } from "vitest";
import { govAuthority, INVALID_AUTHORITY_CODE, requireGovAuthority } from "../../app/authority.js";
import { AppError, SdkCode } from "../../app/errors.js";
import { createAppWiring } from "../../app/modules.js";
import { MAX_MSG_STRING_LENGTH, MSG_STRING_CAPS } from "../../app/string-caps.js";
import { sendMsg } from "../../app/testkit.js";
import { toBech32 } from "../../crypto/bech32.js";
import { generateKemKeyPair, X25519_KEY_LENGTH } from "../../crypto/kem.js";
import { MsgSetAuditorKey } from "../../proto/gen/ogpu/attest/v1/tx.js";
import { MsgRegisterWorker, MsgUpdateWorker } from "../../proto/gen/ogpu/workers/v1/tx.js";
import type { AbciQuerier } from "../../sdk/queries.js";
import { MSG, ogpuRegistry } from "../../sdk/registry.js";
import { inputRecipients } from "../../sdk/task-io.js";
import { sealTaskInput } from "../../crypto/task-crypto.js";
import { AttestCode } from "../../x/attest/errors.js";
import { attestMsg, auditSealMsg, commitMsg, digestOf, expectOk, OGPU, revealMsg, startPosChain, Verdict, type PosChain } from "../../x/attest/testing.js";
import { submitTaskMsg } from "../../x/market/testing.js";
import { nextTaskId } from "../../x/market/keeper.js";
import { gpu, registerWorkerMsg } from "../../x/market/testing.js";
import { WorkersCode } from "../../x/workers/errors.js";

const appModules = createAppWiring().modules;

let chain: PosChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

/** A real key whose X25519 half is the order-4 point u = 1 (every shared secret is zero). */
function lowOrderX25519Key(): Uint8Array {
  const key = generateKemKeyPair().publicKey;
  key.fill(0, 0, X25519_KEY_LENGTH);
  key[0] = 1;
  return key;
}

/** A real key whose first ML-KEM coefficient is 4095 ≥ q: FIPS 203's modulus check fails. */
function badModulusKey(): Uint8Array {
  const key = generateKemKeyPair().publicKey;
  key[X25519_KEY_LENGTH] = 0xff;
  key[X25519_KEY_LENGTH + 1]! |= 0x0f;
  return key;
}

const inProcessQuerier = (c: PosChain): AbciQuerier => ({
  abciQuery: async ({ path, data }) => c.app.query({ path, data, height: 0n, prove: false }),
});

function registerWithKey(operator: string, encPubkey: Uint8Array): Any {
  const msg = MsgRegisterWorker.decode(registerWorkerMsg(operator, { gpus: [gpu("RTX4090", 81_920)], region: "eu", price: 1n }).value);
  return { typeUrl: MSG.RegisterWorker, value: MsgRegisterWorker.encode({ ...msg, encPubkey }).finish() };
}

/** A registry codec that builds messages from partial objects (every ts-proto codec does). */
function withFromPartial(codec: GeneratedType) {
  if (!hasFromPartial(codec)) throw new Error("codec has no fromPartial");
  return codec;
}

describe("issue 10 item 11: keys and addresses", () => {
  it("item 11 keys: a low-order X25519 or bad-modulus ML-KEM key is refused at registration, so one bad key cannot break every client's encrypted submission", async () => {
    const c = (chain = await startPosChain({ validatorStakes: [100n * OGPU], workers: [{}] }));
    const input = new TextEncoder().encode("private input");
    const clientKey = generateKemKeyPair().publicKey;
    // The harm: sealing wraps the data key to every matching key at once, so one bad key fails the lot.
    const honest = await inputRecipients(inProcessQuerier(c));
    expect(honest.recipients).toHaveLength(1);
    for (const bad of [lowOrderX25519Key(), badModulusKey()]) {
      await expect(sealTaskInput(input, clientKey, [...honest.recipients, { address: c.client.address, encPubkey: bad }])).rejects.toThrow();
    }

    const lowOrder = await c.run([c.client.tx([registerWithKey(c.client.address, lowOrderX25519Key())])]);
    expect(lowOrder.txResults[0]).toMatchObject({ codespace: "workers", code: WorkersCode.InvalidWorker });
    expect(lowOrder.txResults[0]!.log).toMatch(/low-order/);
    const badModulus = await c.run([c.client.tx([registerWithKey(c.client.address, badModulusKey())])]);
    expect(badModulus.txResults[0]).toMatchObject({ codespace: "workers", code: WorkersCode.InvalidWorker });
    expect(badModulus.txResults[0]!.log).toMatch(/modulus/);

    // An already registered worker cannot swap a bad key in either.
    const worker = c.workers[0]!;
    const update = { typeUrl: MSG.UpdateWorker, value: MsgUpdateWorker.encode(MsgUpdateWorker.fromPartial({ operator: worker.address, encPubkey: lowOrderX25519Key() })).finish() };
    expect((await c.run([worker.tx([update])])).txResults[0]).toMatchObject({ codespace: "workers", code: WorkersCode.InvalidWorker });

    // Nor can a validator's auditor, whose key every encrypted submission also wraps to.
    const validator = c.validators[0]!.signer;
    for (const bad of [lowOrderX25519Key(), badModulusKey()]) {
      const setKey = { typeUrl: MSG.SetAuditorKey, value: MsgSetAuditorKey.encode({ validator: validator.address, encPubkey: bad }).finish() };
      expect((await c.run([validator.tx([setKey])])).txResults[0]).toMatchObject({ codespace: "attest", code: AttestCode.InvalidField });
    }

    const after = await inputRecipients(inProcessQuerier(c));
    expect(after.recipients.map((r) => r.address)).toEqual(honest.recipients.map((r) => r.address));
    expect(after.auditors).toEqual([]);
    expect(() => sealTaskInput(input, clientKey, after.recipients, after.auditors)).not.toThrow();
  });

  it("item 11 addresses: an uppercase validator address in MsgAttest is refused (sdk code 7) and does not clear the duty without a counted vote", async () => {
    const c = (chain = await startPosChain({ validatorStakes: [400n * OGPU, 300n * OGPU, 200n * OGPU, 100n * OGPU], workers: [{ cv: 0n }] }));
    const id = nextTaskId(c.app.store);
    expectOk(await c.run([c.client.tx([submitTaskMsg(c.client.address, { bid: 1000n, k: 1 })])]));
    const worker = c.workers.find((w) => w.address === c.task(id).assignments[0]!.worker)!;
    const right = digestOf("the right output");
    expectOk(await c.run([worker.tx([commitMsg(worker.address, id, right)])]));
    await c.run([]); // the audit draw; the committee seals its own digests before the reveal
    const signerOf = (validator: string) => c.validators.find((v) => v.v.key.address === validator)!.signer;
    expectOk(await c.run(c.record(id)!.audit!.members.map((m) => signerOf(m.validator).tx([auditSealMsg(m.validator, id, right)]))));
    expectOk(await c.run([worker.tx([revealMsg(worker.address, id, right)])]));
    await c.run([]);
    const member = c.record(id)!.audit!.members[0]!;
    const signer = signerOf(member.validator);

    const upper = await c.run([signer.tx([attestMsg(member.validator.toUpperCase(), id, right, Verdict.VERDICT_MATCH)])]);
    expect(upper.txResults[0]).toMatchObject({ codespace: "sdk", code: SdkCode.InvalidAddress });
    expect(upper.txResults[0]!.log).toMatch(/lowercase/);
    expect(c.record(id)!.audit!.members.find((m) => m.validator === member.validator)!.voted).toBe(false);

    // The duty is still owed: the canonical vote is the one that counts. (The refused tx used no
    // sequence number; the signer reads it from the account again in the next block.)
    const vote = expectOk(await c.run([signer.tx([attestMsg(member.validator, id, right, Verdict.VERDICT_MATCH)])]));
    const counted = vote.txResults[0]!.events.find((e) => e.type === "attest_vote")?.attributes.find((a) => a.key === "counted")?.value;
    expect(counted).toBe("true");
  });

  it("item 11 addresses: MsgSend to a 0-byte or a 100-byte address is refused with sdk code 7 and moves nothing", async () => {
    const c = (chain = await startPosChain({ validatorStakes: [100n * OGPU], workers: [{}] }));
    const before = c.balance(c.client.address);
    for (const length of [0, 100]) {
      const to = toBech32("ogpu", new Uint8Array(length).fill(9));
      const outcome = await c.run([c.client.tx([sendMsg(c.client.address, to, "1000")])]);
      expect(outcome.txResults[0]).toMatchObject({ codespace: "sdk", code: SdkCode.InvalidAddress });
      expect(outcome.txResults[0]!.log).toMatch(/20 bytes/);
    }
    // Refused before the ante charged anything: not even a fee left the account.
    expect(c.balance(c.client.address)).toBe(before);
  });

  it("item 11 addresses: every address field of every registered Msg refuses an uppercase or 32-byte address (sdk code 7)", () => {
    const registry = ogpuRegistry();
    const twenty = new Uint8Array(20).fill(7);
    const addressFor = (field: string, bytes: Uint8Array) => toBech32(VALOPER_FIELDS.has(field) ? "ogpuvaloper" : "ogpu", bytes);
    let checked = 0;
    for (const registered of appModules.flatMap((m) => m.msgs)) {
      const codec = withFromPartial(registry.lookupType(registered.typeUrl)!);
      const template = codec.fromPartial({}) as Record<string, unknown>;
      const fields = Object.keys(template).filter((k) => ADDRESS_FIELDS.has(k));
      expect(fields.length, registered.typeUrl).toBeGreaterThan(0);
      const canonical = Object.fromEntries(fields.map((f) => [f, addressFor(f, twenty)]));
      // Baseline: with canonical addresses nothing fails on an address (other checks may fail).
      const baseline = catchError(() => registered.decode(codec.encode(codec.fromPartial(canonical)).finish()).validate());
      // Codespace too: gov's own code 7 (ErrInvalidVote) is not the sdk's InvalidAddress.
      expect(baseline && [baseline.codespace, baseline.code], `${registered.typeUrl} baseline: ${baseline?.message}`).not.toEqual(["sdk", SdkCode.InvalidAddress]);
      for (const field of fields) {
        for (const bad of [canonical[field]!.toUpperCase(), addressFor(field, new Uint8Array(32).fill(7))]) {
          const msg = codec.fromPartial({ ...canonical, [field]: bad });
          const err = catchError(() => registered.decode(codec.encode(msg).finish()).validate());
          expect(err, `${registered.typeUrl} ${field} = ${bad}`).toMatchObject({ codespace: "sdk", code: SdkCode.InvalidAddress });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2 * 20);
    // Handlers check it the same way before comparing with the gov account (proposal execution
    // and any path that skips validate see code 7 for a malformed authority, not a wrong signer).
    for (const bad of [govAuthority().toUpperCase(), addressFor("authority", new Uint8Array(32).fill(7))]) {
      expect(catchError(() => requireGovAuthority(bad))).toMatchObject({ codespace: "sdk", code: SdkCode.InvalidAddress });
    }
    expect(catchError(() => requireGovAuthority(addressFor("authority", twenty)))).toMatchObject({ codespace: "gov", code: INVALID_AUTHORITY_CODE });
  });

  it("item 11 string caps: every registered Msg refuses an oversize string in each of its string fields (sdk code 18)", () => {
    const registry = ogpuRegistry();
    const checked = new Map<string, number>();
    for (const registered of appModules.flatMap((m) => m.msgs)) {
      const found = registry.lookupType(registered.typeUrl);
      expect(found, registered.typeUrl).toBeDefined();
      const codec = withFromPartial(found!);
      const template = codec.fromPartial(NESTED[registered.typeUrl] ?? {}) as Record<string, unknown>;
      for (const path of stringPaths(template)) {
        const cap = MSG_STRING_CAPS[path[path.length - 1] as string] ?? MAX_MSG_STRING_LENGTH;
        const validateWith = (text: string) => registered.decode(codec.encode(withString(template, path, text)).finish()).validate();
        const err = catchError(() => validateWith("a".repeat(cap + 1)));
        expect(err, `${registered.typeUrl} ${path.join(".")}`).toMatchObject({ codespace: "sdk", code: SdkCode.InvalidRequest });
        expect(err!.message).toMatch(`the limit is ${cap}`);
        // At the cap the length check passes (the msg may still fail its own checks).
        expect(catchError(() => validateWith("a".repeat(cap)))?.message ?? "").not.toMatch("the limit is");
        checked.set(registered.typeUrl, (checked.get(registered.typeUrl) ?? 0) + 1);
      }
    }
    for (const registered of appModules.flatMap((m) => m.msgs)) expect(checked.get(registered.typeUrl), registered.typeUrl).toBeGreaterThan(0);
    expect(checked.get("/cosmos.staking.v1beta1.MsgCreateValidator")).toBeGreaterThanOrEqual(12);
  });
});

/**
 * Top-level fields that name an account (ogpu1…), and those of them that name a valoper.
 * `authority` is the gov account every gated Msg (MsgUpdateParams, upgrades) names; x/gov's
 * own Msgs name their proposer, depositor and voter.
 */
const VALOPER_FIELDS = new Set(["validatorAddress", "validatorSrcAddress", "validatorDstAddress", "validatorAddr"]);
const ADDRESS_FIELDS = new Set([
  ...VALOPER_FIELDS,
  ...["fromAddress", "toAddress", "delegatorAddress", "operator", "client", "worker", "validator"],
  ...["authority", "recipient", "proposer", "depositor", "voter", "granter", "grantee"],
]);

/** Nested messages and repeated fields filled in, so their strings are exercised too. */
const coin = { denom: "", amount: "" };
const description = { moniker: "", identity: "", website: "", securityContact: "", details: "" };
const NESTED: Record<string, object> = {
  "/cosmos.bank.v1beta1.MsgSend": { amount: [coin] },
  "/cosmos.staking.v1beta1.MsgCreateValidator": { description, commission: { rate: "", maxRate: "", maxChangeRate: "" }, value: coin, pubkey: { typeUrl: "", value: new Uint8Array() } },
  "/cosmos.staking.v1beta1.MsgEditValidator": { description },
  "/cosmos.staking.v1beta1.MsgDelegate": { amount: coin },
  "/cosmos.staking.v1beta1.MsgUndelegate": { amount: coin },
  "/cosmos.staking.v1beta1.MsgBeginRedelegate": { amount: coin },
  "/ogpu.workers.v1.MsgRegisterWorker": { gpus: [{ vendor: "", model: "", pciId: "" }] },
  "/ogpu.workers.v1.MsgUpdateWorker": { gpus: [{ vendor: "", model: "", pciId: "" }] },
  "/ogpu.market.v1.MsgSubmitTask": { requirements: { gpuModels: [""], preferredRegion: "" } },
};

type Path = (string | number)[];

function stringPaths(value: unknown, path: Path = []): Path[] {
  if (typeof value === "string") return [path];
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return [];
  return Object.entries(value).flatMap(([key, field]) => stringPaths(field, [...path, Array.isArray(value) ? Number(key) : key]));
}

function withString(template: Record<string, unknown>, path: Path, text: string): Record<string, unknown> {
  const copy = structuredClone(template);
  let node: Record<string | number, unknown> = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = text;
  return copy;
}

function catchError(fn: () => void): AppError | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
}
