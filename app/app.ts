import type { LogSink } from "./log.js";
import {
  CheckTxType,
  ResponseProcessProposal_ProposalStatus,
  ResponseVerifyVoteExtension_VerifyStatus,
  type Event,
  type ExecTxResult,
  type RequestCheckTx,
  type RequestExtendVote,
  type RequestFinalizeBlock,
  type RequestInitChain,
  type RequestPrepareProposal,
  type RequestProcessProposal,
  type RequestQuery,
  type RequestVerifyVoteExtension,
  type ResponseCheckTx,
  type ResponseCommit,
  type ResponseFinalizeBlock,
  type ResponseInfo,
  type ResponseInitChain,
  type ResponseQuery,
  type ValidatorUpdate,
} from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication } from "./abci/application.js";
import { beaconEntriesFromCommit, beaconMessage, beaconOf, beaconRequired, checkProposalBeacon, decodeBeaconTx, encodeBeaconTx, fallbackBeacon, isBeaconTx, verifyBeaconSignature } from "./beacon.js";
import { consensusKeyByAddress, lastBlockHash, maxBlockGas, recordConsensusKeys, setLastBlockHash, setMaxBlockGas, setVoteExtensionsEnableHeight, voteExtensionsEnableHeight } from "./consensus-state.js";
import { checkProposalTxs, packTxs } from "./tx/proposal.js";
import type { BlockInfo, Context } from "./context.js";
import { EventLog } from "./events.js";
import { GasMeter } from "./gas.js";
import { GenesisError } from "./genesis-json.js";
import { ChainHalt } from "./halt.js";
import type { AppModule } from "./module.js";
import { msgTypeMap } from "./msg-router.js";
import { DEFAULT_QUERY_MAX_BYTES, QueryRouter } from "./query.js";
import { nextAppHash } from "./store/apphash.js";
import { CommittedStore } from "./store/committed.js";
import { Branch, type ChangeSet, type KVStore } from "./store/kvstore.js";
import type { GasPrice } from "./tx/fees.js";
import { runTx, type AnteHandler, type TxOutcome, type TxRunner } from "./tx/runner.js";
import { VerifiedSignatures } from "./tx/sigcache.js";

export const APP_VERSION = "0.1.0";
const CHAIN_ID_KEY = "app/chain_id";

export interface AppOptions {
  /** Node-local mempool fee floor (CheckTx only). */
  minGasPrices: GasPrice[];
  /** Check every module invariant after every block and halt on a violation (dev mode). */
  checkInvariants: boolean;
  /** Gas cap for one Simulate query (`simulation_gas_limit`); default DEFAULT_SIMULATION_GAS_LIMIT. */
  simulationGasLimit?: number;
  /** Largest abci_query request accepted (`query_max_bytes`); default DEFAULT_QUERY_MAX_BYTES. */
  queryMaxBytes?: number;
  /** Where the app reports what an operator must see (halts, broken invariants, rejected proposals). */
  log?: LogSink;
  /**
   * Signs this node's beacon contribution (vote extension) with its consensus key, read from
   * the node home's config/priv_validator_key.json. Absent: empty extensions, which other
   * validators reject, so a validator must have it once vote extensions are enabled.
   */
  signBeacon?: (message: Uint8Array) => Uint8Array;
  /** Told when a block halts the chain (app/halt.ts), after it is logged and before FinalizeBlock fails. */
  onHalt?: (halt: ChainHalt) => void;
}

/** What the app is built from (app/modules.ts makes it): the modules in order and x/auth's ante handler. */
export interface AppParts {
  modules: readonly AppModule[];
  ante: AnteHandler;
}

/** Like the SDK's 10M simulation gas ceiling: far above any real tx, bounded work per query. */
export const DEFAULT_SIMULATION_GAS_LIMIT = 10_000_000;

/** A block executed by FinalizeBlock and waiting for Commit. */
interface PendingBlock {
  height: bigint;
  appHash: Uint8Array;
  changes: ChangeSet;
  timeSeconds: bigint;
}

/**
 * The oGPU state machine behind CometBFT. Committed state is read from memory; a block
 * executes on a branch of it and is written to LevelDB in one batch at Commit. CheckTx
 * runs on its own branch, reset after every commit so mempool sequences start from
 * committed state (CometBFT then rechecks the remaining mempool txs against it).
 */
export class OgpuApp implements AbciApplication {
  private readonly runner: TxRunner;
  private readonly queries: QueryRouter;
  private checkState: Branch;
  /** InitChain's writes, kept until the first block commits them (as the SDK does). */
  private genesis?: { branch: Branch; appHash: Uint8Array };
  private pending?: PendingBlock;
  private chainId: string;

