import { parseAccountAddress } from "../../app/address.js";
import { SdkCode, sdkError } from "../../app/errors.js";
import type { Context } from "../../app/context.js";
import { defineMsg, type MessageCodec, type RegisteredMsg } from "../../app/module.js";
import type { MsgType } from "../../proto/msg-types.js";
import type { MsgRouter } from "../../app/msg-router.js";
import { authzError, AuthzCode } from "./errors.js";
import { decodeExecMsg, type AuthzKeeper } from "./keeper.js";
import { MAX_EXEC_MSGS } from "./params.js";
import { allowedMsgType, authorizationFromAny, type Authorization } from "./store.js";
import { AUTHZ_MSG_TYPES } from "./types.js";
import type { Grant } from "cosmjs-types/cosmos/authz/v1beta1/authz";

function distinctParties(granter: string, grantee: string): void {
  const a = parseAccountAddress(granter, "granter");
  const b = parseAccountAddress(grantee, "grantee");
  if (Buffer.compare(a, b) === 0) throw authzError(AuthzCode.GranteeIsGranter, "granter and grantee cannot be the same");
}

/** The grant's authorization, decoded and checked against the router (a generic grant names a msg type this chain routes). */
function authorizationOf(grant: Grant | undefined, router: MsgRouter): Authorization {
  let a: Authorization;
  try {
    a = authorizationFromAny(grant?.authorization);
  } catch (err) {
    throw authzError(AuthzCode.UnknownAuthorizationType, `invalid authorization: ${(err as Error).message}`);
  }
  if (a.kind === "generic" && !router.route(a.msgTypeUrl)) throw authzError(AuthzCode.UnroutableMsg, `GenericAuthorization.msg ${a.msgTypeUrl} is not a message this chain routes`);
  if (allowedMsgType(a) === AUTHZ_MSG_TYPES.Exec.typeUrl) throw authzError(AuthzCode.NestedExec, "MsgExec cannot be granted: grants are used through it");
  if (grant?.expiration && grant.expiration.nanos !== 0) throw authzError(AuthzCode.InvalidExpiration, "expiration must be whole seconds");
  return a;
}

/**
 * MsgGrant and MsgRevoke share their shape: signed by the granter, two distinct parties, flat
 * gas, an empty response; only the further check and the keeper call differ.
 */
function granterMsg<M extends { granter: string; grantee: string }>(type: MsgType<MessageCodec<M>, MessageCodec<object>>, check: (msg: M) => void, apply: (ctx: Context, msg: M) => void): RegisteredMsg {
  return defineMsg({
    type,
    gas: 10_000,
    signers: (msg) => [msg.granter],
    validate(msg) {
      distinctParties(msg.granter, msg.grantee);
      check(msg);
    },
    handle(ctx, msg) {
      apply(ctx, msg);
      return {};
    },
  });
}

export function authzMsgs(keeper: AuthzKeeper, router: MsgRouter): RegisteredMsg[] {
  const msgGrant = granterMsg(
    AUTHZ_MSG_TYPES.Grant,
    (msg) => authorizationOf(msg.grant, router),
    (ctx, msg) => keeper.grant(ctx, msg.granter, msg.grantee, authorizationOf(msg.grant, router), msg.grant?.expiration?.seconds),
  );

  const msgRevoke = granterMsg(
    AUTHZ_MSG_TYPES.Revoke,
    (msg) => {
      if (msg.msgTypeUrl === "") throw sdkError(SdkCode.InvalidRequest, "missing msg method name");
    },
    (ctx, msg) => keeper.revoke(ctx, msg.granter, msg.grantee, msg.msgTypeUrl),
  );

  const msgExec = defineMsg({
    type: AUTHZ_MSG_TYPES.Exec,
    // Each inner msg is charged its own gas on top (keeper.exec).
    gas: 5_000,
    signers: (msg) => [msg.grantee],
    validate(msg) {
      parseAccountAddress(msg.grantee, "grantee");
      if (msg.msgs.length === 0) throw sdkError(SdkCode.InvalidRequest, "messages cannot be empty");
      if (msg.msgs.length > MAX_EXEC_MSGS) throw sdkError(SdkCode.InvalidRequest, `a MsgExec carries at most ${MAX_EXEC_MSGS} messages, got ${msg.msgs.length}`);
      msg.msgs.forEach((any, i) => decodeExecMsg(router, any, i));
    },
    handle(ctx, msg) {
      return { results: keeper.exec(ctx, msg.grantee, msg.msgs) };
    },
  });

  return [msgGrant, msgExec, msgRevoke];
}
