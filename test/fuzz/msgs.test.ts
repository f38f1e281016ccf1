/**
 * Issue 10 fuzz suite, Msgs: 10,000 signed txs carrying generated and mutated values of every
 * registered Msg type, run through the real tx pipeline on a real (LevelDB-backed) app.
 * Properties: a code with codespace and log for every failure, nothing thrown out of the
 * pipeline, and a rejected tx writes nothing beyond the fee and sequence the ante handler
 * charges (the same keys an honest tx failing in its handler writes).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SdkCode } from "../../app/errors.js";
import { Branch } from "../../app/store/kvstore.js";
import { runTx, type TxRunner } from "../../app/tx/runner.js";
import { VerifiedSignatures } from "../../app/tx/sigcache.js";
import type { BlockInfo } from "../../app/context.js";
import { sendMsg, signTx, startTestChain, testGenesis, testKey, type TestChain } from "../../app/testkit.js";
import { createAppWiring } from "../../app/modules.js";
import { fuzzRuns, registeredMsgs, signedMsgTx, signerField } from "./generators.js";

const CASES = 10_000;
const sender = testKey(21);
const recipient = testKey(22).address;

describe("fuzz: generated and mutated msgs of every registered type", () => {
  let chain: TestChain;
  let runner: TxRunner;
  let block: BlockInfo;
  let accountNumber: bigint;
  /** Keys the ante handler writes for a tx that pays its fee and then fails. */
  let anteKeys: Set<string>;

  const deliver = (tx: Uint8Array) => {
    const branch = new Branch(chain.app.store);
    return { outcome: runTx(runner, branch, block, "deliver", tx), changed: [...branch.changes().keys()].map(String) };
  };

  beforeAll(async () => {
    chain = await startTestChain(testGenesis({ [sender.address]: 10n ** 11n }));
    await chain.block([]);
    accountNumber = chain.keepers.auth.getAccount(chain.app.store, sender.addressBytes)!.accountNumber;
    const wiring = createAppWiring();
    runner = { msgTypes: new Map(registeredMsgs.map((m) => [m.typeUrl, m])), ante: wiring.ante, anteOptions: { minGasPrices: [], signatures: new VerifiedSignatures() }, simulationGasLimit: 10_000_000 };
    block = { chainId: chain.app.currentChainId, height: chain.height + 1n, timeSeconds: 1_700_000_100n, beacon: new Uint8Array(32) };
    const overdraft = signTx(sender, [sendMsg(sender.address, recipient, (10n ** 12n).toString())], { accountNumber, sequence: 0n });
    const reference = deliver(overdraft);
    expect(reference.outcome.code).toBe(SdkCode.InsufficientFunds);
    anteKeys = new Set(reference.changed);
  });

  afterAll(async () => {
    await chain.close();
  });

  it("finds the signer field of every registered Msg type by probing it", () => {
    const unsigned = registeredMsgs.filter((m) => signerField(m, sender) === undefined).map((m) => m.typeUrl);
    expect(registeredMsgs.length).toBeGreaterThanOrEqual(10);
    expect(unsigned).toEqual([]);
  });

  it(`${CASES} txs of generated msgs: a clear code each, nothing thrown, rejected txs write only fee and sequence`, () => {
    const codes = new Map<string, number>();
    const reached = new Set<string>();
    fc.assert(
      fc.property(signedMsgTx(sender, accountNumber), (tx) => {
        const { outcome, changed } = deliver(tx);
        expect(outcome.code).not.toBe(SdkCode.Panic);
        if (outcome.code !== 0) {
          expect(outcome.codespace).not.toBe("");
          expect(outcome.log).not.toBe("");
          expect(changed.filter((k) => !anteKeys.has(k))).toEqual([]);
        }
        const key = `${outcome.codespace}/${outcome.code}`;
        codes.set(key, (codes.get(key) ?? 0) + 1);
        if (outcome.codespace !== "sdk" || outcome.code === 0) reached.add(key);
      }),
      fuzzRuns(CASES),
    );
    // The generated msgs get past decoding and signatures into module validation and handlers.
    expect(codes.size).toBeGreaterThanOrEqual(10);
    expect(reached.size).toBeGreaterThanOrEqual(3);
  });
});
