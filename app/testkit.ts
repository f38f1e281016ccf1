/**
 * In-process test kit — the one harness every in-process test and benchmark starts its chain
 * with: a real OgpuApp on a real (temporary) LevelDB, deterministic keys, txs signed exactly
 * as cosmjs signs them (SIGN_MODE_DIRECT over the raw bytes), and one signer per key.
 * Module fixtures (each x/ module's testing.ts, x/market/fixture.ts) only add module data (genesis
 * records, messages). End-to-end tests use a real cometbft instead (test/e2e/helpers.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { Event, ExecTxResult, Misbehavior, RequestFinalizeBlock, RequestInitChain, RequestQuery, ResponseQuery, ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { sha256 } from "../crypto/hash.js";
import { secp256k1PublicKey, signSecp256k1 } from "../crypto/secp256k1.js";
import { addressOf, encodePubKeyAny, SECP256K1_PUBKEY_TYPE_URL } from "../crypto/pubkey.js";
import { accountAddressString } from "./address.js";
import { OgpuApp } from "./app.js";
import { createAppWiring, type AppKeepers } from "./modules.js";
import type { GasPrice } from "./tx/fees.js";
import type { AppModule, MessageCodec, QueryMethod } from "./module.js";
import type { PageRequest } from "../proto/gen/ogpu/query/v1/pagination.js";
import type { UpgradeHandler } from "./upgrades/types.js";
import type { Context } from "./context.js";
import { GasMeter } from "./gas.js";
import { toAppError, type AppError } from "./errors.js";
import { EventLog } from "./events.js";
import { Branch, type KVStore } from "./store/kvstore.js";
import type { StoreKey } from "./store/keys.js";
import { encodeBeaconTx, type BeaconEntry } from "./beacon.js";
import { consAddressOf, consensusKeyOf } from "./validator-address.js";
import { getAccount } from "../x/auth/keeper.js";
import { getValidator, lastPowers } from "../x/staking/keeper.js";
import { NO_EMISSION_PARAMS } from "../x/mint/params.js";

export const TEST_CHAIN_ID = "ogpu-test-1";

export interface TestKey {
  privateKey: Uint8Array;
  pubKey: Any;
  address: string;
  addressBytes: Uint8Array;
}

/** Key number `i`: the same on every run. */
export function testKey(i: number): TestKey {
  const privateKey = sha256(new TextEncoder().encode(`ogpu test key ${i}`));
  const pk = { typeUrl: SECP256K1_PUBKEY_TYPE_URL, key: secp256k1PublicKey(privateKey) } as const;
  const addressBytes = addressOf(pk);
  return { privateKey, pubKey: encodePubKeyAny(pk), address: accountAddressString(addressBytes), addressBytes };
}

export interface TxOptions {
  accountNumber: bigint;
  sequence: bigint;
  fee?: { denom: string; amount: string }[];
  gas?: bigint;
  memo?: string;
  timeoutHeight?: bigint;
  chainId?: string;
  /** Sign these bytes' owner but put another pubkey in the signer info (tests). */
  signerInfoPubKey?: Any;
}

export function sendMsg(from: string, to: string, amount: string, denom = "uogpu"): Any {
  return { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: from, toAddress: to, amount: [{ denom, amount }] }).finish() };
}

/** A TxRaw signed by one key, SIGN_MODE_DIRECT. */
export function signTx(key: TestKey, messages: Any[], opts: TxOptions): Uint8Array {
  const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages, memo: opts.memo ?? "", timeoutHeight: opts.timeoutHeight ?? 0n })).finish();
  const authInfoBytes = AuthInfo.encode(
    AuthInfo.fromPartial({
      signerInfos: [{ publicKey: opts.signerInfoPubKey ?? key.pubKey, modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } }, sequence: opts.sequence }],
      fee: { amount: opts.fee ?? [{ denom: "uogpu", amount: "200" }], gasLimit: opts.gas ?? 200_000n },
    }),
  ).finish();
  const signDoc = SignDoc.encode({ bodyBytes, authInfoBytes, chainId: opts.chainId ?? TEST_CHAIN_ID, accountNumber: opts.accountNumber }).finish();
  return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [signSecp256k1(key.privateKey, signDoc)] }).finish();
}

