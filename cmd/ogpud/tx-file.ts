import type { GeneratedType, Registry } from "@cosmjs/proto-signing";
import { SignMode, signModeFromJSON } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { CliError } from "../cli.js";
import { encodePubKeyAny, isPubKeyTypeUrl } from "../../crypto/pubkey.js";

/**
 * Reading a Cosmos tx back from the SDK's JSON (what `--generate-only` and `tx sign` print,
 * rendered by server/tx-json.ts; what `tx sign`, `tx broadcast` and `tx encode` read):
 * `{body: {messages: [{"@type", …}], memo, …}, auth_info: {signer_infos, fee}, signatures}`
 * with snake_case fields, 64-bit integers as strings and bytes as base64. Messages are
 * re-encoded through the registry's codecs, so a body read twice encodes to the same bytes.
 */

type Codec = GeneratedType & { fromJSON?(o: unknown): unknown; fromPartial?(o: unknown): unknown };

/** gaiad's JSON (snake_case keys, "172800s" durations) → the camelCase objects the codecs read. */
export function protoJsonToObject(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => protoJsonToObject(v, key));
  if (typeof value === "string" && /(Period|Duration)$/.test(key) && /^[0-9]+s$/.test(value)) return { seconds: value.slice(0, -1), nanos: 0 };
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      const camel = k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
      return [camel, protoJsonToObject(v, camel)];
    }),
  );
}

/** One message from its JSON ("@type" plus fields) to an Any, through the registry's codec. */
export function messageFromJson(registry: Registry, json: unknown, where: string): Any {
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new CliError(`${where} must be an object with "@type"`);
  const { "@type": typeUrl, ...fields } = json as Record<string, unknown>;
  if (typeof typeUrl !== "string") throw new CliError(`${where} has no "@type"`);
  const codec = registry.lookupType(typeUrl) as Codec | undefined;
  if (!codec) throw new CliError(`${where}: unknown message type ${typeUrl}`);
  const object = protoJsonToObject(fields);
  const value = codec.fromJSON ? codec.fromJSON(object) : codec.fromPartial ? codec.fromPartial(object) : object;
  return { typeUrl, value: registry.encode({ typeUrl, value }) };
}

function objectAt(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new CliError(`${where} must be an object`);
  return value as Record<string, unknown>;
}

function arrayAt(value: unknown, where: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new CliError(`${where} must be an array`);
  return value;
}

function integerAt(value: unknown, where: string): bigint {
  if (value === undefined) return 0n;
  if ((typeof value !== "string" && typeof value !== "number") || !/^[0-9]+$/.test(String(value))) throw new CliError(`${where} must be a non-negative integer`);
  return BigInt(value);
}

function stringAt(value: unknown, where: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new CliError(`${where} must be a string`);
  return value;
}

function base64At(value: unknown, where: string): Uint8Array {
  const text = stringAt(value, where);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new CliError(`${where} must be base64`);
  return new Uint8Array(Buffer.from(text, "base64"));
}

function signerInfoFromJson(json: unknown, where: string) {
  const info = objectAt(json, where);
  const pk = info.public_key === null || info.public_key === undefined ? undefined : objectAt(info.public_key, `${where}.public_key`);
  const typeUrl = pk ? stringAt(pk["@type"], `${where}.public_key.@type`) : "";
  if (pk && !isPubKeyTypeUrl(typeUrl)) throw new CliError(`${where}.public_key: unsupported key type '${typeUrl}'`);
  const modeText = stringAt(objectAt(objectAt(info.mode_info ?? { single: {} }, `${where}.mode_info`).single ?? {}, `${where}.mode_info.single`).mode, `${where}.mode_info.single.mode`);
  return {
    publicKey: pk ? encodePubKeyAny({ typeUrl: typeUrl as Parameters<typeof encodePubKeyAny>[0]["typeUrl"], key: base64At(pk.key, `${where}.public_key.key`) }) : undefined,
    modeInfo: { single: { mode: modeText === "" ? SignMode.SIGN_MODE_DIRECT : signModeFromJSON(modeText) } },
    sequence: integerAt(info.sequence, `${where}.sequence`),
  };
}

/** Reads the SDK's tx JSON back into TxRaw parts; every malformed field is one clear error. */
export function txFromJson(registry: Registry, json: unknown): TxRaw {
  const tx = objectAt(json, "tx");
  const body = objectAt(tx.body, "body");
  const authInfo = objectAt(tx.auth_info, "auth_info");
  const fee = objectAt(authInfo.fee ?? {}, "auth_info.fee");
  const bodyBytes = TxBody.encode(
    TxBody.fromPartial({
      messages: arrayAt(body.messages, "body.messages").map((m, i) => messageFromJson(registry, m, `body.messages[${i}]`)),
      memo: stringAt(body.memo, "body.memo"),
      timeoutHeight: integerAt(body.timeout_height, "body.timeout_height"),
    }),
  ).finish();
  const authInfoBytes = AuthInfo.encode(
    AuthInfo.fromPartial({
      signerInfos: arrayAt(authInfo.signer_infos, "auth_info.signer_infos").map((s, i) => signerInfoFromJson(s, `auth_info.signer_infos[${i}]`)),
      fee: {
        amount: arrayAt(fee.amount, "auth_info.fee.amount").map((c, i) => {
          const coin = objectAt(c, `auth_info.fee.amount[${i}]`);
          return { denom: stringAt(coin.denom, `auth_info.fee.amount[${i}].denom`), amount: integerAt(coin.amount, `auth_info.fee.amount[${i}].amount`).toString() };
        }),
        gasLimit: integerAt(fee.gas_limit, "auth_info.fee.gas_limit"),
        payer: stringAt(fee.payer, "auth_info.fee.payer"),
        granter: stringAt(fee.granter, "auth_info.fee.granter"),
      },
    }),
  ).finish();
  return { bodyBytes, authInfoBytes, signatures: arrayAt(tx.signatures, "signatures").map((s, i) => base64At(s, `signatures[${i}]`)) };
}
