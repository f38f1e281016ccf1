/**
 * Signing and broadcasting from the browser through the node's REST API (docs/rest.md): the
 * account's number and sequence from x/auth, the gas from a simulation × GAS_ADJUSTMENT (the
 * CLI's factor), the fee at the node's min gas price (its Keplr chain-info), SIGN_MODE_DIRECT
 * with the wallet's signer over ogpuRegistry, BROADCAST_MODE_SYNC, then a tx search by hash until
 * a block includes it. Every refusal becomes a TxError carrying the chain's code, codespace and raw_log.
 */
import { fromBase64, toBase64 } from "@cosmjs/encoding";
import { encodePubkey, makeAuthInfoBytes, makeSignDoc, type EncodeObject } from "@cosmjs/proto-signing";
import { calculateFee, GasPrice, type StdFee } from "@cosmjs/stargate";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { ogpuRegistry, uploadBlob, type BlobRef } from "../../sdk/browser";
import { api, restBase } from "./api";
import type { SignAndBroadcast, TxOutcome, Wallet } from "./wallet/types";

/** Simulated gas × this is the tx's gas limit (ogpud tx's --gas-adjustment default). */
export const GAS_ADJUSTMENT = 1.4;
/** How long to wait for a broadcast tx to be included, and how often to ask. */
const INCLUSION_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 1_000;

/** A tx the node or the chain refused: `code`/`codespace` as the chain reports them (0/"" for transport failures). */
export class TxError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly codespace: string,
    readonly rawLog: string,
    readonly txhash?: string,
  ) {
    super(message);
    this.name = "TxError";
  }
}

interface RestTxResponse {
  height: string;
  txhash: string;
  codespace?: string;
  code: number;
  raw_log: string;
  gas_used?: string;
  events?: TxOutcome["events"];
}

/** The gateway ends a chain error's message with "(codespace sdk, code 13)" (server/abci-query.ts). */
const CHAIN_CODE = /\(codespace ([^,]*), code (\d+)\)$/;

/** A REST call's JSON; a non-2xx answer (404 aside) becomes a TxError with the chain's codespace and code. */
async function rest<T>(path: string, init?: { body: unknown }): Promise<{ status: number; body: T }> {
  const response = await fetch(restBase() + path, init && { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(init.body) });
  const body = (await response.json().catch(() => ({}))) as T & { message?: string };
  if (!response.ok && response.status !== 404) {
    const message = body.message ?? `${response.status} ${response.statusText}`;
    const chain = CHAIN_CODE.exec(message);
    throw new TxError(`${path.split("?")[0]}: ${message}`, chain ? Number(chain[2]) : 0, chain?.[1] ?? "", message);
  }
  return { status: response.status, body };
}

/** What signing needs from the chain besides the account: its id and fee price (the node's Keplr chain-info). */
export interface ChainFeeInfo {
  chainId: string;
  gasPrice: GasPrice;
}

interface KeplrFeeCurrency {
  coinMinimalDenom: string;
  gasPriceStep?: { low: number };
}

/** The node's chain id and min gas price, from GET /ogpu/chain-info/v1/keplr. */
export async function chainFeeInfo(): Promise<ChainFeeInfo> {
  const { status, body } = await rest<{ chainId?: string; feeCurrencies?: KeplrFeeCurrency[] }>("/ogpu/chain-info/v1/keplr");
  const fee = body.feeCurrencies?.[0];
  if (status !== 200 || body.chainId === undefined || fee === undefined) throw new TxError("the node serves no chain-info (/ogpu/chain-info/v1/keplr): cannot price a fee", 0, "", "");
  // The step is a JSON number (Keplr's type); fixed notation for GasPrice's decimal parser.
  const low = (fee.gasPriceStep?.low ?? 0).toFixed(18).replace(/\.?0+$/, "");
  return { chainId: body.chainId, gasPrice: GasPrice.fromString(`${low}${fee.coinMinimalDenom}`) };
}

/** The account's number and sequence; an account the chain has never seen cannot pay a fee. */
async function accountNumbers(address: string): Promise<{ accountNumber: bigint; sequence: bigint }> {
  const { status, body } = await rest<{ account?: { account_number?: string; sequence?: string } }>(`/cosmos/auth/v1beta1/accounts/${encodeURIComponent(address)}`);
  if (status === 404 || body.account === undefined) throw new TxError(`account ${address} does not exist on chain yet: send it some OGPU first`, 0, "", "");
  return { accountNumber: BigInt(body.account.account_number ?? "0"), sequence: BigInt(body.account.sequence ?? "0") };
}

/** The wallet's account pubkey, checked to be the one the wallet names. */
async function accountPubkey(wallet: Wallet): Promise<Uint8Array> {
  const [account] = await wallet.signer.getAccounts();
  if (account === undefined || account.address !== wallet.address) throw new TxError(`the wallet's signer does not hold ${wallet.address}`, 0, "", "");
  return account.pubkey;
}

