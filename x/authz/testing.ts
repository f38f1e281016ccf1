/** Message builders for authz tests, built the way a client builds them. */
import type { Any } from "cosmjs-types/google/protobuf/any";
import { MsgExec, MsgGrant, MsgRevoke } from "cosmjs-types/cosmos/authz/v1beta1/tx";
import { authorizationToAny, type Authorization } from "./store.js";
import { AUTHZ_MSG_TYPES } from "./types.js";

export function grantMsg(granter: string, grantee: string, authorization: Authorization, expiration?: bigint): Any {
  const value = MsgGrant.encode({ granter, grantee, grant: { authorization: authorizationToAny(authorization), expiration: expiration === undefined ? undefined : { seconds: expiration, nanos: 0 } } }).finish();
  return { typeUrl: AUTHZ_MSG_TYPES.Grant.typeUrl, value };
}

export const execMsg = (grantee: string, msgs: Any[]): Any => ({ typeUrl: AUTHZ_MSG_TYPES.Exec.typeUrl, value: MsgExec.encode({ grantee, msgs }).finish() });

export const revokeMsg = (granter: string, grantee: string, msgTypeUrl: string): Any => ({
  typeUrl: AUTHZ_MSG_TYPES.Revoke.typeUrl,
  value: MsgRevoke.encode({ granter, grantee, msgTypeUrl }).finish(),
});

/** A SubmitTaskAuthorization: `spendLimit` uogpu of escrow, `maxTasks` submissions (0 = no count limit). */
export const submitTaskAuthorization = (spendLimit: bigint, maxTasks = 0n): Authorization => ({ kind: "submit_task", spendLimit, maxTasks });
