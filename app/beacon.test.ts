/**
 * The beacon's ABCI rules on an in-process app with vote extensions enabled from height 1:
 * what ExtendVote signs, what VerifyVoteExtension and ProcessProposal accept, and what
 * PrepareProposal builds. (The real-network run is test/e2e/beacon.e2e.test.ts.)
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ResponseProcessProposal_ProposalStatus, ResponseVerifyVoteExtension_VerifyStatus, type CommitInfo, type RequestProcessProposal } from "cosmjs-types/tendermint/abci/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { afterEach, describe, expect, it } from "vitest";
import { ed25519Signer } from "../crypto/ed25519.js";
import { sha256 } from "../crypto/hash.js";
import { OgpuApp } from "./app.js";
import { beaconMessage, beaconOf, decodeBeaconTx, encodeBeaconTx, type BeaconEntry } from "./beacon.js";
import { createAppWiring } from "./modules.js";
import { finalizeRequest, initChainRequest, sendMsg, signTx, TEST_CHAIN_ID, testGenesis, testKey } from "./testkit.js";

const { ACCEPT, REJECT } = ResponseProcessProposal_ProposalStatus;
const POWER = 10n;
/** A well-formed signed user tx (ProcessProposal admits only txs that pass the stateless checks). */
const userTx = () => signTx(testKey(1), [sendMsg(testKey(1).address, testKey(2).address, "1")], { accountNumber: 0n, sequence: 0n });

function newValidator() {
  const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
  const signer = ed25519Signer(new Uint8Array([...Buffer.from(jwk.d!, "base64url"), ...Buffer.from(jwk.x!, "base64url")]));
  return { ...signer, address: sha256(signer.publicKey).subarray(0, 20) };
}
type TestValidator = ReturnType<typeof newValidator>;