function authInfoBytes(pubkey: Uint8Array, fee: StdFee, sequence: bigint): Uint8Array {
  const signerInfo = [{ pubkey: encodePubkey(encodeSecp256k1Pubkey(pubkey)), sequence }];
  return makeAuthInfoBytes(signerInfo, fee.amount, Number(fee.gas), fee.granter, fee.payer, SignMode.SIGN_MODE_DIRECT);
}

async function signTx(wallet: Wallet, bodyBytes: Uint8Array, fee: StdFee, chainId: string, numbers: { accountNumber: bigint; sequence: bigint }): Promise<Uint8Array> {
  const authInfo = authInfoBytes(await accountPubkey(wallet), fee, numbers.sequence);
  const { signed, signature } = await wallet.signer.signDirect(wallet.address, makeSignDoc(bodyBytes, authInfo, chainId, numbers.accountNumber));
  return TxRaw.encode({ bodyBytes: signed.bodyBytes, authInfoBytes: signed.authInfoBytes, signatures: [fromBase64(signature.signature)] }).finish();
}

function refused(stage: string, r: RestTxResponse): TxError {
  const where = r.codespace ? `${r.codespace} code ${r.code}` : `code ${r.code}`;
  return new TxError(`${stage} refused (${where}): ${r.raw_log}`, r.code, r.codespace ?? "", r.raw_log, r.txhash || undefined);
}

/**
 * Gas the chain reports for the tx. Simulation checks no signature (app/context.ts), so the
 * probe carries an empty one: a Keplr user is asked to approve only the real tx.
 */
async function simulateGas(wallet: Wallet, bodyBytes: Uint8Array, sequence: bigint): Promise<number> {
  const probe = TxRaw.encode({ bodyBytes, authInfoBytes: authInfoBytes(await accountPubkey(wallet), { amount: [], gas: "0" }, sequence), signatures: [new Uint8Array()] }).finish();
  const { body } = await rest<{ gas_info?: { gas_used?: string } }>("/cosmos/tx/v1beta1/simulate", { body: { tx_bytes: toBase64(probe) } });
  const used = body.gas_info?.gas_used;
  if (used === undefined) throw new TxError("simulation answered without gas_info", 0, "", "");
  return Math.ceil(Number(used) * GAS_ADJUSTMENT);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The included tx, by a tx search on its hash: it answers 200 with no txs while the tx waits,
 * where GET /txs/{hash} would answer 404s (each one a console error in the browser).
 */
async function waitForInclusion(txhash: string): Promise<RestTxResponse> {
  const search = `/cosmos/tx/v1beta1/txs?query=${encodeURIComponent(`tx.hash='${txhash}'`)}`;
  for (const deadline = Date.now() + INCLUSION_TIMEOUT_MS; Date.now() < deadline; await sleep(POLL_INTERVAL_MS)) {
    const { body } = await rest<{ tx_responses?: RestTxResponse[] }>(search);
    const found = body.tx_responses?.[0];
    if (found !== undefined) return found;
  }
  throw new TxError(`tx ${txhash} was accepted but not included within ${INCLUSION_TIMEOUT_MS / 1000} s; it may still be`, 0, "", "", txhash);
}

export const signAndBroadcast: SignAndBroadcast = async (wallet, msgs: EncodeObject[], memo = "") => {
  const [{ chainId, gasPrice }, numbers] = await Promise.all([chainFeeInfo(), accountNumbers(wallet.address)]);
  const bodyBytes = ogpuRegistry().encodeTxBody({ messages: msgs, memo });
  const gas = await simulateGas(wallet, bodyBytes, numbers.sequence);
  const txBytes = await signTx(wallet, bodyBytes, calculateFee(gas, gasPrice), chainId, numbers);
  const { body } = await rest<{ tx_response?: RestTxResponse }>("/cosmos/tx/v1beta1/txs", { body: { tx_bytes: toBase64(txBytes), mode: "BROADCAST_MODE_SYNC" } });
  const checked = body.tx_response;
  if (checked === undefined) throw new TxError("broadcast answered without a tx_response", 0, "", "");
  if (checked.code !== 0) throw refused("CheckTx", checked);
  const included = await waitForInclusion(checked.txhash);
  if (included.code !== 0) throw refused("the block", included);
  return { txhash: included.txhash, height: BigInt(included.height), code: included.code, rawLog: included.raw_log, events: included.events ?? [] };
};

/**
 * Uploads `bytes` to the node's blob store authorised by the wallet (a local key signs the
 * claim, Keplr signs it as ADR-036), valid UPLOAD_VALIDITY_BLOCKS past the node's latest height.
 */
export async function uploadFromWallet(wallet: Wallet, bytes: Uint8Array): Promise<BlobRef> {
  const height = BigInt((await api.latestBlock()).block.header.height);
  return uploadBlob(restBase(), bytes, wallet.blobSigner, height);
}
