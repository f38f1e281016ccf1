/**
 * Test helpers for x/slashing: an in-process chain whose blocks carry the last-commit votes
 * and misbehavior CometBFT would send, built from the set the app last gave CometBFT.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { MisbehaviorType, type Event, type ExecTxResult, type Misbehavior, type RequestQuery, type ResponseQuery, type ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { OgpuApp } from "../../app/app.js";
import { createAppWiring } from "../../app/modules.js";
import { finalizeRequest, initChainRequest, signTx, type TestKey } from "../../app/testkit.js";
import { getAccount } from "../auth/keeper.js";
import { getValidator, lastPowers } from "../staking/keeper.js";
import type { TestValidator } from "../staking/testing.js";
import { consAddressOf, consensusKeyOf } from "../../app/validator-address.js";

export const unjailMsg = (valoper: string): Any => ({ typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail", value: MsgUnjail.encode({ validatorAddr: valoper }).finish() });

export const consOf = (v: TestValidator) => consAddressOf(v.consensusKey);

/** DUPLICATE_VOTE evidence against `v` for a vote at `height`, as CometBFT reports it. */
export function duplicateVote(v: TestValidator, height: bigint, power: bigint): Misbehavior {
  return { type: MisbehaviorType.DUPLICATE_VOTE, validator: { address: consOf(v), power }, height, time: { seconds: 1_700_000_000n + height, nanos: 0 }, totalVotingPower: 0n };
}

export interface SlashingBlock {
  /** Validators whose vote for the previous block is ABSENT. */
  absent?: readonly TestValidator[];
  misbehavior?: Misbehavior[];
  txs?: Uint8Array[];
}

export interface SlashingBlockResult {
  results: ExecTxResult[];
  updates: ValidatorUpdate[];
  events: Event[];
}

export interface SlashingChain {
  app: OgpuApp;
  height: bigint;
  block(b?: SlashingBlock): Promise<SlashingBlockResult>;
  tx(key: TestKey, msgs: Any[]): Uint8Array;
  query(path: string, data: Uint8Array): ResponseQuery;
  close(): Promise<void>;
}

/** Votes for every validator CometBFT has (per the app's last reported powers). */
function lastCommitVotes(app: OgpuApp, absent: readonly TestValidator[]) {
  const absentCons = new Set(absent.map((v) => Buffer.from(consOf(v)).toString("hex")));
  return lastPowers(app.store).map(({ operator, power }) => {
    const address = consAddressOf(consensusKeyOf(getValidator(app.store, operator)!));
    const flag = absentCons.has(Buffer.from(address).toString("hex")) ? BlockIDFlag.BLOCK_ID_FLAG_ABSENT : BlockIDFlag.BLOCK_ID_FLAG_COMMIT;
    return { validator: { address, power }, blockIdFlag: flag };
  });
}

export async function startSlashingChain(appState: Record<string, unknown>): Promise<SlashingChain> {
  const dir = mkdtempSync(join(tmpdir(), "ogpu-slashing-"));
  const app = await OgpuApp.open(join(dir, "db"), createAppWiring(), { minGasPrices: [], checkInvariants: true });
  app.initChain(initChainRequest(appState));
  const chain: SlashingChain = {
    app,
    height: 0n,
    async block(b = {}) {
      chain.height += 1n;
      const req = finalizeRequest(chain.height, b.txs ?? []);
      // Block 1 has no last commit; later blocks carry the previous block's votes.
      if (chain.height > 1n) req.decidedLastCommit = { round: 0, votes: lastCommitVotes(app, b.absent ?? []) };
      req.misbehavior = b.misbehavior ?? [];
      const res = app.finalizeBlock(req);
      await app.commit();
      return { results: res.txResults, updates: res.validatorUpdates, events: res.events };
    },
    tx(key, msgs) {
      const acc = getAccount(app.store, key.addressBytes);
      if (!acc) throw new Error(`no account ${key.address}`);
      return signTx(key, msgs, { accountNumber: acc.accountNumber, sequence: acc.sequence, fee: [], gas: 400_000n });
    },
    query: (path, data) => app.query({ path, data, height: 0n, prove: false } satisfies RequestQuery),
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return chain;
}
