import type { Context } from "./context.js";
import type { ParamsAccess } from "./params.js";
import type { MsgType } from "../proto/msg-types.js";
import { defineMsg, defineQuery, type MessageCodec, type QueryCodecs, type QueryMethod, type RegisteredMsg } from "./module.js";
import { requireGovAuthority, validateAuthority } from "./authority.js";
import { SdkCode, sdkError } from "./errors.js";

/** Fields of every module's `/ogpu.<module>.v1.MsgUpdateParams` (proto/ogpu/<module>/v1/update_params.proto). */
export interface UpdateParamsFields {
  authority: string;
  /** The complete param set as a JSON object, the shape of genesis and the Params query. */
  params: string;
}

/** Flat gas of a MsgUpdateParams, plus this much per character of its JSON (parsing and validating it). */
export const UPDATE_PARAMS_GAS = 10_000;
export const UPDATE_PARAMS_GAS_PER_CHAR = 10;

/** The event every applied MsgUpdateParams emits: `update_params{module, authority}`. */
export const UPDATE_PARAMS_EVENT = "update_params";

export interface UpdateParamsHooks<T> {
  /**
   * State-dependent checks of a new param set against the current one (e.g. a denom that
   * balances are held in must not change); throw an AppError to refuse.
   */
  checkChange?(ctx: Context, current: T, next: T): void;
  /** Runs after the new set is stored: bookkeeping sized by a param is brought in line. */
  applied?(ctx: Context, previous: T, next: T): void;
}

/**
 * Parses a MsgUpdateParams' JSON with the module's own rules (ParamsAccess.parse: unknown
 * keys, types, ranges); any failure is the SDK's ErrInvalidRequest naming the module.
 */
export function parseParamsJson<T>(module: string, access: ParamsAccess<T>, text: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw sdkError(SdkCode.InvalidRequest, `invalid ${module} params: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  // parse() fills absent fields with defaults (for genesis); an update replaces the whole set, so every field must be given.
  if (typeof json === "object" && json !== null && !Array.isArray(json)) {
    const missing = Object.keys(access.parse(undefined) as Record<string, unknown>).filter((k) => !(k in json));
    if (missing.length > 0) throw sdkError(SdkCode.InvalidRequest, `invalid ${module} params: missing ${missing.join(", ")} (an update gives the whole param set)`);
  }
  try {
    return access.parse(json);
  } catch (err) {
    throw sdkError(SdkCode.InvalidRequest, `invalid ${module} params: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * A module's gov-only MsgUpdateParams (the SDK's semantics): the authority must be the gov
 * module account (code 12, codespace gov), the whole param set is replaced after the module's
 * validation, and `update_params` is emitted. The new values are in state as soon as the
 * handler returns, so everything that runs after it — later messages, the rest of the block's
 * hooks, every later block — reads them (ParamsAccess.get re-decodes when the stored bytes change).
 */
export function defineUpdateParamsMsg<T>(
  module: string,
  access: ParamsAccess<T>,
  type: MsgType<MessageCodec<UpdateParamsFields>, MessageCodec<object>>,
  hooks: UpdateParamsHooks<T> = {},
): RegisteredMsg {
  return defineMsg({
    type,
    gas: UPDATE_PARAMS_GAS,
    signers: (msg) => [msg.authority],
    // Stateless, so a proposal carrying bad params is refused at submission, not at execution.
    validate(msg) {
      validateAuthority(msg.authority);
      parseParamsJson(module, access, msg.params);
    },
    handle(ctx, msg) {
      requireGovAuthority(msg.authority);
      ctx.gas.consume(msg.params.length * UPDATE_PARAMS_GAS_PER_CHAR, `${module}: params`);
      const next = parseParamsJson(module, access, msg.params);
      const previous = access.get(ctx.store);
      hooks.checkChange?.(ctx, previous, next);
      access.set(ctx.store, next);
      hooks.applied?.(ctx, previous, next);
      ctx.events.emit(UPDATE_PARAMS_EVENT, { module, authority: msg.authority });
      return {};
    },
  });
}

/**
 * `/<package>.Query/Params` answering the module's whole param set as the canonical JSON it
 * stores (params_json): exactly what a MsgUpdateParams for that module replaces.
 */
export function defineParamsJsonQuery<T>(
  protoPackage: string,
  access: ParamsAccess<T>,
  codecs: QueryCodecs<unknown, { paramsJson: string }>,
): QueryMethod {
  return defineQuery(`/${protoPackage}.Query/Params`, codecs, (ctx) => ({ paramsJson: JSON.stringify(access.get(ctx.store)) }));
}
