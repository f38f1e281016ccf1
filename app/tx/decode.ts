import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { SdkCode, sdkError } from "../errors.js";
import type { DecodedMsg, RegisteredMsg } from "../module.js";
import { checkSchemaWire, DEFAULT_WIRE_LIMITS, MAX_WIRE_BYTES, ProtoWireError, WireType, type FieldSpec, type MessageSchema } from "../proto-guard.js";

/** A tx decoded from its raw bytes; the raw body/auth-info bytes are kept for signature checks. */
export interface DecodedTx {
  bytes: Uint8Array;
  raw: TxRaw;
  body: TxBody;
  authInfo: AuthInfo;
  msgs: DecodedMsg[];
}

const scalar = (wire: FieldSpec["wire"]): FieldSpec => ({ wire });
const text: FieldSpec = scalar(WireType.bytes);
const message = (schema: () => MessageSchema): FieldSpec => ({ wire: WireType.bytes, message: schema });
const schema = (name: string, fields: [number, FieldSpec][], allowNonCritical = false): MessageSchema => ({ name, fields: new Map(fields), allowNonCritical });

/** Field numbers of the tx envelope (cosmos/tx/v1beta1/tx.proto and the types it uses). */
const COIN = schema("cosmos.base.v1beta1.Coin", [[1, text], [2, text]]);
const ANY = schema("google.protobuf.Any", [[1, text], [2, { wire: WireType.bytes, opaqueMessage: true }]]);
const COMPACT_BIT_ARRAY = schema("cosmos.crypto.multisig.v1beta1.CompactBitArray", [[1, scalar(WireType.varint)], [2, text]]);
const MODE_INFO_SINGLE = schema("cosmos.tx.v1beta1.ModeInfo.Single", [[1, scalar(WireType.varint)]]);
const MODE_INFO_MULTI: MessageSchema = schema("cosmos.tx.v1beta1.ModeInfo.Multi", [[1, message(() => COMPACT_BIT_ARRAY)], [2, message(() => MODE_INFO)]]);
const MODE_INFO: MessageSchema = schema("cosmos.tx.v1beta1.ModeInfo", [[1, message(() => MODE_INFO_SINGLE)], [2, message(() => MODE_INFO_MULTI)]]);
const SIGNER_INFO = schema("cosmos.tx.v1beta1.SignerInfo", [[1, message(() => ANY)], [2, message(() => MODE_INFO)], [3, scalar(WireType.varint)]]);
const FEE = schema("cosmos.tx.v1beta1.Fee", [[1, message(() => COIN)], [2, scalar(WireType.varint)], [3, text], [4, text]]);
const TIP = schema("cosmos.tx.v1beta1.Tip", [[1, message(() => COIN)], [2, text]]);
/** TxBody alone allows non-critical unknown fields (the SDK decoder's one exception). */
const TX_BODY = schema("cosmos.tx.v1beta1.TxBody", [[1, message(() => ANY)], [2, text], [3, scalar(WireType.varint)], [1023, message(() => ANY)], [2047, message(() => ANY)]], true);
const AUTH_INFO = schema("cosmos.tx.v1beta1.AuthInfo", [[1, message(() => SIGNER_INFO)], [2, message(() => FEE)], [3, message(() => TIP)]]);
const TX_RAW = schema("cosmos.tx.v1beta1.TxRaw", [[1, message(() => TX_BODY)], [2, message(() => AUTH_INFO)], [3, text]]);

const parseError = (detail: string) => sdkError(SdkCode.TxDecode, `${detail}: tx parse error`);

function decodeWith<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    throw parseError(`failed to decode ${what}: ${(err as Error).message}`);
  }
}

/**
 * Wire-checks the whole envelope (TxRaw, and through it TxBody and AuthInfo) before the
 * recursive decoders run; see app/proto-guard.ts for why and for the rules.
 */
function checkTxWire(bytes: Uint8Array): void {
  try {
    checkSchemaWire(bytes, TX_RAW, DEFAULT_WIRE_LIMITS);
  } catch (err) {
    if (err instanceof ProtoWireError) throw parseError(err.message);
    throw err;
  }
}

/**
 * TxRaw → body, auth info and typed messages (code 2 on anything malformed). Signatures
 * are later checked over the *raw* body and auth-info bytes, never a re-encoding.
 */
export function decodeTx(bytes: Uint8Array, msgTypes: ReadonlyMap<string, RegisteredMsg>): DecodedTx {
  if (bytes.length === 0) throw parseError("empty tx");
  if (bytes.length > MAX_WIRE_BYTES) throw sdkError(SdkCode.TxTooLarge, `tx size ${bytes.length} bytes exceeds max ${MAX_WIRE_BYTES}: tx too large`);
  checkTxWire(bytes);
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
