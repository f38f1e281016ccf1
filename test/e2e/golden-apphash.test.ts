/**
 * Golden app hashes: pins what the app hash IS at every height of one fixed, fully
 * deterministic script of blocks, so a refactor that must not change behaviour can prove it
 * did not. (determinism.test.ts only checks that two instances agree with each other.)
 *
 * The script runs in process (no CometBFT) on a real LevelDB: fixed genesis time, fixed keys,
 * fixed block times, hashes and proposer, and cosmjs-signed txs (RFC 6979 signatures, so the
 * tx bytes are fixed too). It touches bank, staking (gentx validators, delegate, redelegate,
 * undelegate and its payout), distribution (reward and commission withdrawal), workers
 * (register, heartbeat), market (submit, scheduler assignment, settlement), attest (commit,
 * audit draw, auditors' seals, reveal, audit openings, finality) and slashing (downtime jail via the last-commit
 * votes, unjail, double-sign evidence) and gov (a proposal carrying x/market's MsgUpdateParams:
 * submit, deposit, votes with a delegator overriding its validator, tally, execution). Every tx must succeed, and end-state facts are checked
 * through the ABCI query paths, so the hashes pin paths that really ran.
 *
 * The fixture is test/e2e/golden-apphash.json (app hash hex per height). By default the test
 * only compares. To regenerate it after an INTENDED change of behaviour:
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/e2e/golden-apphash.test.ts
 *
 * and say in the commit why the hashes changed. A refactor must never need this.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { sha256 } from "@cosmjs/crypto";
import { fromBech32, toBech32, toHex } from "@cosmjs/encoding";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { DirectSecp256k1Wallet, encodePubkey, makeAuthInfoBytes, makeSignDoc, type EncodeObject } from "@cosmjs/proto-signing";
import { SigningStargateClient } from "@cosmjs/stargate";
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { QueryDelegationRequest, QueryDelegationResponse, QueryValidatorRequest, QueryValidatorResponse } from "cosmjs-types/cosmos/staking/v1beta1/query";
import { BondStatus } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { MsgCreateValidator } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { MisbehaviorType, type RequestFinalizeBlock, type RequestInitChain, type ResponseFinalizeBlock, type ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { OgpuApp } from "../../app/app.js";
import { createAppWiring } from "../../app/modules.js";
import { Phase, Verdict } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { QueryRecordRequest, QueryRecordResponse } from "../../proto/gen/ogpu/attest/v1/query.js";
import { TaskStatus, VerificationClass } from "../../proto/gen/ogpu/market/v1/market.js";
import { QueryTaskRequest, QueryTaskResponse } from "../../proto/gen/ogpu/market/v1/query.js";
import { ogpuRegistry, MSG } from "../../sdk/registry.js";
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { QueryProposalRequest, QueryProposalResponse } from "cosmjs-types/cosmos/gov/v1/query";
import { govAuthority } from "../../app/authority.js";
import { OGPU_MSG_TYPES } from "../../proto/msg-types.js";
import { QueryParamsRequest as MarketParamsRequest, QueryParamsResponse as MarketParamsResponse } from "../../proto/gen/ogpu/market/v1/query.js";
import { computeResultSeal, computeSeal } from "../../x/attest/seal.js";
import { DENOM, OGPU, PREFIX } from "./helpers.js";
import { textCid } from "../../crypto/cid.js";

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), "golden-apphash.json");
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const CHAIN_ID = "ogpu-golden-1";
const GENESIS_SECONDS = 1_700_000_000n;
const FEE = { amount: [{ denom: DENOM, amount: "1000" }], gas: "2000000" };
const utf8 = (s: string) => new TextEncoder().encode(s);

/** A fixed secp256k1 key per name: the same address on every run. */
interface Party {
  name: string;
  address: string;
  wallet: DirectSecp256k1Wallet;
  signer: SigningStargateClient;
  /** Next sequence; read from the chain on first use (validators used 0 for their gentx). */
  sequence?: number;
}

