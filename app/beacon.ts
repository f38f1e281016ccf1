import type { CommitInfo, ExtendedCommitInfo } from "cosmjs-types/tendermint/abci/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { ED25519_SIGNATURE_LENGTH, ed25519Verify } from "../crypto/ed25519.js";
import { sha256 } from "../crypto/hash.js";
import { compareBytes, startsWithBytes } from "../crypto/bytes.js";

/**
 * The randomness beacon that seeds audit draws (docs/proof-of-sync.md, docs/security.md).
 *
 * Every validator's vote extension at height H is its Ed25519 signature over
 * beaconMessage(chain_id, H, hash of block H), made with its consensus key. Ed25519 is
 * deterministic, so each validator has exactly one valid contribution per block and cannot
 * grind it. The block hash is in the message so that a signature gossiped in a round whose
 * block was not decided says nothing about the beacon of the block decided later at H. The proposer
 * of H+1 puts the extensions of its last commit into a beacon tx, the block's first tx:
 *
 *   0x00 ‖ "ogpu-beacon/1" ‖ u16be(n) ‖ n × (validator address(20) ‖ signature(64))
 *
 * entries in strictly ascending address order. 0x00 is field number 0 in protobuf, so no
 * Cosmos tx starts with it and CheckTx refuses the tx (it cannot come from the mempool).
 * The beacon of the block is sha256("ogpu-beacon" ‖ entries): it depends only on which
 * signatures are included, never on the block's other txs or their order.
 */
const MAGIC = Buffer.concat([Buffer.from([0x00]), Buffer.from("ogpu-beacon/1", "ascii")]);
const ADDRESS_LENGTH = 20;
const ENTRY_LENGTH = ADDRESS_LENGTH + ED25519_SIGNATURE_LENGTH;
const MAX_ENTRIES = 0xffff;

export interface BeaconEntry {
  /** CometBFT validator address: sha256(consensus pubkey)[:20]. */
  validator: Uint8Array;
  signature: Uint8Array;
}

/** What a validator signs for block `blockHash` at `height`: domain, chain id, height, hash. */
export function beaconMessage(chainId: string, height: bigint, blockHash: Uint8Array): Uint8Array {
  const chain = Buffer.from(chainId, "utf8");
  const frame = Buffer.alloc(2 + 8);
  frame.writeUInt16BE(chain.length, 0);
  frame.writeBigUInt64BE(height, 2);
  return Buffer.concat([Buffer.from("ogpu-beacon", "ascii"), frame.subarray(0, 2), chain, frame.subarray(2), Buffer.from(blockHash)]);
}


export function encodeBeaconTx(entries: readonly BeaconEntry[]): Uint8Array {
  if (entries.length > MAX_ENTRIES) throw new Error(`a beacon holds at most ${MAX_ENTRIES} signatures`);
  if (entries.some((e) => e.validator.length !== ADDRESS_LENGTH || e.signature.length !== ED25519_SIGNATURE_LENGTH)) throw new Error("beacon entry must be a 20-byte address and a 64-byte signature");
  const sorted = [...entries].sort((a, b) => compareBytes(a.validator, b.validator));
  const count = Buffer.alloc(2);
  count.writeUInt16BE(sorted.length);
  return Buffer.concat([MAGIC, count, ...sorted.flatMap((e) => [Buffer.from(e.validator), Buffer.from(e.signature)])]);
}

export function isBeaconTx(tx: Uint8Array): boolean {
  return startsWithBytes(tx, MAGIC);
}

/** The entries of a well-formed beacon tx, or why it is malformed. */
export function decodeBeaconTx(tx: Uint8Array): BeaconEntry[] | string {
  if (!isBeaconTx(tx)) return "not a beacon tx";
  const body = Buffer.from(tx.subarray(MAGIC.length));
  if (body.length < 2) return "beacon tx has no entry count";
  const n = body.readUInt16BE(0);
  if (body.length !== 2 + n * ENTRY_LENGTH) return `beacon tx length ${tx.length} does not match ${n} entries`;
  const entries: BeaconEntry[] = [];
  for (let i = 0; i < n; i++) {
    const at = 2 + i * ENTRY_LENGTH;
    const entry = { validator: body.subarray(at, at + ADDRESS_LENGTH), signature: body.subarray(at + ADDRESS_LENGTH, at + ENTRY_LENGTH) };
    if (i > 0 && compareBytes(entries[i - 1]!.validator, entry.validator) >= 0) return "beacon entries are not in strictly ascending validator order";
    entries.push(entry);
  }
  return entries;
}

