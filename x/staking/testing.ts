/**
 * Test helpers for x/staking and x/distribution: genesis with gentxs, staking messages built
 * as cosmjs builds them, and an in-process chain that also reports validator updates.
 */
import { MICRO_PER_OGPU } from "../../app/coins.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MsgBeginRedelegate, MsgDelegate, MsgUndelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { MsgWithdrawDelegatorReward, MsgWithdrawValidatorCommission } from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { ExecTxResult, ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { OgpuApp } from "../../app/app.js";
import { createAppWiring, type AppKeepers } from "../../app/modules.js";
import type { AppModule } from "../../app/module.js";
import type { Context } from "../../app/context.js";
import { finalizeRequest, initChainRequest, signTx, testGenesis, testKey, type TestKey } from "../../app/testkit.js";
import { sha256 } from "../../crypto/hash.js";
import { getAccount } from "../auth/keeper.js";
import { createValidatorMsg } from "../genutil/gentx.js";
import { valoperString } from "../../app/validator-address.js";
import { DEC_ONE } from "../../app/dec.js";

export const OGPU = MICRO_PER_OGPU;

export interface TestValidator {
  key: TestKey;
  valoper: string;
  consensusKey: Uint8Array;
}

export function testValidator(i: number): TestValidator {
  const key = testKey(i);
  return { key, valoper: valoperString(key.addressBytes), consensusKey: sha256(new TextEncoder().encode(`ogpu consensus key ${i}`)) };
}

/** A percentage as Dec atomics, e.g. pct(10) = 0.10. */
export const pct = (n: number) => ((BigInt(n) * DEC_ONE) / 100n).toString();

export function gentx(v: TestValidator, stake: bigint, opts: { commissionPct?: number; minSelf?: bigint; moniker?: string } = {}): Uint8Array {
  const msg = createValidatorMsg({
    operator: v.key.addressBytes,
    consensusKey: v.consensusKey,
    amount: stake,
    moniker: opts.moniker ?? `validator-${v.valoper.slice(-4)}`,
    commissionRate: pct(opts.commissionPct ?? 0),
    commissionMaxRate: pct(50),
    commissionMaxChangeRate: pct(1),
    minSelfDelegation: opts.minSelf ?? 1n,
  });
  return signTx(v.key, [msg], { accountNumber: 0n, sequence: 0n, fee: [] });
}

/** Genesis: balances, staking params, and gentxs for the given validators. */
export function stakingGenesis(
  balances: Record<string, bigint>,
  gentxs: Uint8Array[],
  params: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...testGenesis(balances),
    staking: { params },
    genutil: { gen_txs: gentxs.map((tx) => Buffer.from(tx).toString("base64")) },
  };
}

const any = (typeUrl: string, value: Uint8Array): Any => ({ typeUrl, value });
export const delegateMsg = (from: TestKey, valoper: string, amount: bigint) =>
  any("/cosmos.staking.v1beta1.MsgDelegate", MsgDelegate.encode({ delegatorAddress: from.address, validatorAddress: valoper, amount: { denom: "uogpu", amount: amount.toString() } }).finish());
export const undelegateMsg = (from: TestKey, valoper: string, amount: bigint) =>
  any("/cosmos.staking.v1beta1.MsgUndelegate", MsgUndelegate.encode({ delegatorAddress: from.address, validatorAddress: valoper, amount: { denom: "uogpu", amount: amount.toString() } }).finish());
export const redelegateMsg = (from: TestKey, src: string, dst: string, amount: bigint) =>
  any("/cosmos.staking.v1beta1.MsgBeginRedelegate", MsgBeginRedelegate.encode({ delegatorAddress: from.address, validatorSrcAddress: src, validatorDstAddress: dst, amount: { denom: "uogpu", amount: amount.toString() } }).finish());
export const withdrawMsg = (from: TestKey, valoper: string) =>
  any("/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward", MsgWithdrawDelegatorReward.encode({ delegatorAddress: from.address, validatorAddress: valoper }).finish());
export const withdrawCommissionMsg = (valoper: string) =>
  any("/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission", MsgWithdrawValidatorCommission.encode({ validatorAddress: valoper }).finish());

export interface BlockResult {
  results: ExecTxResult[];
  updates: ValidatorUpdate[];
}

export interface StakingChain {
  app: OgpuApp;
  /** This app instance's keepers (for `during` callbacks and direct state reads). */
  keepers: AppKeepers;
  genesisValidators: ValidatorUpdate[];
  height: bigint;
  /** Runs a block; `during` runs in its beginBlock, after the real modules' (keeper calls from "other modules"). */
  block(txs?: Uint8Array[], during?: (ctx: Context) => void): Promise<BlockResult>;
  /** Signs with the account's current number and sequence (committed state). */
  tx(key: TestKey, msgs: Any[], fee?: bigint): Uint8Array;
  close(): Promise<void>;
}

/** An in-process chain that reports InitChain's validator set and each block's updates. */
export async function startStakingChain(appState: Record<string, unknown>): Promise<StakingChain> {
  const dir = mkdtempSync(join(tmpdir(), "ogpu-staking-"));
  let during: ((ctx: Context) => void) | undefined;
  // Lets a test call the keeper mid-block, the way x/slashing and x/attest do.
  const caller: AppModule = { name: "test_caller", msgs: [], queries: [], invariants: [], initGenesis: () => undefined, exportGenesis: () => ({}), defaultGenesis: () => ({}), beginBlock: (ctx) => during?.(ctx) };
  const wiring = createAppWiring();
  const app = await OgpuApp.open(join(dir, "db"), { ...wiring, modules: [...wiring.modules, caller] }, { minGasPrices: [], checkInvariants: true });
  let init: ReturnType<typeof app.initChain>;
  try {
    init = app.initChain(initChainRequest(appState));
  } catch (err) {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const chain: StakingChain = {
    app,
    keepers: wiring.keepers,
    genesisValidators: init.validators,
    height: 0n,
    async block(txs = [], hook) {
      chain.height += 1n;
      during = hook;
      const res = app.finalizeBlock(finalizeRequest(chain.height, txs));
      during = undefined;
      await app.commit();
      return { results: res.txResults, updates: res.validatorUpdates };
    },
    tx(key, msgs, fee = 0n) {
      const acc = getAccount(app.store, key.addressBytes);
      if (!acc) throw new Error(`no account ${key.address}`);
      return signTx(key, msgs, { accountNumber: acc.accountNumber, sequence: acc.sequence, fee: fee === 0n ? [] : [{ denom: "uogpu", amount: fee.toString() }], gas: 400_000n });
    },
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return chain;
}

/** Updates as comparable { consensus key hex → power } pairs. */
export function powersOf(updates: readonly ValidatorUpdate[]): Record<string, bigint> {
  return Object.fromEntries(updates.map((u) => [Buffer.from(u.pubKey.ed25519 ?? new Uint8Array()).toString("hex"), u.power]));
}

export const hex = (v: TestValidator) => Buffer.from(v.consensusKey).toString("hex");
