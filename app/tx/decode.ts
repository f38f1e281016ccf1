import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { SdkCode, sdkError } from "../errors.js";
import type { DecodedMsg, RegisteredMsg } from "../module.js";

/** A tx decoded from its raw bytes; the raw body/auth-info bytes are kept for signature checks. */
export interface DecodedTx {
  bytes: Uint8Array;
  raw: TxRaw;
  body: TxBody;
  authInfo: AuthInfo;
  msgs: DecodedMsg[];
}

const parseError = (detail: string) => sdkError(SdkCode.TxDecode, `${detail}: tx parse error`);

function decodeWith<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    throw parseError(`failed to decode ${what}: ${(err as Error).message}`);
  }
}

/**
 * TxRaw → body, auth info and typed messages (code 2 on anything malformed). Signatures
 * are later checked over the *raw* body and auth-info bytes, never a re-encoding.
 */
export function decodeTx(bytes: Uint8Array, msgTypes: ReadonlyMap<string, RegisteredMsg>): DecodedTx {
  if (bytes.length === 0) throw parseError("empty tx");
  const raw = decodeWith("TxRaw", () => TxRaw.decode(bytes));
  if (raw.bodyBytes.length === 0) throw parseError("tx has no body");
  const body = decodeWith("TxBody", () => TxBody.decode(raw.bodyBytes));
  const authInfo = decodeWith("AuthInfo", () => AuthInfo.decode(raw.authInfoBytes));
  if (body.messages.length === 0) throw sdkError(SdkCode.InvalidRequest, "must contain at least one message: invalid request");
  const msgs = body.messages.map((any) => {
    const type = msgTypes.get(any.typeUrl);
    if (!type) throw parseError(`unable to resolve type URL ${any.typeUrl}`);
    return decodeWith(any.typeUrl, () => type.decode(any.value));
  });
  return { bytes, raw, body, authInfo, msgs };
}
