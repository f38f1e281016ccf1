import { Deposit, Proposal, ProposalStatus, Vote } from "cosmjs-types/cosmos/gov/v1/gov";
import { parseAccountAddress } from "../../app/address.js";
import { addDue, dueEntries, removeDue } from "../../app/store/due-index.js";
import { lengthPrefixed, parseU64Key, u64Key, type StoreKey } from "../../app/store/keys.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { defineCounter, getBigInt, setBigInt } from "../../app/store/values.js";

/**
 * x/gov's key layout:
 *   gov/params                                     → params JSON (params.ts)
 *   gov/next_id                                    → next proposal id (starts at 1)
 *   gov/p/   ‖ u64(id)                             → cosmos.gov.v1.Proposal
 *   gov/bs/  ‖ status ‖ u64(id)                    → ""   Proposals query by status
 *   gov/d/   ‖ u64(id) ‖ len‖depositor             → cosmos.gov.v1.Deposit (cumulative per depositor)
 *   gov/v/   ‖ u64(id) ‖ len‖voter                 → cosmos.gov.v1.Vote (a new vote replaces the old)
 *   gov/nd/  ‖ u64(id)                             → number of depositors (cap check without a scan)
 *   gov/nv/  ‖ u64(id)                             → number of voters
 *   gov/held                                       → uogpu held for open proposals' deposits (Σ of gov/d/)
 *   gov/inactive/ ‖ u64(deposit_end seconds) ‖ u64(id) → ""   proposals in their deposit period
 *   gov/active/   ‖ u64(voting_end seconds)  ‖ u64(id) → ""   proposals in their voting period
 * The two period queues are app/store/due-index.ts indexes keyed by block time, so EndBlock
 * reads only the proposals whose period ended. putProposal keeps the status index.
 */
const PROPOSAL = "gov/p/";
const BY_STATUS = "gov/bs/";
const DEPOSIT = "gov/d/";
const VOTE = "gov/v/";
const DEPOSITORS = "gov/nd/";
const VOTERS = "gov/nv/";
export const INACTIVE_QUEUE = "gov/inactive/";
export const ACTIVE_QUEUE = "gov/active/";
const EMPTY = new Uint8Array();

export const proposalIds = defineCounter("gov/next_id", 1n);

const HELD = "gov/held";
/** uogpu the gov account holds for deposits: what it owes depositors (or will burn). */
export const heldDeposits = (store: KVStore) => getBigInt(store, HELD);
export const addHeldDeposits = (store: KVStore, delta: bigint) => setBigInt(store, HELD, heldDeposits(store) + delta, 0n);

export function getProposal(store: KVStore, id: bigint): Proposal | undefined {
  const raw = store.get(PROPOSAL + u64Key(id));
  return raw === undefined ? undefined : Proposal.decode(raw);
}

const statusKey = (status: ProposalStatus, id: bigint) => BY_STATUS + String.fromCharCode(status) + u64Key(id);

export function putProposal(store: KVStore, proposal: Proposal): void {
  const previous = getProposal(store, proposal.id);
  if (previous && previous.status !== proposal.status) store.delete(statusKey(previous.status, proposal.id));
  store.set(statusKey(proposal.status, proposal.id), EMPTY);
  store.set(PROPOSAL + u64Key(proposal.id), Proposal.encode(proposal).finish());
}

/** Index a Proposals query pages over (tails end in u64(id)): one status, or every proposal. */
export const proposalListPrefix = (status: ProposalStatus): StoreKey =>
  status === ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED ? PROPOSAL : BY_STATUS + String.fromCharCode(status);
export const proposalIdOfTail = (tail: StoreKey): bigint => parseU64Key(tail.slice(tail.length - 8));
export function* allProposals(store: KVStore): Iterable<Proposal> {
  for (const [, value] of store.iterate(PROPOSAL)) yield Proposal.decode(value);
}

const who = (address: string) => lengthPrefixed(parseAccountAddress(address));