async function party(name: string): Promise<Party> {
  const wallet = await DirectSecp256k1Wallet.fromKey(sha256(utf8(`ogpu golden key ${name}`)), PREFIX);
  const [account] = await wallet.getAccounts();
  // ogpuRegistry() signs MsgUnjail too (cosmjs' defaults lack it).
  return { name, address: account!.address, wallet, signer: await SigningStargateClient.offline(wallet, { registry: ogpuRegistry() }) };
}

interface Validator {
  operator: Party;
  valoper: string;
  consensusKey: Uint8Array;
  /** CometBFT's validator address: the first 20 bytes of sha256(ed25519 pubkey). */
  consAddress: Uint8Array;
}

function validatorOf(operator: Party): Validator {
  const consensusKey = sha256(utf8(`ogpu golden consensus key ${operator.name}`));
  return { operator, valoper: toBech32(`${PREFIX}valoper`, fromBech32(operator.address).data), consensusKey, consAddress: sha256(consensusKey).slice(0, 20) };
}

const coin = (amount: bigint) => ({ denom: DENOM, amount: amount.toString() });
const pctDec = (n: number) => (BigInt(n) * 10n ** 16n).toString();

/** A gentx as `ogpud genesis gentx` signs it: SIGN_MODE_DIRECT, account number 0, sequence 0, no fee. */
async function gentx(v: Validator, stake: bigint, commissionPct: number): Promise<string> {
  const msg = MsgCreateValidator.fromPartial({
    description: { moniker: `golden-${v.operator.name}` },
    commission: { rate: pctDec(commissionPct), maxRate: pctDec(50), maxChangeRate: pctDec(1) },
    minSelfDelegation: "1",
    delegatorAddress: v.operator.address,
    validatorAddress: v.valoper,
    pubkey: { typeUrl: "/cosmos.crypto.ed25519.PubKey", value: Ed25519PubKey.encode({ key: v.consensusKey }).finish() },
    value: coin(stake),
  });
  const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: [{ typeUrl: "/cosmos.staking.v1beta1.MsgCreateValidator", value: MsgCreateValidator.encode(msg).finish() }] })).finish();
  const [account] = await v.operator.wallet.getAccounts();
  const authInfoBytes = makeAuthInfoBytes([{ pubkey: encodePubkey(encodeSecp256k1Pubkey(account!.pubkey)), sequence: 0 }], [], 200_000, undefined, undefined);
  const { signature, signed } = await v.operator.wallet.signDirect(v.operator.address, makeSignDoc(bodyBytes, authInfoBytes, CHAIN_ID, 0));
  const raw = TxRaw.fromPartial({ bodyBytes: signed.bodyBytes, authInfoBytes: signed.authInfoBytes, signatures: [Buffer.from(signature.signature, "base64")] });
  return Buffer.from(TxRaw.encode(raw).finish()).toString("base64");
}