export function initChainRequest(appState: Record<string, unknown>): RequestInitChain {
  return {
    time: { seconds: 1_700_000_000n, nanos: 0 },
    chainId: TEST_CHAIN_ID,
    consensusParams: undefined,
    validators: [],
    appStateBytes: new TextEncoder().encode(JSON.stringify(appState)),
    initialHeight: 1n,
  };
}

/**
 * x/mint's section with emission off. Tests written before emission assert exact fee and
 * balance flows, so `testGenesis` chains mint nothing; x/mint's own tests (and the golden
 * app-hash script, which has no mint section) run a schedule.
 */
export const NO_EMISSION = { params: NO_EMISSION_PARAMS };

/** Genesis with `balances` (address → uogpu), optional bank params overrides, and no emission. */
export function testGenesis(balances: Record<string, bigint>, bankParams: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    auth: {},
    bank: { params: bankParams, balances: Object.entries(balances).map(([address, amount]) => ({ address, coins: [{ denom: "uogpu", amount: amount.toString() }] })) },
    mint: NO_EMISSION,
  };
}

export function finalizeRequest(height: bigint, txs: Uint8Array[]): RequestFinalizeBlock {
  return {
    txs,
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: sha256(new TextEncoder().encode(`block ${height}`)),
    height,
    time: { seconds: 1_700_000_000n + height, nanos: 0 },
    nextValidatorsHash: new Uint8Array(),
    proposerAddress: new Uint8Array(20),
  };
}

export interface SigningDefaults {
  /** uogpu fee per tx; 0 signs with an empty fee. */
  fee: bigint;
  gas: bigint;
}

/** What the market, worker and attest fixtures pay per tx. */
export const TX_FEE = 1000n;
const DEFAULT_SIGNING: SigningDefaults = { fee: TX_FEE, gas: 2_000_000n };

/**
 * The one test signer. Sequence = the committed account's sequence + the txs this signer
 * signed since the chain's last block, so several txs of one key fit in one block, and a tx
 * that was never delivered (or was refused before its sequence counted) leaves no gap.
 */
export class ChainSigner {
  private pending = 0n;
  private signedAtHeight = -1n;
  constructor(
    private readonly chain: { app: OgpuApp; height: bigint },
    readonly key: TestKey,
    private readonly defaults: SigningDefaults = DEFAULT_SIGNING,
  ) {}

  get address(): string {
    return this.key.address;
  }

  /** Signs `msgs` as this key's next tx (fee: the chain's default unless given). */
  tx(msgs: Any[], fee = this.defaults.fee): Uint8Array {
    const acc = getAccount(this.chain.app.store, this.key.addressBytes);
    if (!acc) throw new Error(`${this.key.address} has no account yet`);
    if (this.signedAtHeight !== this.chain.height) {
      this.signedAtHeight = this.chain.height;
      this.pending = 0n;
    }
    const sequence = acc.sequence + this.pending;
    this.pending += 1n;
    return signTx(this.key, msgs, { accountNumber: acc.accountNumber, sequence, fee: fee === 0n ? [] : [{ denom: "uogpu", amount: fee.toString() }], gas: this.defaults.gas });
  }
}

/** One block's inputs beyond its txs. */
export interface BlockSpec {
  /** Runs in the block's BeginBlock after the real modules' (needs `midBlockCalls`). */
  during?: (ctx: Context) => void;
  /** Validators whose last-commit vote is ABSENT (needs `commitVotes`). */
  absent?: readonly { consensusKey: Uint8Array }[];
  misbehavior?: Misbehavior[];
  /** Puts a beacon tx with these entries first (sets the block's draw seed). */
  beacon?: BeaconEntry[];
  /** Replaces the header hash. */
  hash?: Uint8Array;
}