// ---- deposits ----
export function getDeposit(store: KVStore, id: bigint, depositor: string): Deposit | undefined {
  const raw = store.get(DEPOSIT + u64Key(id) + who(depositor));
  return raw === undefined ? undefined : Deposit.decode(raw);
}
export function setDeposit(store: KVStore, deposit: Deposit): void {
  const key = DEPOSIT + u64Key(deposit.proposalId) + who(deposit.depositor);
  if (!store.has(key)) setBigInt(store, DEPOSITORS + u64Key(deposit.proposalId), depositorCount(store, deposit.proposalId) + 1n);
  store.set(key, Deposit.encode(deposit).finish());
}
export const depositorCount = (store: KVStore, id: bigint) => getBigInt(store, DEPOSITORS + u64Key(id));
export const depositPrefix = (id: bigint): StoreKey => DEPOSIT + u64Key(id);
export function deposits(store: KVStore, id: bigint): Deposit[] {
  return [...store.iterate(depositPrefix(id))].map(([, v]) => Deposit.decode(v));
}
/** Drops a proposal's deposits once refunded or burned. */
export function deleteDeposits(store: KVStore, id: bigint): void {
  for (const [key] of [...store.iterate(depositPrefix(id))]) store.delete(key);
  store.delete(DEPOSITORS + u64Key(id));
}
export function* allDeposits(store: KVStore): Iterable<Deposit> {
  for (const [, value] of store.iterate(DEPOSIT)) yield Deposit.decode(value);
}

// ---- votes ----
export function getVote(store: KVStore, id: bigint, voter: string): Vote | undefined {
  const raw = store.get(VOTE + u64Key(id) + who(voter));
  return raw === undefined ? undefined : Vote.decode(raw);
}
export function setVote(store: KVStore, vote: Vote): void {
  const key = VOTE + u64Key(vote.proposalId) + who(vote.voter);
  if (!store.has(key)) setBigInt(store, VOTERS + u64Key(vote.proposalId), voterCount(store, vote.proposalId) + 1n);
  store.set(key, Vote.encode(vote).finish());
}
export const voterCount = (store: KVStore, id: bigint) => getBigInt(store, VOTERS + u64Key(id));
export const votePrefix = (id: bigint): StoreKey => VOTE + u64Key(id);
export function votes(store: KVStore, id: bigint): Vote[] {
  return [...store.iterate(votePrefix(id))].map(([, v]) => Vote.decode(v));
}
/** Votes are dropped after the final tally (the SDK does the same); the tally stays on the proposal. */
export function deleteVotes(store: KVStore, id: bigint): void {
  for (const [key] of [...store.iterate(votePrefix(id))]) store.delete(key);
  store.delete(VOTERS + u64Key(id));
}
export function* allVotes(store: KVStore): Iterable<Vote> {
  for (const [, value] of store.iterate(VOTE)) yield Vote.decode(value);
}

// ---- period queues (keyed by block time in seconds) ----
export const enqueue = (store: KVStore, queue: StoreKey, endSeconds: bigint, id: bigint) => addDue(store, queue, endSeconds, u64Key(id));
export const dequeue = (store: KVStore, queue: StoreKey, endSeconds: bigint, id: bigint) => removeDue(store, queue, endSeconds, u64Key(id));
/** Proposals whose period ended by `nowSeconds`, oldest first, at most `limit`. */
export function ended(store: KVStore, queue: StoreKey, nowSeconds: bigint, limit: number): { endSeconds: bigint; id: bigint }[] {
  return dueEntries(store, queue, nowSeconds, limit).map((e) => ({ endSeconds: e.height, id: parseU64Key(e.rest) }));
}

/** Removes a dropped proposal (deposit period ended short) with its status-index entry, as the SDK deletes it. */
export function deleteProposal(store: KVStore, proposal: Proposal): void {
  store.delete(statusKey(proposal.status, proposal.id));
  store.delete(PROPOSAL + u64Key(proposal.id));
}
