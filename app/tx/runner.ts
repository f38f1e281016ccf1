import type { Event } from "cosmjs-types/tendermint/abci/types";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { BlockInfo, Context, ExecMode } from "../context.js";
import { toAppError } from "../errors.js";
import { EventLog } from "../events.js";
import { GasMeter } from "../gas.js";
import type { RegisteredMsg } from "../module.js";
import { Branch, type KVStore } from "../store/kvstore.js";
import { decodeTx, type DecodedTx } from "./decode.js";
import type { GasPrice } from "./fees.js";
import type { VerifiedSignatures } from "./sigcache.js";

/** What one tx did: the fields of ExecTxResult / ResponseCheckTx. */
export interface TxOutcome {
  code: number;
  codespace: string;
  log: string;
  gasWanted: bigint;
  gasUsed: bigint;
  events: Event[];
  /** Encoded TxMsgData (empty on failure). */
  data: Uint8Array;
  msgResponses: Any[];
}

/** Node-local inputs of the ante handler (not state): the mempool fee floor and the signature cache. */
export interface AnteOptions {
  minGasPrices: readonly GasPrice[];
  signatures: VerifiedSignatures;
}

/**
 * Fee, sequence and signature checks before a tx's messages run. x/auth provides it (it owns
 * accounts); the composition root hands it to the app, so app/ never imports a module.
 */
export type AnteHandler = (ctx: Context, tx: DecodedTx, opts: AnteOptions) => void;

export interface TxRunner {
  msgTypes: ReadonlyMap<string, RegisteredMsg>;
  ante: AnteHandler;
  anteOptions: AnteOptions;
  /** Gas cap for simulation (a node setting): simulate is unsigned and fee-less, so only this bounds its work. */
  simulationGasLimit?: number;
}

/** Module name for the `message` event, from a type URL like "/cosmos.bank.v1beta1.MsgSend". */
function moduleOf(typeUrl: string): string {
  const parts = typeUrl.replace(/^\//, "").split(".");
  return parts[0] === "cosmos" || parts[0] === "ogpu" ? parts[1]! : parts[0]!;
}

/**
 * Runs one tx on `store`: decode, ante (fee + sequence, kept even if a message fails),
 * then the messages on their own branch, kept only if all succeed. CheckTx stops after the
 * ante handler, as the SDK does. Never throws: every failure is an outcome with a code.
 */
export function runTx(runner: TxRunner, store: KVStore, block: BlockInfo, mode: ExecMode, bytes: Uint8Array): TxOutcome {
  let gasWanted = 0n;
  let gas = new GasMeter(0);
  let tx: DecodedTx;
  const anteStore = new Branch(store);
  const anteEvents = new EventLog(mode !== "check" && mode !== "recheck");
  try {
    tx = decodeTx(bytes, runner.msgTypes);
    gasWanted = tx.authInfo.fee?.gasLimit ?? 0n;
    gas = new GasMeter(mode === "simulate" ? runner.simulationGasLimit : Number(gasWanted > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : gasWanted));
    runner.ante({ store: anteStore, block, mode, gas, events: anteEvents }, tx, runner.anteOptions);
  } catch (err) {
    return failure(err, gasWanted, gas, []);
  }
  anteStore.writeToParent();
  if (mode === "check" || mode === "recheck") return success(gasWanted, gas, anteEvents.events, []);

  const msgStore = new Branch(store);
  const msgEvents = new EventLog();
  const responses: Any[] = [];
  const ctx: Context = { store: msgStore, block, mode, gas, events: msgEvents };
  for (let i = 0; i < tx.msgs.length; i++) {
    const msg = tx.msgs[i]!;
    try {
      gas.consume(runner.msgTypes.get(msg.typeUrl)!.gas, `msg ${msg.typeUrl}`);
      msgEvents.emit("message", { action: msg.typeUrl, sender: msg.signers()[0] ?? "", module: moduleOf(msg.typeUrl), msg_index: String(i) }, ["msg_index"]);
      responses.push(msg.handle(ctx));
    } catch (err) {
      const e = toAppError(err);
      e.message = `failed to execute message; message index: ${i}: ${e.message}`;
      return failure(e, gasWanted, gas, anteEvents.events);
    }
  }
  msgStore.writeToParent();
  return success(gasWanted, gas, [...anteEvents.events, ...msgEvents.events], responses);
}

function success(gasWanted: bigint, gas: GasMeter, events: Event[], msgResponses: Any[]): TxOutcome {
  const data = msgResponses.length > 0 ? TxMsgData.encode({ data: [], msgResponses }).finish() : new Uint8Array();
  return { code: 0, codespace: "", log: "", gasWanted, gasUsed: BigInt(gas.consumed), events, data, msgResponses };
}

function failure(err: unknown, gasWanted: bigint, gas: GasMeter, events: Event[]): TxOutcome {
  const e = toAppError(err);
  return { code: e.code, codespace: e.codespace, log: e.message, gasWanted, gasUsed: BigInt(gas.consumed), events, data: new Uint8Array(), msgResponses: [] };
}