/** The block's randomness: sha256 over the sorted (validator, signature) list. */
export function beaconOf(entries: readonly BeaconEntry[]): Uint8Array {
  return sha256(encodeBeaconTx(entries));
}

/**
 * The seed of a block that carries no beacon, which happens only when vote extensions are
 * not enabled for the previous height (vote_extensions_enable_height is 0, or ≥ this height):
 * the first block of a chain, and chains (in-process tests, old genesis files) without them.
 * It hashes chain id, height and the previous app hash, so it too ignores this block's txs.
 */
export function fallbackBeacon(chainId: string, height: bigint, previousAppHash: Uint8Array): Uint8Array {
  return sha256(Buffer.concat([Buffer.from("ogpu-beacon-fallback", "ascii"), beaconMessage(chainId, height, previousAppHash)]));
}

/** Whether block `height` must carry a beacon: its last commit (height − 1) had extensions. */
export function beaconRequired(voteExtensionsEnableHeight: bigint, height: bigint): boolean {
  return voteExtensionsEnableHeight > 0n && height - 1n >= voteExtensionsEnableHeight;
}

export type ConsensusKeyLookup = (validatorAddress: Uint8Array) => Uint8Array | undefined;

/** The block a set of beacon signatures is over: chain, height and that block's hash. */
export interface SignedBlock {
  chainId: string;
  height: bigint;
  hash: Uint8Array;
}

export function verifyBeaconSignature(block: SignedBlock, entry: BeaconEntry, keyOf: ConsensusKeyLookup): boolean {
  const pubkey = keyOf(entry.validator);
  return pubkey !== undefined && ed25519Verify(pubkey, beaconMessage(block.chainId, block.height, block.hash), entry.signature);
}

/** PrepareProposal: the valid extensions of every validator that committed the last block. */
export function beaconEntriesFromCommit(lastBlock: SignedBlock, commit: ExtendedCommitInfo, keyOf: ConsensusKeyLookup): BeaconEntry[] {
  const entries = commit.votes
    .filter((v) => v.blockIdFlag === BlockIDFlag.BLOCK_ID_FLAG_COMMIT && v.validator)
    .map((v) => ({ validator: v.validator.address, signature: v.voteExtension }));
  return entries.filter((e) => verifyBeaconSignature(lastBlock, e, keyOf));
}

export interface ProposalBeaconCheck {
  /** The last block (height − 1 of the proposal), whose precommits carried the extensions. */
  lastBlock: SignedBlock;
  required: boolean;
  txs: readonly Uint8Array[];
  /** The block's LastCommit as CometBFT verified it: who signed height − 1, with what power. */
  lastCommit: CommitInfo | undefined;
  keyOf: ConsensusKeyLookup;
}

/**
 * ProcessProposal's rule, or null when the proposal's beacon is acceptable. A required beacon
 * is the first tx and holds a valid signature from exactly the validators that signed the
 * block's LastCommit (so the proposer picks nothing CometBFT did not already fix), and those
 * carry more than 2/3 of the last set's power. No other tx may look like a beacon.
 */
export function checkProposalBeacon(p: ProposalBeaconCheck): string | null {
  const first = p.txs[0];
  const beaconAt = p.txs.findIndex(isBeaconTx);
  if (!p.required) return beaconAt === -1 ? null : "beacon tx in a block whose last commit has no vote extensions";
  if (first === undefined || beaconAt !== 0) return "the first tx must be the beacon tx";
  if (p.txs.slice(1).some(isBeaconTx)) return "more than one beacon tx";
  const entries = decodeBeaconTx(first);
  if (typeof entries === "string") return entries;
  const votes = p.lastCommit?.votes ?? [];
  const total = votes.reduce((s, v) => s + (v.validator?.power ?? 0n), 0n);
  const signers = new Map(votes.filter((v) => v.blockIdFlag === BlockIDFlag.BLOCK_ID_FLAG_COMMIT && v.validator).map((v) => [Buffer.from(v.validator.address).toString("hex"), v.validator.power]));
  if (entries.length !== signers.size) return `beacon has ${entries.length} signatures, the last commit ${signers.size} signers`;
  let included = 0n;
  for (const e of entries) {
    const power = signers.get(Buffer.from(e.validator).toString("hex"));
    if (power === undefined) return `beacon signer ${Buffer.from(e.validator).toString("hex")} did not sign the last commit`;
    if (!verifyBeaconSignature(p.lastBlock, e, p.keyOf)) return `invalid beacon signature from ${Buffer.from(e.validator).toString("hex")}`;
    included += power;
  }
  if (included * 3n <= total * 2n) return `beacon signers hold ${included} of ${total} power, not more than 2/3`;
  return null;
}
