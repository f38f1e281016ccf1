/**
 * Property suite for the decode and query paths (issue 10: fuzz of txs, msgs and queries).
 * Inputs are generated from honest txs and requests by seeded mutations (flip, insert,
 * delete, truncate, splice in fields, groups and deep nesting), so every run checks the same
 * cases and a failure names a reproducible case number. Properties:
 *   - nothing throws out of the tx pipeline or the query router;
 *   - every failure carries a code from a known codespace, never the internal-error code;
 *   - a rejected tx leaves state untouched, except that one refused by a message still pays its fee and uses its sequence;
 *   - two processes with different stack sizes agree on a block of mutated txs.
 * (A seeded generator rather than fast-check: installing a package would write into the
 * node_modules this checkout shares with others.)
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryBalanceRequest } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { SimulateRequest } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { SdkCode } from "../../app/errors.js";
import { createAppWiring } from "../../app/modules.js";
import type { RegisteredMsg } from "../../app/module.js";
import { SIMULATE_PATH } from "../../app/query.js";
import { Branch } from "../../app/store/kvstore.js";
import { runTx, type TxRunner } from "../../app/tx/runner.js";
import { VerifiedSignatures } from "../../app/tx/sigcache.js";
import { sendMsg, signTx, startTestChain, testGenesis, testKey, type TestChain } from "../../app/testkit.js";
import { submitTaskMsg } from "../../x/market/testing.js";
import { concat, lengthDelimited, nestedGroups, nestedModeInfo, signRawTx, tag, varint } from "../support/adversarial-proto.js";

const wiring = createAppWiring();
const appModules = wiring.modules;

const TX_CASES = 10_000;
const QUERY_CASES = 10_000;
const sender = testKey(11);
const recipient = testKey(12).address;

/** xorshift32: a deterministic stream of cases (the seed is in every failure message). */
function prng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

type Mutation = (b: Uint8Array, r: (n: number) => number) => Uint8Array;
const randomBytes = (r: (n: number) => number, n: number) => Uint8Array.from({ length: n }, () => r(256));
const MUTATIONS: Mutation[] = [
  (b, r) => {
    const c = b.slice();
    if (c.length > 0) c[r(c.length)] ^= 1 << r(8);
    return c;
  },
  (b, r) => b.slice(0, r(b.length + 1)),
  (b, r) => {
    const at = r(b.length + 1);
    return concat(b.subarray(0, at), randomBytes(r, 1 + r(16)), b.subarray(at));
  },
  (b, r) => {
    const at = r(b.length + 1);
    return concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + r(8))));
  },
  (b, r) => concat(b, tag(1 + r(3000), r(8)), varint(r(300))),
  (b, r) => concat(b, nestedGroups(1 + r(2000), 1 + r(5000))),
  (b, r) => {
    const at = r(b.length + 1);
    return concat(b.subarray(0, at), nestedGroups(1 + r(30), 1 + r(100)), b.subarray(at));
  },
  (b, r) => lengthDelimited(1 + r(4), b),
  (b, r) => concat(b, lengthDelimited(1 + r(2100), nestedModeInfo(r(60)))),
  (_b, r) => randomBytes(r, r(200)),
];

function mutate(base: Uint8Array, r: (n: number) => number): Uint8Array {
  let out = base;
  for (let i = 0, n = 1 + r(3); i < n; i++) out = MUTATIONS[r(MUTATIONS.length)]!(out, r);
  return out;
}

