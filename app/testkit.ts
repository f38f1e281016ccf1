/**
 * In-process test kit: a real OgpuApp on a real (temporary) LevelDB, deterministic keys,
 * and txs signed exactly as cosmjs signs them (SIGN_MODE_DIRECT over the raw bytes).
 * Used by module unit tests; end-to-end tests use a real cometbft instead.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { ExecTxResult, RequestFinalizeBlock, RequestInitChain } from "cosmjs-types/tendermint/abci/types";
import { sha256 } from "../crypto/hash.js";
import { secp256k1PublicKey, signSecp256k1 } from "../crypto/secp256k1.js";
import { addressOf, encodePubKeyAny, SECP256K1_PUBKEY_TYPE_URL } from "../crypto/pubkey.js";
import { accountAddressString } from "./address.js";
import { OgpuApp } from "./app.js";
import { createAppWiring, type AppKeepers } from "./modules.js";
import type { GasPrice } from "./tx/fees.js";

export const TEST_CHAIN_ID = "ogpu-test-1";

export interface TestKey {
  privateKey: Uint8Array;
  pubKey: Any;
  address: string;
  addressBytes: Uint8Array;
}

/** Key number `i`: the same on every run. */
export function testKey(i: number): TestKey {
  const privateKey = sha256(new TextEncoder().encode(`ogpu test key ${i}`));
  const pk = { typeUrl: SECP256K1_PUBKEY_TYPE_URL, key: secp256k1PublicKey(privateKey) } as const;
  const addressBytes = addressOf(pk);
  return { privateKey, pubKey: encodePubKeyAny(pk), address: accountAddressString(addressBytes), addressBytes };
}

export interface TxOptions {
  accountNumber: bigint;
  sequence: bigint;
  fee?: { denom: string; amount: string }[];
  gas?: bigint;
  memo?: string;
  timeoutHeight?: bigint;
  chainId?: string;
  /** Sign these bytes' owner but put another pubkey in the signer info (tests). */
  signerInfoPubKey?: Any;
}

export function sendMsg(from: string, to: string, amount: string, denom = "uogpu"): Any {
  return { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: from, toAddress: to, amount: [{ denom, amount }] }).finish() };
}

/** A TxRaw signed by one key, SIGN_MODE_DIRECT. */
export function signTx(key: TestKey, messages: Any[], opts: TxOptions): Uint8Array {
  const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages, memo: opts.memo ?? "", timeoutHeight: opts.timeoutHeight ?? 0n })).finish();
  const authInfoBytes = AuthInfo.encode(
    AuthInfo.fromPartial({
      signerInfos: [{ publicKey: opts.signerInfoPubKey ?? key.pubKey, modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } }, sequence: opts.sequence }],
      fee: { amount: opts.fee ?? [{ denom: "uogpu", amount: "200" }], gasLimit: opts.gas ?? 200_000n },
    }),
  ).finish();
  const signDoc = SignDoc.encode({ bodyBytes, authInfoBytes, chainId: opts.chainId ?? TEST_CHAIN_ID, accountNumber: opts.accountNumber }).finish();
  return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [signSecp256k1(key.privateKey, signDoc)] }).finish();
}

export interface TestChain {
  app: OgpuApp;
  /** This app instance's keepers, for reading and driving state directly in tests. */
  keepers: AppKeepers;
  dir: string;
  height: bigint;
  /** Executes and commits one block; returns the tx results. */
  block(txs: Uint8Array[]): Promise<ExecTxResult[]>;
  /** Every FinalizeBlock request sent so far (for replay into another instance). */
  requests: RequestFinalizeBlock[];
  close(): Promise<void>;
}

export function initChainRequest(appState: Record<string, unknown>): RequestInitChain {
  return {
    time: { seconds: 1_700_000_000n, nanos: 0 },
    chainId: TEST_CHAIN_ID,
    consensusParams: undefined,
    validators: [],
    appStateBytes: new TextEncoder().encode(JSON.stringify(appState)),
    initialHeight: 1n,
  };
}

/** Genesis with `balances` (address → uogpu) and optional params overrides. */
export function testGenesis(balances: Record<string, bigint>, bankParams: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    auth: {},
    bank: { params: bankParams, balances: Object.entries(balances).map(([address, amount]) => ({ address, coins: [{ denom: "uogpu", amount: amount.toString() }] })) },
  };
}

export function finalizeRequest(height: bigint, txs: Uint8Array[]): RequestFinalizeBlock {
  return {
    txs,
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: sha256(new TextEncoder().encode(`block ${height}`)),
    height,
    time: { seconds: 1_700_000_000n + height, nanos: 0 },
    nextValidatorsHash: new Uint8Array(),
    proposerAddress: new Uint8Array(20),
  };
}

export async function startTestChain(
  appState: Record<string, unknown>,
  opts: { minGasPrices?: GasPrice[]; dir?: string; simulationGasLimit?: number; queryMaxBytes?: number } = {},
): Promise<TestChain> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "ogpu-app-"));
  const wiring = createAppWiring();
  const { simulationGasLimit, queryMaxBytes } = opts;
  const app = await OgpuApp.open(join(dir, "db"), wiring, { minGasPrices: opts.minGasPrices ?? [], checkInvariants: true, simulationGasLimit, queryMaxBytes });
  try {
    if (app.lastCommit.height === 0n) app.initChain(initChainRequest(appState));
  } catch (err) {
    // A rejected genesis (tests expect that) must not leave its database behind.
    await app.close();
    if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const chain: TestChain = {
    app,
    keepers: wiring.keepers,
    dir,
    height: app.lastCommit.height,
    requests: [],
    async block(txs) {
      chain.height += 1n;
      const req = finalizeRequest(chain.height, txs);
      chain.requests.push(req);
      const res = app.finalizeBlock(req);
      await app.commit();
      return res.txResults;
    },
    async close() {
      await app.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return chain;
}