  readonly modules: readonly AppModule[];

  constructor(
    readonly store: CommittedStore,
    parts: AppParts,
    private readonly options: AppOptions,
  ) {
    const modules = parts.modules;
    this.modules = modules;
    const msgTypes = msgTypeMap(modules);
    this.runner = {
      msgTypes,
      ante: parts.ante,
      anteOptions: { minGasPrices: options.minGasPrices, signatures: new VerifiedSignatures() },
      simulationGasLimit: options.simulationGasLimit ?? DEFAULT_SIMULATION_GAS_LIMIT,
    };
    this.queries = new QueryRouter(modules.flatMap((m) => m.queries), (tx) => this.simulate(tx), options.queryMaxBytes ?? DEFAULT_QUERY_MAX_BYTES);
    this.checkState = new Branch(store);
    this.chainId = readChainId(store);
  }

  static async open(dbPath: string, parts: AppParts, options: AppOptions): Promise<OgpuApp> {
    return new OgpuApp(await CommittedStore.open(dbPath), parts, options);
  }

  get lastCommit() {
    return this.store.lastCommit;
  }

  get currentChainId(): string {
    return this.chainId;
  }

  info(): ResponseInfo {
    const { height, appHash } = this.store.lastCommit;
    return { data: "ogpud", version: APP_VERSION, appVersion: 1n, lastBlockHeight: height, lastBlockAppHash: appHash };
  }

  initChain(req: RequestInitChain): ResponseInitChain {
    if (this.store.lastCommit.height > 0n) throw new Error("InitChain called on a chain that already has committed blocks");
    const branch = new Branch(this.store);
    this.chainId = req.chainId;
    branch.set(CHAIN_ID_KEY, new TextEncoder().encode(req.chainId));
    const appState = parseAppState(req.appStateBytes);
    for (const name of Object.keys(appState)) {
      if (!this.modules.some((m) => m.name === name)) throw new GenesisError(`app_state has a section for unknown module "${name}"`);
    }
    // Genesis runs at height 0, before the first block (gentxs are signed for it).
    const block = this.blockInfo(0n, req.time.seconds, new Uint8Array());
    const ctx = this.context(branch, block);
    setVoteExtensionsEnableHeight(branch, req.consensusParams?.abci?.voteExtensionsEnableHeight ?? 0n);
    setMaxBlockGas(branch, req.consensusParams?.block?.maxGas ?? -1n);
    recordConsensusKeys(branch, req.validators);
    const tools = { deliverTx: (tx: Uint8Array) => runTx(this.runner, branch, block, "deliver", tx) };
    const validators: ValidatorUpdate[] = [];
    for (const m of this.modules) validators.push(...(m.initGenesis(ctx, appState[m.name], tools) ?? []));
    recordConsensusKeys(branch, validators);
    this.assertInvariants(branch, "genesis");
    const appHash = nextAppHash(new Uint8Array(), branch.changes());
    this.genesis = { branch, appHash };
    this.checkState = new Branch(branch);
    this.options.log?.info(`InitChain: chain ${req.chainId}, ${branch.changes().size} genesis entries`);
    // No validators from the app = CometBFT keeps the genesis.json set.
    return { consensusParams: undefined, validators, appHash };
  }

  query(req: RequestQuery): ResponseQuery {
    const { height } = this.store.lastCommit;
    return this.queries.query({ store: this.store, block: this.blockInfo(height, this.store.lastCommit.timeSeconds, new Uint8Array()) }, req);
  }

  /** Every gRPC method path `query` answers (the gRPC server serves exactly these). */
  get queryPaths(): readonly string[] {
    return this.queries.paths;
  }

  checkTx(req: RequestCheckTx): ResponseCheckTx {
    const mode = req.type === CheckTxType.RECHECK ? "recheck" : "check";
    const block = this.blockInfo(this.store.lastCommit.height + 1n, this.store.lastCommit.timeSeconds, new Uint8Array());
    const o = runTx(this.runner, this.checkState, block, mode, req.tx);
    return { code: o.code, data: o.data, log: o.log, info: "", gasWanted: o.gasWanted, gasUsed: o.gasUsed, events: o.events, codespace: o.codespace };
  }

