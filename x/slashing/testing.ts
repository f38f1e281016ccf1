/**
 * Fixtures for x/slashing: unjail messages and misbehavior as CometBFT reports it; the chain
 * is app/testkit.ts's with SLASHING_CHAIN (blocks carry last-commit votes).
 */
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { MisbehaviorType, type Misbehavior } from "cosmjs-types/tendermint/abci/types";
import type { TestChainOptions } from "../../app/testkit.js";
import type { TestValidator } from "../staking/testing.js";
import { consAddressOf } from "../../app/validator-address.js";
export const unjailMsg = (valoper: string): Any => ({ typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail", value: MsgUnjail.encode({ validatorAddr: valoper }).finish() });

export const consOf = (v: TestValidator) => consAddressOf(v.consensusKey);

/** DUPLICATE_VOTE evidence against `v` for a vote at `height`, as CometBFT reports it. */
export function duplicateVote(v: TestValidator, height: bigint, power: bigint): Misbehavior {
  return { type: MisbehaviorType.DUPLICATE_VOTE, validator: { address: consOf(v), power }, height, time: { seconds: 1_700_000_000n + height, nanos: 0 }, totalVotingPower: 0n };
}

/** Harness options for slashing tests: blocks carry last-commit votes, fee-less txs. */
export const SLASHING_CHAIN: TestChainOptions = { commitVotes: true, signing: { fee: 0n, gas: 400_000n } };
