import type { Any } from "cosmjs-types/google/protobuf/any";
import { accountAddressString, parseAccountAddress } from "../../app/address.js";
import { BASE_DENOM } from "../../app/coins.js";
import type { Context } from "../../app/context.js";
import { AppError, toAppError } from "../../app/errors.js";
import type { DecodedMsg } from "../../app/module.js";
import type { MsgRouter } from "../../app/msg-router.js";
import type { KVStore } from "../../app/store/kvstore.js";
import type { BankKeeper } from "../bank/keeper.js";
import { authzError, AuthzCode } from "./errors.js";
import { emitExec, emitGrant, emitRevoke } from "./events.js";
import { GAS_PER_GRANT_WRITE } from "./params.js";
import { allowedMsgType, allExpiries, deleteGrant, getGrant, partiesOf, putGrant, type Authorization, type GrantRecord } from "./store.js";
import { EXEC_TYPE_URL } from "./types.js";

export { allGrants, getGrant, type Authorization, type GrantRecord } from "./store.js";

/** What x/authz calls: bank to measure the escrow a submission moves, the app's router to run inner msgs. */
export interface AuthzDeps {
  bank: Pick<BankKeeper, "getBalance">;
  router: MsgRouter;
}

/** Expired grants pruned per block at most: the rest wait for the next block (they are refused at use anyway). */
const MAX_PRUNED_PER_BLOCK = 100;

export interface AuthzKeeper {
  grant(ctx: Context, granter: string, grantee: string, authorization: Authorization, expiration: bigint | undefined): void;
  revoke(ctx: Context, granter: string, grantee: string, msgTypeUrl: string): void;
  /** Runs `msgs` as their signers under the grants they gave `grantee`; returns each inner response's bytes. */
  exec(ctx: Context, grantee: string, msgs: readonly Any[]): Uint8Array[];
  /** Deletes grants whose expiration is at or before the block time (BeginBlock). */
  pruneExpired(ctx: Context): void;
  getGrant(store: KVStore, granter: Uint8Array, grantee: Uint8Array, msgTypeUrl: string): GrantRecord | undefined;
}

/**
 * Decodes and statelessly validates one inner msg of a MsgExec: routable, not itself a MsgExec,
 * exactly one signer. Errors name the msg's index so a client sees which one was refused.
 */
export function decodeExecMsg(router: MsgRouter, any: Any, i: number): DecodedMsg {
  const where = `exec msg ${i} (${any.typeUrl})`;
  if (any.typeUrl === EXEC_TYPE_URL) throw authzError(AuthzCode.NestedExec, `${where}: a MsgExec may not contain another MsgExec`);
  const type = router.route(any.typeUrl);
  if (!type) throw authzError(AuthzCode.UnroutableMsg, `${where}: not a message this chain routes`);
  let msg: DecodedMsg;
  try {
    msg = type.decode(any.value);
    msg.validate();
  } catch (err) {
    const e = toAppError(err);
    throw new AppError(e.codespace, e.code, `${where}: ${e.message}`);
  }
  if (msg.signers().length !== 1) throw authzError(AuthzCode.NumOfSigners, `${where}: authorization can be given to msg with only one signer`);
  return msg;
}