export interface BlockOutcome {
  txResults: ExecTxResult[];
  /** Block-level (Begin/EndBlock) events. */
  events: Event[];
  validatorUpdates: ValidatorUpdate[];
}

export interface TestChainOptions {
  minGasPrices?: GasPrice[];
  /** Reuse this directory (restart tests); otherwise a temp dir removed on close. */
  dir?: string;
  simulationGasLimit?: number;
  queryMaxBytes?: number;
  /** Module invariants after every block (default true). */
  checkInvariants?: boolean;
  /** Adds a module whose BeginBlock runs a block's `during` (keeper calls from "other modules"). */
  midBlockCalls?: boolean;
  /** Blocks after the first carry the last-commit votes CometBFT would send (per the app's last powers). */
  commitVotes?: boolean;
  /** Fee and gas every signer of this chain uses. */
  signing?: SigningDefaults;
  /** Runs after every committed block (a fixture's own conservation check). */
  afterBlock?: () => void;
  /** The upgrade handlers of this "binary" (default: app/upgrades/registry.ts). */
  upgrades?: readonly UpgradeHandler[];
}

export interface TestChain {
  app: OgpuApp;
  /** This app instance's keepers, for reading and driving state directly in tests. */
  keepers: AppKeepers;
  dir: string;
  height: bigint;
  /** The validator set InitChain returned (empty on a restarted chain). */
  genesisValidators: ValidatorUpdate[];
  /** Every FinalizeBlock request sent so far (for replay into another instance). */
  requests: RequestFinalizeBlock[];
  /** FinalizeBlock time of the last block, ms (benchmarks only; never consensus input). */
  lastFinalizeMs: number;
  /** Executes and commits one block; returns the tx results. */
  block(txs?: Uint8Array[]): Promise<ExecTxResult[]>;
  /** Executes and commits one block; returns everything FinalizeBlock reported. */
  run(txs?: Uint8Array[], spec?: BlockSpec): Promise<BlockOutcome>;
  /** This chain's signer for `key` (one per key, so its sequence is tracked once). */
  signer(key: TestKey): ChainSigner;
  /** Shorthand for signer(key).tx(msgs, fee). */
  tx(key: TestKey, msgs: Any[], fee?: bigint): Uint8Array;
  query(path: string, data: Uint8Array): ResponseQuery;
  /**
   * Runs one message with no tx around it, as x/gov runs a passed proposal's messages with the
   * gov module account as signer: in the next block's BeginBlock, decoded, validated and handled
   * in a branch written only if it succeeds. Needs `midBlockCalls`. Returns the error, if any,
   * and the message's events.
   */
  execMsg(msg: Any): Promise<{ error?: AppError; events: Event[] }>;
  close(): Promise<void>;
}

/** Votes for every validator CometBFT has (per the app's last reported powers). */
function lastCommitVotes(app: OgpuApp, absent: readonly { consensusKey: Uint8Array }[]) {
  const absentCons = new Set(absent.map((v) => Buffer.from(consAddressOf(v.consensusKey)).toString("hex")));
  return lastPowers(app.store).map(({ operator, power }) => {
    const address = consAddressOf(consensusKeyOf(getValidator(app.store, operator)!));
    const flag = absentCons.has(Buffer.from(address).toString("hex")) ? BlockIDFlag.BLOCK_ID_FLAG_ABSENT : BlockIDFlag.BLOCK_ID_FLAG_COMMIT;
    return { validator: { address, power }, blockIdFlag: flag };
  });
}