  /** Runs a tx against a throwaway branch of committed state (gas estimation). */
  simulate(txBytes: Uint8Array): TxOutcome {
    const block = this.blockInfo(this.store.lastCommit.height + 1n, this.store.lastCommit.timeSeconds, new Uint8Array());
    return runTx(this.runner, new Branch(this.genesis?.branch ?? this.store), block, "simulate", txBytes);
  }

  prepareProposal(req: RequestPrepareProposal) {
    // The beacon tx first (when the last commit had extensions), then CometBFT's order,
    // keeping only txs that pass the stateless checks and fit the byte and gas budgets.
    const txs: Uint8Array[] = [];
    if (beaconRequired(voteExtensionsEnableHeight(this.latestState()), req.height)) {
      const keyOf = this.consensusKeys();
      txs.push(encodeBeaconTx(beaconEntriesFromCommit(this.lastBlock(req.height), req.localLastCommit ?? { round: 0, votes: [] }, keyOf)));
    }
    const bytes = txs.reduce((n, tx) => n + BigInt(tx.length), 0n);
    const candidates = req.txs.filter((tx) => !isBeaconTx(tx));
    txs.push(...packTxs(candidates, this.runner.msgTypes, { maxBytes: req.maxTxBytes, maxGas: maxBlockGas(this.latestState()) }, { bytes, gas: 0n }));
    return { txs };
  }

  processProposal(req: RequestProcessProposal) {
    // Txs are fully checked when executed (an invalid one fails with its code there); the
    // beacon is checked here, since a block with a forged or trimmed one must not be decided.
    const problem = checkProposalBeacon({
      lastBlock: this.lastBlock(req.height),
      required: beaconRequired(voteExtensionsEnableHeight(this.latestState()), req.height),
      txs: req.txs,
      lastCommit: req.proposedLastCommit,
      keyOf: this.consensusKeys(),
    });
    // Then every other tx: a byzantine proposer can't stuff the block past max_gas or with
    // txs that can never run (they would cost every validator work nobody paid for).
    const others = req.txs.length > 0 && isBeaconTx(req.txs[0]!) ? req.txs.slice(1) : req.txs;
    const txProblem = problem ?? checkProposalTxs(others, this.runner.msgTypes, maxBlockGas(this.latestState()));
    if (txProblem === null) return { status: ResponseProcessProposal_ProposalStatus.ACCEPT };
    this.options.log?.warn(`ProcessProposal: rejecting block ${req.height}: ${txProblem}`);
    return { status: ResponseProcessProposal_ProposalStatus.REJECT };
  }

  extendVote(req: RequestExtendVote) {
    return { voteExtension: this.options.signBeacon?.(beaconMessage(this.chainId, req.height, req.hash)) ?? new Uint8Array() };
  }

  verifyVoteExtension(req: RequestVerifyVoteExtension) {
    const block = { chainId: this.chainId, height: req.height, hash: req.hash };
    const ok = verifyBeaconSignature(block, { validator: req.validatorAddress, signature: req.voteExtension }, this.consensusKeys());
    return { status: ok ? ResponseVerifyVoteExtension_VerifyStatus.ACCEPT : ResponseVerifyVoteExtension_VerifyStatus.REJECT };
  }

  finalizeBlock(req: RequestFinalizeBlock): ResponseFinalizeBlock {
    try {
      return this.executeBlock(req);
    } catch (err) {
      // A halt fails FinalizeBlock (CometBFT stops; nothing of the block is committed) after
      // the node was told, so it exits with the halt's own code.
      if (err instanceof ChainHalt) {
        this.options.log?.error(err.message);
        this.options.onHalt?.(err);
      }
      throw err;
    }
  }

  /**
   * Every module's startup check against committed state (`ogpud start` runs it before
   * serving): throws a ChainHalt if this binary must not run on this chain yet.
   */
  startupCheck(): void {
    const next = this.store.lastCommit.height + 1n;
    for (const m of this.modules) m.startupCheck?.(this.latestState(), next);
  }