describe("randomness beacon (vote extensions)", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0)) await f();
  });

  /** A chain with four genesis validators, vote extensions from height 1, block 1 committed. */
  async function chainWithExtensions() {
    const validators = [newValidator(), newValidator(), newValidator(), newValidator()];
    const dir = mkdtempSync(join(tmpdir(), "ogpu-beacon-"));
    const app = await OgpuApp.open(join(dir, "db"), createAppWiring(), { minGasPrices: [], checkInvariants: true, signBeacon: validators[0]!.sign });
    cleanup.push(async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    });
    app.initChain({
      ...initChainRequest(testGenesis({})),
      consensusParams: { abci: { voteExtensionsEnableHeight: 1n } },
      validators: validators.map((v) => ({ pubKey: { ed25519: v.publicKey }, power: POWER })),
    });
    const block1 = finalizeRequest(1n, []);
    app.finalizeBlock(block1);
    await app.commit();
    const sig = (v: TestValidator, height = 1n, hash = block1.hash) => v.sign(beaconMessage(TEST_CHAIN_ID, height, hash));
    return { app, validators, block1, sig };
  }

  const commitOf = (validators: readonly TestValidator[], signed: readonly TestValidator[]): CommitInfo => ({
    round: 0,
    votes: validators.map((v) => ({ validator: { address: v.address, power: POWER }, blockIdFlag: signed.includes(v) ? BlockIDFlag.BLOCK_ID_FLAG_COMMIT : BlockIDFlag.BLOCK_ID_FLAG_ABSENT })),
  });

  function proposal(txs: Uint8Array[], lastCommit: CommitInfo): RequestProcessProposal {
    return { txs, proposedLastCommit: lastCommit, misbehavior: [], hash: sha256(Buffer.from("block 2")), height: 2n, time: { seconds: 1_700_000_002n, nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array(20) };
  }

  it("ExtendVote signs (chain, height, block hash) with the consensus key; VerifyVoteExtension accepts it only from that validator", async () => {
    const { app, validators } = await chainWithExtensions();
    const hash = sha256(Buffer.from("block 2"));
    const { voteExtension } = await app.extendVote({ hash, height: 2n, time: { seconds: 0n, nanos: 0 }, txs: [], proposedLastCommit: { round: 0, votes: [] }, misbehavior: [], nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array(20) });
    expect(Buffer.from(voteExtension)).toEqual(Buffer.from(validators[0]!.sign(beaconMessage(TEST_CHAIN_ID, 2n, hash))));
    const verify = (address: Uint8Array, ext: Uint8Array, h = hash) => app.verifyVoteExtension({ hash: h, validatorAddress: address, height: 2n, voteExtension: ext }).status;
    expect(verify(validators[0]!.address, voteExtension)).toBe(ResponseVerifyVoteExtension_VerifyStatus.ACCEPT);
    expect(verify(validators[1]!.address, voteExtension)).toBe(ResponseVerifyVoteExtension_VerifyStatus.REJECT);
    expect(verify(validators[0]!.address, voteExtension, sha256(Buffer.from("another block 2")))).toBe(ResponseVerifyVoteExtension_VerifyStatus.REJECT);
    expect(verify(validators[0]!.address, new Uint8Array())).toBe(ResponseVerifyVoteExtension_VerifyStatus.REJECT);
  });

  it("PrepareProposal puts the last commit's valid extensions first, sorted by validator", async () => {
    const { app, validators, sig } = await chainWithExtensions();
    const votes = validators.map((v, i) => ({
      validator: { address: v.address, power: POWER },
      voteExtension: i === 3 ? new Uint8Array(64) : sig(v),
      extensionSignature: new Uint8Array(),
      blockIdFlag: BlockIDFlag.BLOCK_ID_FLAG_COMMIT,
    }));
    const user = userTx();
    const { txs } = await app.prepareProposal({ maxTxBytes: 1_000_000n, txs: [user], localLastCommit: { round: 0, votes }, misbehavior: [], height: 2n, time: { seconds: 0n, nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array(20) });
    expect(txs).toHaveLength(2);
    expect(txs[1]).toEqual(user);
    const entries = decodeBeaconTx(txs[0]!) as BeaconEntry[];
    expect(entries.map((e) => Buffer.from(e.validator).toString("hex"))).toEqual(validators.slice(0, 3).map((v) => Buffer.from(v.address).toString("hex")).sort());
    expect((await app.processProposal(proposal(txs, commitOf(validators, validators.slice(0, 3))))).status).toBe(ACCEPT);
  });

  it("ProcessProposal rejects a forged, short, replayed, misplaced or missing beacon", async () => {
    const { app, validators, sig } = await chainWithExtensions();
    const [a, b, c, d] = validators as [TestValidator, TestValidator, TestValidator, TestValidator];
    const entry = (v: TestValidator, signature = sig(v)) => ({ validator: v.address, signature });
    const all = commitOf(validators, validators);
    const status = async (txs: Uint8Array[], commit = all) => (await app.processProposal(proposal(txs, commit))).status;
    const honest = encodeBeaconTx(validators.map((v) => entry(v)));
    const user = userTx();

    expect(await status([honest, user])).toBe(ACCEPT);
    // The mempool never admits one (it is not a Cosmos tx), so only a proposer can place it.
    expect(app.checkTx({ tx: honest, type: 0 }).code).not.toBe(0);
    // Forged: one signature byte flipped; a signature by another validator's key.
    const flipped = sig(d);
    flipped[0]! ^= 1;
    expect(await status([encodeBeaconTx([entry(a), entry(b), entry(c), entry(d, flipped)])])).toBe(REJECT);
    expect(await status([encodeBeaconTx([entry(a), entry(b), entry(c), entry(d, sig(a))])])).toBe(REJECT);
    // Short: the proposer drops a signer the last commit holds (re-rolling the beacon).
    expect(await status([encodeBeaconTx([entry(a), entry(b), entry(c)])])).toBe(REJECT);
    // … and a commit with only 2 of 4 signers (≤ 2/3 of the power) cannot seed a beacon either.
    expect(await status([encodeBeaconTx([entry(a), entry(b)])], commitOf(validators, [a, b]))).toBe(REJECT);
    // Replayed: signatures over another height or another block at height 1.
    expect(await status([encodeBeaconTx(validators.map((v) => entry(v, sig(v, 2n))))])).toBe(REJECT);
    expect(await status([encodeBeaconTx(validators.map((v) => entry(v, sig(v, 1n, sha256(Buffer.from("other"))))))])).toBe(REJECT);
    // Misplaced, duplicated, missing, truncated.
    expect(await status([user, honest])).toBe(REJECT);
    expect(await status([honest, honest])).toBe(REJECT);
    expect(await status([user])).toBe(REJECT);
    expect(await status([honest.subarray(0, honest.length - 1)])).toBe(REJECT);
    // A 3-of-4 commit with its three signatures is the honest case (30 of 40 power > 2/3).
    expect(await status([encodeBeaconTx([entry(a), entry(b), entry(d)])], commitOf(validators, [a, b, d]))).toBe(ACCEPT);
  });

  it("the block's draw seed is the beacon of the included signatures, whatever else the block holds", async () => {
    const { validators, sig } = await chainWithExtensions();
    const entries = validators.map((v) => ({ validator: v.address, signature: sig(v) }));
    expect(Buffer.from(beaconOf(entries))).toEqual(Buffer.from(beaconOf([...entries].reverse())));
    expect(Buffer.from(beaconOf(entries))).not.toEqual(Buffer.from(beaconOf(entries.slice(1))));
  });
});