export async function startTestChain(appState: Record<string, unknown>, opts: TestChainOptions = {}): Promise<TestChain> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "ogpu-app-"));
  const wiring = createAppWiring({ upgrades: opts.upgrades });
  let during: ((ctx: Context) => void) | undefined;
  const caller: AppModule = { name: "test_caller", msgs: [], queries: [], invariants: [], initGenesis: () => undefined, exportGenesis: () => ({}), defaultGenesis: () => ({}), beginBlock: (ctx) => during?.(ctx) };
  const parts = opts.midBlockCalls ? { ...wiring, modules: [...wiring.modules, caller] } : wiring;
  const { simulationGasLimit, queryMaxBytes } = opts;
  const app = await OgpuApp.open(join(dir, "db"), parts, { minGasPrices: opts.minGasPrices ?? [], checkInvariants: opts.checkInvariants ?? true, simulationGasLimit, queryMaxBytes });
  let genesisValidators: ValidatorUpdate[] = [];
  try {
    if (app.lastCommit.height === 0n) genesisValidators = app.initChain(initChainRequest(appState)).validators;
  } catch (err) {
    // A rejected genesis (tests expect that) must not leave its database behind.
    await app.close();
    if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const signers = new Map<string, ChainSigner>();
  const chain: TestChain = {
    app,
    keepers: wiring.keepers,
    dir,
    height: app.lastCommit.height,
    genesisValidators,
    requests: [],
    lastFinalizeMs: 0,
    async block(txs = []) {
      return (await chain.run(txs)).txResults;
    },
    async run(txs = [], spec = {}) {
      if (spec.during && !opts.midBlockCalls) throw new Error("a block's `during` needs startTestChain({ midBlockCalls: true })");
      if (spec.absent && !opts.commitVotes) throw new Error("absent votes need startTestChain({ commitVotes: true })");
      chain.height += 1n;
      const req = finalizeRequest(chain.height, spec.beacon ? [encodeBeaconTx(spec.beacon), ...txs] : txs);
      if (spec.hash) req.hash = spec.hash;
      // Block 1 has no last commit; later blocks carry the previous block's votes.
      if (opts.commitVotes && chain.height > 1n) req.decidedLastCommit = { round: 0, votes: lastCommitVotes(app, spec.absent ?? []) };
      req.misbehavior = spec.misbehavior ?? [];
      chain.requests.push(req);
      during = spec.during;
      const start = performance.now();
      const res = app.finalizeBlock(req);
      chain.lastFinalizeMs = performance.now() - start;
      during = undefined;
      await app.commit();
      opts.afterBlock?.();
      return { txResults: res.txResults, events: res.events, validatorUpdates: res.validatorUpdates };
    },
    signer(key) {
      let s = signers.get(key.address);
      if (!s) signers.set(key.address, (s = new ChainSigner(chain, key, opts.signing)));
      return s;
    },
    tx: (key, msgs, fee) => chain.signer(key).tx(msgs, fee),
    query: (path, data) => app.query({ path, data, height: 0n, prove: false } satisfies RequestQuery),
    async execMsg(msg) {
      const registered = parts.modules.flatMap((m) => m.msgs).find((m) => m.typeUrl === msg.typeUrl);
      if (!registered) throw new Error(`no module handles ${msg.typeUrl}`);
      const result: { error?: AppError; events: Event[] } = { events: [] };
      await chain.run([], {
        during(ctx) {
          const branch = new Branch(ctx.store);
          const events = new EventLog();
          try {
            const decoded = registered.decode(msg.value);
            decoded.validate();
            decoded.handle({ ...ctx, store: branch, events });
            branch.writeToParent();
            result.events = events.events;
          } catch (err) {
            result.error = toAppError(err);
          }
        },
      });
      return result;
    },
    async close() {
      await app.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return chain;
}

/** Opens a fresh app, runs `genesis` and replays `requests`; returns the last app hash. */
export async function replayChain(genesis: RequestInitChain, requests: readonly RequestFinalizeBlock[]): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), "ogpu-replay-"));
  const app = await OgpuApp.open(join(dir, "db"), createAppWiring(), { minGasPrices: [], checkInvariants: true });
  try {
    app.initChain(genesis);
    for (const req of requests) {
      app.finalizeBlock(req);
      await app.commit();
    }
    return app.lastCommit.appHash;
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Attributes of the events of one type, as plain objects. */
export function eventsOf(events: readonly Event[], type: string): Record<string, string>[] {
  return events.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));
}