describe("wire fuzz: generated and mutated txs and queries", () => {
  let chain: TestChain;
  let corpus: Uint8Array[];
  let dir: string;

  beforeAll(async () => {
    chain = await startTestChain(testGenesis({ [sender.address]: 10n ** 11n }));
    await chain.block([]);
    const accountNumber = chain.keepers.auth.getAccount(chain.app.store, sender.addressBytes)!.accountNumber;
    const opts = { accountNumber, sequence: 0n };
    corpus = [
      signTx(sender, [sendMsg(sender.address, recipient, "5")], opts),
      signTx(sender, [sendMsg(sender.address, recipient, "5"), sendMsg(sender.address, recipient, "7")], { ...opts, memo: "fuzz" }),
      signTx(sender, [submitTaskMsg(sender.address, { bid: 3n, models: ["H100"] })], opts),
      signRawTx({ key: sender, accountNumber, sequence: 0n, messages: [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: new Uint8Array() }] }),
    ];
    dir = await mkdtemp(join(tmpdir(), "ogpu-fuzz-"));
  });

  afterAll(async () => {
    await chain.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(`${TX_CASES} mutated txs: a clear code each, nothing thrown, a rejected tx keeps no state but its fee and sequence`, () => {
    const msgTypes = new Map<string, RegisteredMsg>(appModules.flatMap((m) => m.msgs).map((m) => [m.typeUrl, m]));
    const runner: TxRunner = { msgTypes, ante: wiring.ante, anteOptions: { minGasPrices: [], signatures: new VerifiedSignatures() }, simulationGasLimit: 10_000_000 };
    const r = prng(0x0ca5e);
    const codes = new Map<string, number>();
    for (let i = 0; i < TX_CASES; i++) {
      const tx = mutate(corpus[r(corpus.length)]!, r);
      const branch = new Branch(chain.app.store);
      const block = { chainId: chain.app.currentChainId, height: chain.height + 1n, timeSeconds: 1_700_000_100n, beacon: new Uint8Array(32) };
      const o = runTx(runner, branch, block, "deliver", tx);
      const where = `case ${i}`;
      expect(o.code, where).not.toBe(SdkCode.Panic);
      if (o.code !== 0) {
        expect(o.codespace, where).not.toBe("");
        // A tx refused by one of its messages still pays its fee and uses its sequence (the ante
        // handler's writes, as in the Cosmos SDK); nothing else stays. Refused earlier, nothing at all.
        const anteOnly = new Branch(chain.app.store);
        if (o.log.startsWith("failed to execute message")) expect(runTx(runner, anteOnly, block, "check", tx).code, where).toBe(0);
        expect(branch.changes(), `${where}: rejected tx changed state beyond its fee and sequence`).toEqual(anteOnly.changes());
      }
      codes.set(`${o.codespace}/${o.code}`, (codes.get(`${o.codespace}/${o.code}`) ?? 0) + 1);
    }
    // Most mutations break the wire format (code 2); the rest reach the ante handler's
    // checks (addresses, pubkeys, signatures, fees, …) and message validation.
    expect(codes.get("sdk/2")).toBeGreaterThan(TX_CASES / 2);
    expect(codes.size).toBeGreaterThanOrEqual(8);
  });

  it(`${QUERY_CASES} mutated query requests on every path: a clear code each, nothing thrown`, () => {
    const paths = [...appModules.flatMap((m) => m.queries.map((q) => q.path)), SIMULATE_PATH];
    const seeds = [
      new Uint8Array(),
      QueryBalanceRequest.encode({ address: sender.address, denom: "uogpu" }).finish(),
      SimulateRequest.encode({ txBytes: corpus[0]! }).finish(),
    ];
    const r = prng(0x9e3779b9);
    for (let i = 0; i < QUERY_CASES; i++) {
      const path = paths[r(paths.length)]!;
      const data = r(4) === 0 ? seeds[r(seeds.length)]! : mutate(seeds[r(seeds.length)]!, r);
      const res = chain.app.query({ path, data, height: 0n, prove: false });
      const where = `case ${i} ${path}`;
      expect(res.code, where).not.toBe(SdkCode.Panic);
      if (res.code !== 0) expect(res.codespace, where).not.toBe("");
    }
  });

  it("two processes with different --stack-size agree on a block of 2,000 mutated txs", async () => {
    const r = prng(0xb10c);
    const txs = Array.from({ length: 2_000 }, () => Buffer.from(mutate(corpus[r(corpus.length)]!, r)).toString("base64"));
    const planPath = join(dir, "plan.json");
    await writeFile(planPath, JSON.stringify({ appState: testGenesis({ [sender.address]: 10n ** 11n }), blocks: [[], txs, [Buffer.from(corpus[0]!).toString("base64")]] }));
    const replay = join(process.cwd(), "dist", "app", "replay-blocks.js");
    const run = (flags: string[]) => promisify(execFile)(process.execPath, [...flags, replay, planPath], { maxBuffer: 64 * 1024 * 1024 }).then((o) => o.stdout);
    const [a, b] = await Promise.all([run([]), run(["--stack-size=200"])]);
    expect(b).toBe(a);
  });
});