describe("golden app hashes (in process)", () => {
  let dir: string | undefined;
  let app: OgpuApp | undefined;
  afterAll(async () => {
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("a fixed script over every module gives exactly the recorded app hash at every height", async () => {
    const names = ["val0", "val1", "val2", "alice", "bob", "client", "worker0", "worker1"] as const;
    const p = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await party(n)] as const))) as Record<(typeof names)[number], Party>;
    const validators = [validatorOf(p.val0), validatorOf(p.val1), validatorOf(p.val2)] as const;
    const [v0, v1, v2] = validators;
    const appState = {
      bank: { balances: names.map((n) => ({ address: p[n].address, coins: [coin(10_000n * OGPU)] })) },
      staking: { params: { unbonding_blocks: 5, epoch_blocks: 10 } },
      slashing: { params: { signed_blocks_window: 10, min_signed_per_window_bps: 5_000, downtime_jail_blocks: 3 } },
      workers: { params: { heartbeat_timeout_blocks: 1_000 } },
      gov: { params: { min_deposit: "1000", max_deposit_period_seconds: 10, voting_period_seconds: 3, min_deposit_bps: 0 } },
      genutil: { gen_txs: [await gentx(v0, 300n * OGPU, 10), await gentx(v1, 200n * OGPU, 5), await gentx(v2, 100n * OGPU, 0)] },
    };
    const genesis: RequestInitChain = {
      time: { seconds: GENESIS_SECONDS, nanos: 0 },
      chainId: CHAIN_ID,
      consensusParams: undefined,
      validators: [],
      appStateBytes: utf8(JSON.stringify(appState)),
      initialHeight: 1n,
    };

    dir = await mkdtemp(join(tmpdir(), "ogpu-golden-"));
    app = await OgpuApp.open(join(dir, "db"), createAppWiring(), { minGasPrices: [], checkInvariants: true });
    const chain = app;
    // CometBFT's view of the set: consensus key hex → power, from InitChain and each block's updates.
    const powers = new Map<string, bigint>();
    const applyUpdates = (updates: readonly ValidatorUpdate[]) => {
      for (const u of updates) {
        const key = toHex(u.pubKey.ed25519 ?? new Uint8Array());
        if (u.power === 0n) powers.delete(key);
        else powers.set(key, u.power);
      }
    };
    applyUpdates(chain.initChain(genesis).validators);
    expect(powers.size).toBe(3);

    const query = <T>(path: string, data: Uint8Array, decode: (b: Uint8Array) => T): T => {
      const res = chain.query({ path, data, height: 0n, prove: false });
      if (res.code !== 0) throw new Error(`${path}: ${res.log}`);
      return decode(res.value);
    };
    const balance = (address: string) =>
      BigInt(query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: DENOM }).finish(), QueryBalanceResponse.decode).balance!.amount);
    const task = (taskId: bigint) => query("/ogpu.market.v1.Query/Task", QueryTaskRequest.encode({ taskId }).finish(), QueryTaskResponse.decode).task!;
    const record = (taskId: bigint) => query("/ogpu.attest.v1.Query/Record", QueryRecordRequest.encode({ taskId }).finish(), QueryRecordResponse.decode).record;
    const validator = (v: Validator) => query("/cosmos.staking.v1beta1.Query/Validator", QueryValidatorRequest.encode({ validatorAddr: v.valoper }).finish(), QueryValidatorResponse.decode).validator!;
    const delegation = (from: Party, v: Validator) =>
      BigInt(query("/cosmos.staking.v1beta1.Query/Delegation", QueryDelegationRequest.encode({ delegatorAddr: from.address, validatorAddr: v.valoper }).finish(), QueryDelegationResponse.decode).delegationResponse!.balance!.amount);
    const accountOf = (address: string) =>
      BaseAccount.decode(query("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address }).finish(), QueryAccountResponse.decode).account!.value);

    const sign = async (from: Party, msgs: EncodeObject[]): Promise<Uint8Array> => {
      const account = accountOf(from.address);
      from.sequence ??= Number(account.sequence);
      const signerData = { accountNumber: BigInt(account.accountNumber), sequence: from.sequence, chainId: CHAIN_ID };
      from.sequence += 1;
      return TxRaw.encode(await from.signer.sign(from.address, msgs, FEE, `golden ${from.name}`, signerData)).finish();
    };

    const hashes: Record<string, string> = {};
    let height = 0n;
    /** Runs one block: the previous block's votes (minus `absent`), optional evidence; every tx must succeed. */
    const block = async (txs: Uint8Array[] = [], opts: { absent?: Validator[]; misbehavior?: RequestFinalizeBlock["misbehavior"] } = {}): Promise<ResponseFinalizeBlock> => {
      height += 1n;
      const absent = new Set((opts.absent ?? []).map((v) => toHex(v.consensusKey)));
      const votes =
        height === 1n
          ? []
          : [...powers.entries()]
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([key, power]) => ({
                validator: { address: sha256(Buffer.from(key, "hex")).slice(0, 20), power },
                blockIdFlag: absent.has(key) ? BlockIDFlag.BLOCK_ID_FLAG_ABSENT : BlockIDFlag.BLOCK_ID_FLAG_COMMIT,
              }));
      const res = chain.finalizeBlock({
        txs,
        decidedLastCommit: { round: 0, votes },
        misbehavior: opts.misbehavior ?? [],
        hash: sha256(utf8(`golden block ${height}`)),
        height,
        time: { seconds: GENESIS_SECONDS + height, nanos: 0 },
        nextValidatorsHash: new Uint8Array(),
        proposerAddress: v0.consAddress,
      });
      await chain.commit();
      res.txResults.forEach((r, i) => expect(r.code, `height ${height} tx ${i}: ${r.codespace} ${r.log}`).toBe(0));
      applyUpdates(res.validatorUpdates);
      hashes[height.toString()] = toHex(res.appHash);
      return res;
    };

    // --- the script ---------------------------------------------------------------------
    await block(); // 1: genesis commits
    const startBalances = { alice: balance(p.alice.address), bob: balance(p.bob.address) };
    // 2: bank sends
    await block([
      await sign(p.alice, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: p.alice.address, toAddress: p.bob.address, amount: [coin(7n * OGPU)] } }]),
      await sign(p.bob, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: p.bob.address, toAddress: p.client.address, amount: [coin(123_456n)] } }]),
    ]);
    // 3: delegations
    await block([
      await sign(p.alice, [{ typeUrl: "/cosmos.staking.v1beta1.MsgDelegate", value: { delegatorAddress: p.alice.address, validatorAddress: v0.valoper, amount: coin(500n * OGPU) } }]),
      await sign(p.bob, [{ typeUrl: "/cosmos.staking.v1beta1.MsgDelegate", value: { delegatorAddress: p.bob.address, validatorAddress: v1.valoper, amount: coin(400n * OGPU) } }]),
    ]);
    // 4: workers register (fresh workers: CV 0, so their tasks are audited)
    const register = (w: Party, model: string, price: bigint) =>
      sign(w, [
        {
          typeUrl: MSG.RegisterWorker,
          value: {
            operator: w.address,
            gpus: [{ vendor: "nvidia", model, vramMb: 81_920n, pciId: "0000:01:00.0", count: 1 }],
            region: "eu",
            pricePerUnit: price.toString(),
            maxConcurrent: 2,
            encPubkey: new Uint8Array(1216).fill(w.name.length),
            bond: (1000n * OGPU).toString(),
          },
        },
      ]);
    await block([await register(p.worker0, "A100", 100n), await register(p.worker1, "H100", 150n)]);
    // 5: heartbeats; alice redelegates part of her stake v0 → v1
    await block([
      await sign(p.worker0, [{ typeUrl: MSG.Heartbeat, value: { operator: p.worker0.address } }]),
      await sign(p.worker1, [{ typeUrl: MSG.Heartbeat, value: { operator: p.worker1.address } }]),
      await sign(p.alice, [{ typeUrl: "/cosmos.staking.v1beta1.MsgBeginRedelegate", value: { delegatorAddress: p.alice.address, validatorSrcAddress: v0.valoper, validatorDstAddress: v1.valoper, amount: coin(200n * OGPU) } }]),
    ]);
    // 6: bob undelegates part (paid out unbonding_blocks later)
    const bobBeforeUnbond = balance(p.bob.address);
    await block([await sign(p.bob, [{ typeUrl: "/cosmos.staking.v1beta1.MsgUndelegate", value: { delegatorAddress: p.bob.address, validatorAddress: v1.valoper, amount: coin(150n * OGPU) } }])]);
    // 7: the client submits a k=2 task; the scheduler assigns both workers in this block
    const taskId = 1n;
    await block([
      await sign(p.client, [
        {
          typeUrl: MSG.SubmitTask,
          value: {
            client: p.client.address,
            kind: "inference",
            programHash: textCid("inference"),
            inputCid: textCid("golden input"),
            inputBytes: 1024n, // the bytes nodes store for it (a test CID: declared, not uploaded)
            units: 10n,
            requirements: { minVramMb: 0n, gpuModels: [], tier: 0, preferredRegion: "" },
            redundancy: 2,
            maxPricePerUnit: "1000",
            priority: 0,
            deadlineBlocks: 0n,
            verification: VerificationClass.VERIFICATION_CLASS_BITWISE,
          },
        },
      ]),
    ]);
    expect(task(taskId).status).toBe(TaskStatus.TASK_STATUS_ASSIGNED);
    const workers = [p.worker0, p.worker1];
    expect(task(taskId).assignments.map((a) => a.worker).sort()).toEqual(workers.map((w) => w.address).sort());
    const digest = sha256(utf8("the golden output"));
    const salt = (w: Party) => sha256(utf8(`golden salt ${w.name}`));
    // 8: commits (seals)
    await block(
      await Promise.all(
        workers.map((w) => sign(w, [{ typeUrl: MSG.CommitResult, value: { worker: w.address, taskId, seal: computeResultSeal(taskId, fromBech32(w.address).data, digest, textCid("golden output"), salt(w)) } }])),
      ),
    );
    expect(task(taskId).status).toBe(TaskStatus.TASK_STATUS_COMMITTED);
    // 9: the draw, before any reveal: CV-0 workers are audited, a committee of validators is drawn
    await block();
    const drawn = record(taskId);
    expect(drawn?.phase).toBe(Phase.PHASE_AUDIT_SEAL);
    const members = drawn!.audit!.members.map((m) => m.validator);
    expect(members.length).toBeGreaterThan(0);
    // 10: every member seals its own digest; reveals open once all sealed
    const operatorOf = (address: string) => validators.find((v) => v.operator.address === address)!.operator;
    const auditSalt = (m: string) => sha256(utf8(`golden audit salt ${m}`));
    await block(await Promise.all(members.map((m) => sign(operatorOf(m), [{ typeUrl: MSG.CommitAudit, value: { validator: m, taskId, seal: computeSeal(taskId, fromBech32(m).data, digest, auditSalt(m)) } }]))));
    expect(record(taskId)?.phase).toBe(Phase.PHASE_REVEAL);
    // 11: reveals, 12: the sealed members' openings are due
    await block(await Promise.all(workers.map((w) => sign(w, [{ typeUrl: MSG.RevealResult, value: { worker: w.address, taskId, resultDigest: digest, salt: salt(w), outputCid: textCid("golden output") } }]))));
    expect(task(taskId).status).toBe(TaskStatus.TASK_STATUS_REVEALED);
    await block();
    expect(task(taskId).status).toBe(TaskStatus.TASK_STATUS_AUDITING);
    expect(record(taskId)?.phase).toBe(Phase.PHASE_AUDIT);
    // 13: every committee member opens its seal with MATCH → FINALIZED and settled
    const workerBefore = workers.map((w) => balance(w.address));
    await block(await Promise.all(members.map((m) => sign(operatorOf(m), [{ typeUrl: MSG.Attest, value: { validator: m, taskId, resultDigest: digest, verdict: Verdict.VERDICT_MATCH, salt: auditSalt(m) } }]))));
    await block(); // 14
    expect(task(taskId)).toMatchObject({ status: TaskStatus.TASK_STATUS_FINALIZED, escrow: "0" });
    workers.forEach((w, i) => expect(balance(w.address)).toBeGreaterThan(workerBefore[i]!));
    // 15: distribution withdrawals
    await block([
      await sign(p.alice, [{ typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward", value: { delegatorAddress: p.alice.address, validatorAddress: v0.valoper } }]),
      await sign(p.val0, [{ typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission", value: { validatorAddress: v0.valoper } }]),
    ]);
    // 16..: v2 stops signing until downtime jails it (window 10, at most 5 misses)
    while (!validator(v2).jailed && height < 40n) await block([], { absent: [v2] });
    expect(validator(v2).jailed).toBe(true);
    expect(powers.has(toHex(v2.consensusKey))).toBe(false);
    const jailedAt = height;
    // bob's undelegation matured long ago: paid out
    expect(balance(p.bob.address)).toBeGreaterThan(bobBeforeUnbond + 149n * OGPU);
    // after downtime_jail_blocks, v2 unjails and returns to the set
    while (height < jailedAt + 3n) await block();
    await block([await sign(p.val2, [{ typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail", value: { validatorAddr: v2.valoper } }])]);
    await block();
    expect(validator(v2).jailed).toBe(false);
    expect(powers.has(toHex(v2.consensusKey))).toBe(true);
    // double-sign evidence against v1 (alice's redelegation and bob's delegation are slashed with it)
    const aliceOnV1 = delegation(p.alice, v1);
    const evidenceHeight = height - 2n;
    await block([], {
      misbehavior: [{ type: MisbehaviorType.DUPLICATE_VOTE, validator: { address: v1.consAddress, power: powers.get(toHex(v1.consensusKey))! }, height: evidenceHeight, time: { seconds: GENESIS_SECONDS + evidenceHeight, nanos: 0 }, totalVotingPower: 0n }],
    });
    await block();
    expect(validator(v1)).toMatchObject({ jailed: true, status: BondStatus.BOND_STATUS_UNBONDED });
    expect(powers.has(toHex(v1.consensusKey))).toBe(false);
    expect(delegation(p.alice, v1)).toBeLessThan(aliceOnV1);
    expect(delegation(p.alice, v0)).toBe(300n * OGPU);
    expect(balance(p.alice.address)).toBeLessThan(startBalances.alice);
    expect(chain.brokenInvariants()).toEqual([]);

    // gov: val0 proposes x/market's fee 5 % → 4 % (deposit split with alice); val0 and val2 vote
    // yes, alice (val0's delegator) no; 3 s later the proposal passes and its message runs.
    const marketParams = () => JSON.parse(query("/ogpu.market.v1.Query/Params", MarketParamsRequest.encode({}).finish(), MarketParamsResponse.decode).paramsJson) as Record<string, unknown>;
    const feeChange = { typeUrl: OGPU_MSG_TYPES.UpdateMarketParams.typeUrl, value: OGPU_MSG_TYPES.UpdateMarketParams.codec.encode({ authority: govAuthority(), params: JSON.stringify({ ...marketParams(), market_fee_bps: 400 }) }).finish() };
    await block([await sign(p.val0, [{ typeUrl: "/cosmos.gov.v1.MsgSubmitProposal", value: { messages: [feeChange], initialDeposit: [coin(500n)], proposer: p.val0.address, metadata: "", title: "Market fee 4 %", summary: "golden", expedited: false } }])]);
    await block([await sign(p.alice, [{ typeUrl: "/cosmos.gov.v1.MsgDeposit", value: { proposalId: 1n, depositor: p.alice.address, amount: [coin(500n)] } }])]);
    const govVote = (from: Party, option: VoteOption) => sign(from, [{ typeUrl: "/cosmos.gov.v1.MsgVote", value: { proposalId: 1n, voter: from.address, option, metadata: "" } }]);
    await block([await govVote(p.val0, VoteOption.VOTE_OPTION_YES), await govVote(p.alice, VoteOption.VOTE_OPTION_NO), await govVote(p.val2, VoteOption.VOTE_OPTION_YES)]);
    const proposal = () => query("/cosmos.gov.v1.Query/Proposal", QueryProposalRequest.encode({ proposalId: 1n }).finish(), QueryProposalResponse.decode).proposal!;
    while (proposal().status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD && height < 80n) await block();
    expect(proposal().status).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
    expect(marketParams().market_fee_bps).toBe(400);
    await block();
    expect(chain.brokenInvariants()).toEqual([]);

    // --- compare with (or write) the fixture ------------------------------------------------
    if (UPDATE || !existsSync(FIXTURE)) {
      expect(UPDATE, `${FIXTURE} is missing: run with UPDATE_GOLDEN=1 to create it`).toBe(true);
      writeFileSync(FIXTURE, `${JSON.stringify({ chainId: CHAIN_ID, appHashes: hashes }, null, 2)}\n`);
    }
    const golden = JSON.parse(readFileSync(FIXTURE, "utf8")) as { appHashes: Record<string, string> };
    // The first differing height says which step of the script changed behaviour.
    const firstDiff = Object.keys(hashes).find((h) => hashes[h] !== golden.appHashes[h]);
    expect(firstDiff, `app hash differs first at height ${firstDiff}`).toBeUndefined();
    expect(hashes).toEqual(golden.appHashes);
  });
});