/** Asserts every tx of a block succeeded; returns the outcome. */
export function expectOk(outcome: BlockOutcome): BlockOutcome {
  const failed = outcome.txResults.find((r) => r.code !== 0);
  if (failed) throw new Error(`tx failed: codespace ${failed.codespace} code ${failed.code}: ${failed.log}`);
  return outcome;
}

/** Runs `n` empty blocks. */
export async function emptyBlocks(chain: TestChain, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await chain.block([]);
}

/** A deliver context on `store` at `height`, as another module's keeper call would get it. */
export function deliverContext(store: KVStore, height: bigint): Context {
  return { store, block: { chainId: TEST_CHAIN_ID, height, timeSeconds: 0n, beacon: new Uint8Array() }, mode: "deliver", gas: new GasMeter(), events: new EventLog() };
}

/** A deliver context on a branch of the chain's committed state, for the next block. */
export function branchContext(chain: Pick<TestChain, "app" | "height">): Context & { store: Branch } {
  const store = new Branch(chain.app.store);
  return { ...deliverContext(store, chain.height + 1n), store };
}

/**
 * Counts what a query does: `reads` are gets of keys under `recordPrefix` (records decoded one
 * by one), `visited` the entries every iteration walked (so a page's cost is visible).
 */
export class CountingStore implements KVStore {
  reads = 0;
  visited = 0;
  constructor(private readonly inner: KVStore, private readonly recordPrefix = "") {}
  get(key: StoreKey) {
    if (this.recordPrefix !== "" && key.startsWith(this.recordPrefix)) this.reads++;
    return this.inner.get(key);
  }
  has = (key: StoreKey) => this.inner.has(key);
  set = (key: StoreKey, value: Uint8Array) => this.inner.set(key, value);
  delete = (key: StoreKey) => this.inner.delete(key);
  *iterate(prefix: StoreKey, from?: StoreKey): Iterable<[StoreKey, Uint8Array]> {
    for (const entry of this.inner.iterate(prefix, from)) {
      this.visited++;
      yield entry;
    }
  }
}

/** A PageRequest with the given fields, the rest at their defaults. */
export const pageRequest = (p: Partial<PageRequest> = {}): PageRequest => ({ key: new Uint8Array(), offset: 0n, limit: 0n, countTotal: false, reverse: false, ...p });

/** Follows next_key from the first page to the last; `fetch` returns one page's items and its next_key. */
export function collectPages<T>(fetch: (key: Uint8Array) => { items: T[]; nextKey: Uint8Array }): T[] {
  const out: T[] = [];
  for (let key: Uint8Array = new Uint8Array(); ; ) {
    const page = fetch(key);
    out.push(...page.items);
    key = page.nextKey;
    if (key.length === 0) return out;
  }
}

/** Runs one module query in process on `store` (list-query tests wrap it in a CountingStore). */
export function queryOnStore<Req, Res>(
  methods: readonly QueryMethod[],
  path: string,
  codecs: { request: MessageCodec<Req>; response: { decode(input: Uint8Array): Res } },
  store: KVStore,
  req: Req,
): Res {
  const method = methods.find((m) => m.path === path);
  if (method === undefined) throw new Error(`no query ${path}`);
  const block = { chainId: TEST_CHAIN_ID, height: 1n, timeSeconds: 0n, beacon: new Uint8Array() };
  return codecs.response.decode(method.handle({ store, block }, codecs.request.encode(req).finish()));
}
