import { Deposit, Proposal, ProposalStatus, Vote } from "cosmjs-types/cosmos/gov/v1/gov";
import { GOV_MODULE_NAME } from "../../app/authority.js";
import { amountOf, BASE_DENOM } from "../../app/coins.js";
import { asArray, asObject, asString, atPath, GenesisError } from "../../app/genesis-json.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { setBigInt } from "../../app/store/values.js";
import type { AuthKeeper } from "../auth/keeper.js";
import { govParams } from "./params.js";
import * as store from "./store.js";

const NEXT_ID_KEY = "gov/next_id";

/**
 * Genesis section `gov`: params, starting_proposal_id, and the open proposals with their
 * deposits and votes (JSON in the cosmjs-types / proto3 JSON shape). Period queues are
 * rebuilt from each proposal's status and end times.
 */
export function initGovGenesis(auth: Pick<AuthKeeper, "ensureModuleAccount">, s: KVStore, json: unknown): void {
  const g = asObject(json ?? {}, "gov");
  auth.ensureModuleAccount(s, GOV_MODULE_NAME);
  govParams.set(s, atPath("gov.params", () => govParams.parse(g.params)));
  const start = g.starting_proposal_id === undefined ? 1n : atPath("gov.starting_proposal_id", () => BigInt(asString(g.starting_proposal_id, "gov.starting_proposal_id")));
  if (start < 1n) throw new GenesisError("gov.starting_proposal_id must be at least 1");
  setBigInt(s, NEXT_ID_KEY, start);
  asArray(g.proposals ?? [], "gov.proposals").forEach((x, i) => {
    const p = atPath(`gov.proposals[${i}]`, () => Proposal.fromJSON(x));
    if (p.id < 1n || p.id >= start) throw new GenesisError(`gov.proposals[${i}]: id ${p.id} must be in 1..starting_proposal_id-1`);
    store.putProposal(s, p);
    if (p.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD) store.enqueue(s, store.INACTIVE_QUEUE, p.depositEndTime?.seconds ?? 0n, p.id);
    if (p.status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) store.enqueue(s, store.ACTIVE_QUEUE, p.votingEndTime?.seconds ?? 0n, p.id);
  });
  asArray(g.deposits ?? [], "gov.deposits").forEach((x, i) => {
    const d = atPath(`gov.deposits[${i}]`, () => Deposit.fromJSON(x));
    store.setDeposit(s, d);
    store.addHeldDeposits(s, amountOf(d.amount, BASE_DENOM));
  });
  asArray(g.votes ?? [], "gov.votes").forEach((x, i) => store.setVote(s, atPath(`gov.votes[${i}]`, () => Vote.fromJSON(x))));
}

export function exportGovGenesis(s: KVStore): unknown {
  return {
    starting_proposal_id: store.proposalIds.peek(s).toString(),
    params: govParams.get(s),
    proposals: [...store.allProposals(s)].map((p) => Proposal.toJSON(p)),
    deposits: [...store.allDeposits(s)].map((d) => Deposit.toJSON(d)),
    votes: [...store.allVotes(s)].map((v) => Vote.toJSON(v)),
  };
}

/** A fresh chain's `gov` section (`ogpud init`). */
export function defaultGovGenesis(): unknown {
  return { starting_proposal_id: "1", params: govParams.parse(undefined), proposals: [], deposits: [], votes: [] };
}