  private executeBlock(req: RequestFinalizeBlock): ResponseFinalizeBlock {
    const base: KVStore = this.genesis?.branch ?? this.store;
    const branch = new Branch(base);
    const block = this.blockInfo(req.height, req.time.seconds, this.blockBeacon(req));
    const blockEvents = new EventLog();
    const hookCtx: Context = { store: branch, block, mode: "deliver", gas: new GasMeter(), events: blockEvents };
    for (const m of this.modules) m.preBlock?.(hookCtx, req);
    for (const m of this.modules) m.beginBlock?.(hookCtx, req);
    const txResults: ExecTxResult[] = req.txs.map((tx, i) => {
      // ProcessProposal admitted the beacon tx; it carries randomness, not messages.
      if (i === 0 && isBeaconTx(tx)) return { code: 0, data: new Uint8Array(), log: "", info: "beacon", gasWanted: 0n, gasUsed: 0n, events: [], codespace: "" };
      const o = runTx(this.runner, branch, block, "deliver", tx);
      return { code: o.code, data: o.data, log: o.log, info: "", gasWanted: o.gasWanted, gasUsed: o.gasUsed, events: o.events, codespace: o.codespace };
    });
    const validatorUpdates: ValidatorUpdate[] = [];
    for (const m of this.modules) validatorUpdates.push(...(m.endBlock?.(hookCtx) ?? []));
    recordConsensusKeys(branch, validatorUpdates);
    setLastBlockHash(branch, req.hash);
    if (this.options.checkInvariants) this.assertInvariants(branch, `block ${req.height}`);

    const previous = this.genesis?.appHash ?? this.store.lastCommit.appHash;
    const appHash = nextAppHash(previous, branch.changes());
    const changes: ChangeSet = this.genesis ? new Map([...this.genesis.branch.changes(), ...branch.changes()]) : branch.changes();
    this.pending = { height: req.height, appHash, changes, timeSeconds: req.time.seconds };
    const events: Event[] = blockEvents.events;
    return { events, txResults, validatorUpdates, consensusParamUpdates: undefined, appHash };
  }

  async commit(): Promise<ResponseCommit> {
    const block = this.pending;
    if (!block) throw new Error("Commit without a finalized block");
    await this.store.commit(block.changes, { height: block.height, appHash: block.appHash, timeSeconds: block.timeSeconds });
    this.pending = undefined;
    this.genesis = undefined;
    this.checkState = new Branch(this.store);
    return { retainHeight: 0n };
  }

  /** Runs every invariant; a violation throws, which halts the node (the crisis module's rule). */
  assertInvariants(store: KVStore, where: string): void {
    const broken = this.brokenInvariants(store);
    if (broken.length === 0) return;
    // Loud before the halt: the node log names every broken invariant even if the throw is swallowed upstream.
    for (const b of broken) this.options.log?.error(`INVARIANT BROKEN at ${where}: ${b}`);
    throw new Error(`invariant broken at ${where}: ${broken.join("; ")}`);
  }

  brokenInvariants(store: KVStore = this.store): string[] {
    return this.modules.flatMap((m) => m.invariants.map((inv) => ({ inv, msg: inv.check(store) })))
      .filter((r) => r.msg !== null)
      .map((r) => `${r.inv.name}: ${r.msg}`);
  }

  /** The whole committed state as genesis app_state JSON (`ogpud export`). */
  exportAppState(): Record<string, unknown> {
    return Object.fromEntries(this.modules.map((m) => [m.name, m.exportGenesis(this.store)]));
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  private blockInfo(height: bigint, timeSeconds: bigint, beacon: Uint8Array): BlockInfo {
    return { chainId: this.chainId, height, timeSeconds, beacon };
  }

  /** Genesis state until block 1 commits, then committed state (read it; never write). */
  latestState(): KVStore {
    return this.genesis?.branch ?? this.store;
  }

  /** The block before `height`, as its precommits (and so its beacon signatures) named it. */
  private lastBlock(height: bigint) {
    return { chainId: this.chainId, height: height - 1n, hash: lastBlockHash(this.latestState()) };
  }

  private consensusKeys() {
    const state = this.latestState();
    return (address: Uint8Array) => consensusKeyByAddress(state, address);
  }

  /** The draw seed of a block: its beacon tx (admitted by ProcessProposal), else the fallback. */
  private blockBeacon(req: RequestFinalizeBlock): Uint8Array {
    const first = req.txs[0];
    const entries = first !== undefined && isBeaconTx(first) ? decodeBeaconTx(first) : undefined;
    if (entries !== undefined && typeof entries !== "string") return beaconOf(entries);
    const previous = this.genesis?.appHash ?? this.store.lastCommit.appHash;
    return fallbackBeacon(this.chainId, req.height, previous);
  }

  private context(store: KVStore, block: BlockInfo): Context {
    return { store, block, mode: "deliver", gas: new GasMeter(), events: new EventLog() };
  }
}

function readChainId(store: KVStore): string {
  const raw = store.get(CHAIN_ID_KEY);
  return raw === undefined ? "" : new TextDecoder().decode(raw);
}

function parseAppState(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new GenesisError(`app_state is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new GenesisError("app_state must be a JSON object");
  return parsed as Record<string, unknown>;
}