export function createAuthzKeeper({ bank, router }: AuthzDeps): AuthzKeeper {
  /** Runs one msg under its signer's grant; returns the response bytes. */
  function execOne(ctx: Context, grantee: Uint8Array, any: Any, i: number): Uint8Array {
    const msg = decodeExecMsg(router, any, i);
    const granterText = msg.signers()[0]!;
    const granter = parseAccountAddress(granterText, "signer");
    const grantRouted = router.route(any.typeUrl)!;
    ctx.gas.consume(grantRouted.gas, `authz exec ${any.typeUrl}`);
    // The SDK's rule: a msg whose signer is the grantee itself needs no grant.
    if (Buffer.compare(granter, grantee) === 0) return msg.handle(ctx).value;
    const g = getGrant(ctx.store, granter, grantee, any.typeUrl);
    const parties = partiesOf({ granter, grantee });
    if (!g) throw authzError(AuthzCode.NotFound, `exec msg ${i}: no authorization for ${any.typeUrl} (${parties}): authorization not found`);
    if (g.expiration !== undefined && g.expiration <= ctx.block.timeSeconds) {
      throw authzError(AuthzCode.Expired, `exec msg ${i}: the authorization for ${any.typeUrl} (${parties}) expired at ${g.expiration}: authorization expired`);
    }
    const a = g.authorization;
    if (a.kind === "generic") {
      const value = msg.handle(ctx).value;
      emitExec(ctx.events, granterText, accountAddressString(grantee), any.typeUrl, 0n);
      return value;
    }
    // A task submission moves the escrow from the granter to the market: that move is what the limit counts.
    const before = bank.getBalance(ctx.store, granter, BASE_DENOM);
    const value = msg.handle(ctx).value;
    const after = bank.getBalance(ctx.store, granter, BASE_DENOM);
    const spent = before > after ? before - after : 0n;
    if (spent > a.spendLimit) {
      throw authzError(AuthzCode.SpendLimitExceeded, `exec msg ${i}: the task's escrow ${spent}${BASE_DENOM} exceeds the grant's remaining spend limit ${a.spendLimit}${BASE_DENOM} (${parties}): spend limit exceeded`);
    }
    const spendLimit = a.spendLimit - spent;
    ctx.gas.consume(GAS_PER_GRANT_WRITE, "authz: grant update");
    if (spendLimit === 0n || a.maxTasks === 1n) deleteGrant(ctx.store, granter, grantee, any.typeUrl);
    else putGrant(ctx.store, { ...g, authorization: { kind: "submit_task", spendLimit, maxTasks: a.maxTasks === 0n ? 0n : a.maxTasks - 1n } });
    emitExec(ctx.events, granterText, accountAddressString(grantee), any.typeUrl, spent);
    return value;
  }

  return {
    getGrant,
    grant(ctx, granterText, granteeText, authorization, expiration) {
      if (expiration !== undefined && expiration <= ctx.block.timeSeconds) {
        throw authzError(AuthzCode.InvalidExpiration, `expiration ${expiration} must be after the block time ${ctx.block.timeSeconds}: invalid expiration time`);
      }
      const granter = parseAccountAddress(granterText, "granter");
      const grantee = parseAccountAddress(granteeText, "grantee");
      ctx.gas.consume(GAS_PER_GRANT_WRITE, "authz: grant write");
      putGrant(ctx.store, { granter, grantee, authorization, expiration });
      emitGrant(ctx.events, granterText, granteeText, allowedMsgType(authorization));
    },
    revoke(ctx, granterText, granteeText, msgTypeUrl) {
      const granter = parseAccountAddress(granterText, "granter");
      const grantee = parseAccountAddress(granteeText, "grantee");
      ctx.gas.consume(GAS_PER_GRANT_WRITE, "authz: grant delete");
      if (!deleteGrant(ctx.store, granter, grantee, msgTypeUrl)) {
        throw authzError(AuthzCode.NotFound, `no authorization for ${msgTypeUrl} (${partiesOf({ granter, grantee })}): authorization not found`);
      }
      emitRevoke(ctx.events, granterText, granteeText, msgTypeUrl);
    },
    exec(ctx, granteeText, msgs) {
      const grantee = parseAccountAddress(granteeText, "grantee");
      return msgs.map((any, i) => execOne(ctx, grantee, any, i));
    },
    pruneExpired(ctx) {
      const due: { granter: Uint8Array; grantee: Uint8Array; msgTypeUrl: string }[] = [];
      for (const e of allExpiries(ctx.store)) {
        if (e.expiration > ctx.block.timeSeconds || due.length === MAX_PRUNED_PER_BLOCK) break;
        due.push(e);
      }
      for (const e of due) deleteGrant(ctx.store, e.granter, e.grantee, e.msgTypeUrl);
    },
  };
}
