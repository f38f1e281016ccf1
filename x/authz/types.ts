import { MsgExec, MsgExecResponse, MsgGrant, MsgGrantResponse, MsgRevoke, MsgRevokeResponse, protobufPackage } from "cosmjs-types/cosmos/authz/v1beta1/tx";
import { msgType } from "../../proto/msg-types.js";

/** The SDK's authz Msgs (cosmos.authz.v1beta1), spelled once. */
export const AUTHZ_MSG_TYPES = {
  Grant: msgType(protobufPackage, "MsgGrant", MsgGrant, MsgGrantResponse),
  Exec: msgType(protobufPackage, "MsgExec", MsgExec, MsgExecResponse),
  Revoke: msgType(protobufPackage, "MsgRevoke", MsgRevoke, MsgRevokeResponse),
} as const;

export const EXEC_TYPE_URL = AUTHZ_MSG_TYPES.Exec.typeUrl;
