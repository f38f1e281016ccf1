import { BaseAccount, ModuleAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { QueryClient, StargateClient, setupBankExtension, type BankExtension } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { CliError, stringFlag, type Flags, type OptionSpec } from "../cli.js";
import { UnknownKeyError, type KeyInfo, type Keyring } from "../../crypto/keyring.js";
import { decodePubKeyAny } from "../../crypto/pubkey.js";

/**
 * What the client commands (`tx`, `q`, `status`) share: flags, a connection to a node's
 * CometBFT RPC, account lookups that understand our ML-DSA pubkeys, and text/JSON output.
 */

export const DEFAULT_NODE = "http://127.0.0.1:26657";

export const nodeOption: OptionSpec = {
  node: { type: "string", description: `CometBFT RPC address of the node (default ${DEFAULT_NODE})` },
};

export const outputOption: OptionSpec = {
  output: { type: "string", short: "o", description: "text | json (default text)" },
};

export type OutputFormat = "text" | "json";

export function outputFormat(flags: Flags): OutputFormat {
  const output = stringFlag(flags, "output", "text");
  if (output !== "text" && output !== "json") throw new CliError(`--output must be text or json, got '${output}'`);
  return output;
}

/** A value the commands print: JSON-shaped, with bigints allowed (printed as strings). */
export type Printable = string | number | bigint | boolean | null | undefined | Printable[] | { [key: string]: Printable };

/** Prints a result as one JSON line or as YAML-like text (what gaiad prints by default). */
export function printResult(format: OutputFormat, value: Printable): void {
  if (format === "json") console.log(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
  else console.log(yamlText(value, 0).trimEnd());
}

function yamlScalar(v: Printable): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return v === "" ? '""' : /^[\w./:@+-][\w ./:@+,=()'-]*$/.test(v) && !v.endsWith(" ") ? v : JSON.stringify(v);
  return String(v);
}

/** Keys like "@type" start with a YAML indicator and must be quoted. */
function yamlKey(key: string): string {
  return /^[A-Za-z_][\w.-]*$/.test(key) ? key : JSON.stringify(key);
}

function yamlText(value: Printable, indent: number): string {
  const pad = " ".repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}[]\n`;
    return value
      .map((item) => {
        if (item !== null && typeof item === "object") {
          const inner = yamlText(item, indent + 2);
          return `${pad}- ${inner.slice(indent + 2)}`;
        }
        return `${pad}- ${yamlScalar(item)}\n`;
      })
      .join("");
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return `${pad}{}\n`;
    return entries
      .map(([k, v]) => {
        if (v !== null && typeof v === "object" && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0)) {
          return `${pad}${yamlKey(k)}:\n${yamlText(v, Array.isArray(v) ? indent : indent + 2)}`;
        }
        return `${pad}${yamlKey(k)}: ${v !== null && typeof v === "object" ? (Array.isArray(v) ? "[]" : "{}") : yamlScalar(v)}\n`;
      })
      .join("");
  }
  return `${pad}${yamlScalar(value)}\n`;
}

/** An open connection to a node: the raw CometBFT client plus cosmjs' query helpers on it. */
export interface NodeConnection {
  url: string;
  comet: Comet38Client;
  stargate: StargateClient;
  query: QueryClient & BankExtension;
}

/** --node as an http URL: gaiad's tcp://host:port form is accepted (CometBFT serves RPC over HTTP there). */
export function nodeUrl(flags: Flags): string {
  return stringFlag(flags, "node", DEFAULT_NODE).replace(/^tcp:\/\//, "http://");
}

/** Connects, runs `fn`, disconnects; an unreachable node becomes one clear error line. */
export async function withNode<T>(flags: Flags, fn: (node: NodeConnection) => Promise<T>): Promise<T> {
  const url = nodeUrl(flags);
  let comet: Comet38Client;
  try {
    comet = await Comet38Client.connect(url);
    // connect() does not touch the network; ask once so a dead node fails here, clearly.
    await comet.health();
  } catch (err) {
    throw new CliError(`cannot reach the node at ${url}: ${causeOf(err)} (is 'ogpud start' running? set --node)`);
  }
  try {
    return await fn({ url, comet, stargate: StargateClient.create(comet), query: QueryClient.withExtensions(comet, setupBankExtension) });
  } finally {
    comet.disconnect();
  }
}

function causeOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}

/** An ABCI query failure as the app reported it (code + log), e.g. NotFound for unknown accounts. */
export class QueryFailedError extends CliError {
  constructor(
    readonly code: number,
    readonly log: string,
  ) {
    super(log);
  }
}

/** Runs one gRPC-path query over abci_query, decoding the response; a non-zero code throws QueryFailedError. */
export async function abciQuery<Res>(node: NodeConnection, path: string, request: Uint8Array, decode: (b: Uint8Array) => Res): Promise<Res> {
  const res = await node.comet.abciQuery({ path, data: request });
  if (res.code) throw new QueryFailedError(res.code, res.log ?? `query ${path} failed with code ${res.code}`);
  return decode(res.value);
}

export interface AccountView {
  type: string;
  address: string;
  accountNumber: bigint;
  sequence: bigint;
  /** type URL and base64 key; absent until the account has signed a tx. */
  pubKey?: { typeUrl: string; key: string };
  moduleName?: string;
}

/** SDK error code 22 / gRPC NotFound: the address has never received funds. */
const KEY_NOT_FOUND_CODE = 22;

/**
 * The account at an address, or undefined when the chain has none. Decoded here rather than
 * with cosmjs' accountFromAny, which rejects pubkey types it does not know (our ML-DSA keys).
 */
export async function queryAccount(node: NodeConnection, address: string): Promise<AccountView | undefined> {
  let res: QueryAccountResponse;
  try {
    res = await abciQuery(node, "/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address }).finish(), (b) =>
      QueryAccountResponse.decode(b),
    );
  } catch (err) {
    if (err instanceof QueryFailedError && (err.code === KEY_NOT_FOUND_CODE || /NotFound/.test(err.log))) return undefined;
    throw err;
  }
  const any = res.account;
  if (!any) return undefined;
  if (any.typeUrl === "/cosmos.auth.v1beta1.ModuleAccount") {
    const m = ModuleAccount.decode(any.value);
    return { ...baseAccountView(any.typeUrl, m.baseAccount ?? BaseAccount.fromPartial({})), moduleName: m.name };
  }
  if (any.typeUrl === "/cosmos.auth.v1beta1.BaseAccount") return baseAccountView(any.typeUrl, BaseAccount.decode(any.value));
  throw new CliError(`account ${address} has an unsupported type ${any.typeUrl}`);
}

function baseAccountView(type: string, base: BaseAccount): AccountView {
  return {
    type,
    address: base.address,
    accountNumber: base.accountNumber,
    sequence: base.sequence,
    pubKey: base.pubKey ? pubKeyView(base.pubKey) : undefined,
  };
}

function pubKeyView(any: Any): { typeUrl: string; key: string } {
  const pk = decodePubKeyAny(any);
  return { typeUrl: pk.typeUrl, key: Buffer.from(pk.key).toString("base64") };
}

/** Gas the app would use for a signed tx, from `/cosmos.tx.v1beta1.Service/Simulate`. */
export async function simulateGas(node: NodeConnection, txBytes: Uint8Array): Promise<bigint> {
  try {
    const res = await abciQuery(node, "/cosmos.tx.v1beta1.Service/Simulate", SimulateRequest.encode({ txBytes }).finish(), (b) =>
      SimulateResponse.decode(b),
    );
    return res.gasInfo?.gasUsed ?? 0n;
  } catch (err) {
    if (err instanceof QueryFailedError) throw new CliError(`gas estimation failed: code ${err.code}: ${err.log}`);
    throw err;
  }
}

/** Resolves `--from`/`<from>`: a key name, or the address of a key in the keyring. */
export async function keyFromNameOrAddress(keyring: Keyring, nameOrAddress: string): Promise<KeyInfo> {
  if (/^ogpu1[02-9ac-hj-np-z]+$/.test(nameOrAddress)) {
    const match = (await keyring.list()).find((k) => k.address === nameOrAddress);
    if (!match) throw new CliError(`no key with address ${nameOrAddress} in the ${keyring.backend} keyring at ${keyring.home}`);
    return match;
  }
  try {
    return await keyring.show(nameOrAddress);
  } catch (err) {
    if (err instanceof UnknownKeyError) throw new CliError(err.message);
    throw err;
  }
}
