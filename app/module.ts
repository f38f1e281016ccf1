import type { RequestFinalizeBlock, ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import type { Context } from "./context.js";
import type { KVStore } from "./store/kvstore.js";
import type { BlockInfo } from "./context.js";
import { checkMsgStringCaps } from "./string-caps.js";
import { invalidArgument } from "./errors.js";
import { checkMessageWire, checkSchemaWire, DEFAULT_WIRE_LIMITS, type MessageSchema } from "./proto-guard.js";
import { deriveMsgSchema } from "./msg-schema.js";
import type { MsgType } from "../proto/msg-types.js";

/** Protobuf codec shape shared by cosmjs-types and our generated types. */
export interface MessageCodec<M> {
  decode(input: Uint8Array): M;
  encode(message: M): { finish(): Uint8Array };
}

/** Encoded msg response, becomes one entry of TxMsgData.msg_responses. */
export interface MsgResponse {
  typeUrl: string;
  value: Uint8Array;
}

/** The definition a module writes for one message type. */
export interface MsgDefinition<M, R> {
  /** Type URLs and codecs, built once from the proto package (proto/msg-types.ts `msgType`). */
  type: MsgType<MessageCodec<M>, MessageCodec<R>>;
  /** Bech32 signer addresses in order (the SDK's `cosmos.msg.v1.signer` fields). */
  signers(msg: M): string[];
  /** Stateless checks (the SDK's ValidateBasic); throw an AppError. String length caps (app/string-caps.ts) run first, for every msg. */
  validate?(msg: M): void;
  /** Flat gas charged before the handler runs. */
  gas: number;
  /** Returns the response message; defineMsg encodes it under the response type URL. */
  handle(ctx: Context, msg: M): R;
}

/** A message definition with its type erased, so the router can hold many kinds. */
export interface RegisteredMsg {
  typeUrl: string;
  gas: number;
  decode(value: Uint8Array): DecodedMsg;
}

/** A decoded message bound to its own definition's functions. */
export interface DecodedMsg {
  typeUrl: string;
  signers(): string[];
  validate(): void;
  handle(ctx: Context): MsgResponse;
}

export function defineMsg<M, R>(def: MsgDefinition<M, R>): RegisteredMsg {
  const { typeUrl, codec, responseTypeUrl, response } = def.type;
  // Derived on first decode (a few ms), then kept: a pure function of the codec.
  let schema: MessageSchema | undefined;
  return {
    typeUrl,
    gas: def.gas,
    decode(value) {
      // Wire-checked first: the generated decoder recurses (see app/proto-guard.ts); unknown
      // fields are rejected as the SDK rejects them (non-critical ones, n & 1024, aside).
      schema ??= deriveMsgSchema(typeUrl.slice(1), codec);
      checkSchemaWire(value, schema, DEFAULT_WIRE_LIMITS);
      const msg = codec.decode(value);
      return {
        typeUrl,
        signers: () => def.signers(msg),
        validate: () => (checkMsgStringCaps(typeUrl, msg), def.validate?.(msg)),
        handle: (ctx) => ({ typeUrl: responseTypeUrl, value: response.encode(def.handle(ctx, msg)).finish() }),
      };
    },
  };
}

/** Read-only context for queries: committed state at the last height. */
export interface QueryContext {
  readonly store: KVStore;
  readonly block: BlockInfo;
}

/** One gRPC-style query method: protobuf request bytes in, response bytes out. */
export interface QueryMethod {
  path: string;
  handle(ctx: QueryContext, data: Uint8Array): Uint8Array;
}

export interface QueryCodecs<Req, Res> {
  request: { decode(input: Uint8Array): Req };
  response: { encode(message: Res): { finish(): Uint8Array } };
}

export function defineQuery<Req, Res>(
  path: string,
  codecs: QueryCodecs<Req, Res>,
  handle: (ctx: QueryContext, req: Req) => Res,
): QueryMethod {
  return { path, handle: (ctx, data) => codecs.response.encode(handle(ctx, decodeRequest(codecs.request, data))).finish() };
}

/**
 * Decodes a query request after the same wire check as Msgs; a malformed request is the
 * caller's fault (InvalidArgument), never an internal error.
 */
export function decodeRequest<Req>(codec: { decode(input: Uint8Array): Req }, data: Uint8Array): Req {
  try {
    checkMessageWire(data, DEFAULT_WIRE_LIMITS);
    return codec.decode(data);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw invalidArgument(`invalid request: ${reason}`);
  }
}

/** A named check over whole state; returns a description of what is broken, or null. */
export interface Invariant {
  name: string;
  check(store: KVStore): string | null;
}

export interface GenesisTools {
  deliverTx(tx: Uint8Array): { code: number; codespace: string; log: string };
}

/** A module: one folder under x/, wired into the app by this shape. */
export interface AppModule {
  name: string;
  msgs: RegisteredMsg[];
  queries: QueryMethod[];
  invariants: Invariant[];
  /**
   * Applies this module's section of genesis app_state (already parsed JSON). May return
   * the initial validator set (x/staking); `deliverTx` runs a genesis tx (gentx) through
   * the full tx pipeline on the genesis state.
   */
  initGenesis(ctx: Context, state: unknown, tools: GenesisTools): ValidatorUpdate[] | void;
  exportGenesis(store: KVStore): unknown;
  /** This module's section of a fresh chain's app_state (`ogpud init`). */
  defaultGenesis(): unknown;
  /**
   * The module's consensus version (default 1): bumped whenever its state layout or rules
   * change in a way a running chain must migrate to. Stored per module by x/upgrade.
   */
  consensusVersion?: number;
  /** In-place state migrations, keyed by the version they migrate FROM (v → v+1); run by upgrade handlers. */
  migrations?: Readonly<Record<number, (ctx: Context) => void>>;
  /**
   * Runs first in FinalizeBlock, before every module's beginBlock and before any tx (the SDK's
   * PreBlocker): x/upgrade applies or halts for a due upgrade plan here.
   */
  preBlock?(ctx: Context, req: RequestFinalizeBlock): void;
  /**
   * Checks committed state before the node starts serving (`ogpud start`); throws a ChainHalt
   * (app/halt.ts) if this binary must not run on it. `nextHeight` is the next block to execute.
   */
  startupCheck?(store: KVStore, nextHeight: bigint): void;
  beginBlock?(ctx: Context, req: RequestFinalizeBlock): void;
  /** May return validator updates for CometBFT. */
  endBlock?(ctx: Context): ValidatorUpdate[] | void;
}
