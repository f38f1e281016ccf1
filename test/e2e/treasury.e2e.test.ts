import { TEST_PORTS } from "../../testnet/ports.js";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { calculateFee, QueryClient, setupGovExtension, SigningStargateClient, type GovExtension } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { MsgSubmitProposal, MsgVote } from "cosmjs-types/cosmos/gov/v1/tx";
import { govAuthority } from "../../app/authority.js";
import { OGPU_MSG_TYPES } from "../../proto/msg-types.js";
import { DENOM, GAS_PRICE, moduleAccountAddress, OGPU, restBalance, restGet, startTestNode, until, waitForMoreBlocks, type TestNode } from "./helpers.js";

/**
 * Issue 11 must-show: a treasury spend proposal (cosmos.gov.v1.MsgSubmitProposal carrying
 * /ogpu.treasury.v1.MsgSpend, built and signed by stock cosmjs) is deposited, voted, passes on a
 * real node and pays the recipient exactly; the treasury's balance, totals and spend list (LCD)
 * move by exactly that amount, and the node keeps producing blocks with invariants on.
 */
const PORT_BASE = TEST_PORTS.treasury.base;
const FUNDED = 5_000n * OGPU;
const SPEND = 1_234_567n;
const MIN_DEPOSIT = 1n * OGPU;
const FEE = calculateFee(400_000, GAS_PRICE);
const TREASURY = moduleAccountAddress("treasury");
/** An address nobody holds coins at yet: the spend's recipient. */
const RECIPIENT = toBech32("ogpu", new Uint8Array(20).fill(0x42));

let t: TestNode;

/** Funds the treasury at genesis, booked under reason "genesis" (x/treasury refuses unbooked coins). */
async function fundTreasury(home: string): Promise<void> {
  const path = join(home, "config", "genesis.json");
  const genesis = JSON.parse(await readFile(path, "utf8")) as { app_state: Record<string, Record<string, unknown>> };
  const bank = genesis.app_state.bank!;
  bank.balances = [...((bank.balances as unknown[]) ?? []), { address: TREASURY, coins: [{ denom: DENOM, amount: FUNDED.toString() }] }];
  bank.supply = []; // derived from the balances
  genesis.app_state.treasury = { ...genesis.app_state.treasury, total_in: [{ reason: "genesis", amount: FUNDED.toString() }] };
  await writeFile(path, JSON.stringify(genesis, null, 2) + "\n");
}

beforeAll(async () => {
  t = await startTestNode({
    portBase: PORT_BASE,
    homePrefix: "ogpu-treasury-e2e-",
    accounts: [{ name: "validator", coins: `${100_000n * OGPU}${DENOM}` }],
    validator: { stake: `${10_000n * OGPU}${DENOM}` },
    params: { gov: { min_deposit: MIN_DEPOSIT.toString(), voting_period_seconds: 3, max_deposit_period_seconds: 60 } },
    beforeStart: (devnet) => fundTreasury(devnet.home),
  });
}, 120_000);

afterAll(async () => {
  await t?.cleanup();
});

describe("treasury spend through governance (real node, stock cosmjs)", () => {
  it("a passed MsgSpend proposal pays the recipient exactly and the books follow", async () => {
    const { devnet } = t;
    const validator = devnet.accounts[0]!;
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(validator.mnemonic, { prefix: "ogpu" });
    const client = await SigningStargateClient.connectWithSigner(devnet.rpcUrl, wallet, { gasPrice: GAS_PRICE, broadcastPollIntervalMs: 200 });
    const query = QueryClient.withExtensions(await Comet38Client.connect(devnet.rpcUrl), setupGovExtension) as QueryClient & GovExtension;
    try {
      expect(await restBalance(devnet, TREASURY)).toBe(FUNDED);
      expect(await restBalance(devnet, RECIPIENT)).toBe(0n);

      const spend = OGPU_MSG_TYPES.TreasurySpend;
      const message = { typeUrl: spend.typeUrl, value: spend.codec.encode({ authority: govAuthority(), recipient: RECIPIENT, amount: [{ denom: DENOM, amount: SPEND.toString() }] }).finish() };
      const submit = MsgSubmitProposal.fromPartial({
        messages: [message],
        initialDeposit: [{ denom: DENOM, amount: MIN_DEPOSIT.toString() }],
        proposer: validator.address,
        title: "Fund the GPU onboarding grant",
        summary: "Pays 1.234567 OGPU from the treasury.",
      });
      const submitted = await client.signAndBroadcast(validator.address, [{ typeUrl: "/cosmos.gov.v1.MsgSubmitProposal", value: submit }], FEE);
      expect(submitted.code, submitted.rawLog).toBe(0);
      const id = BigInt(submitted.events.find((e) => e.type === "submit_proposal")!.attributes.find((a) => a.key === "proposal_id")!.value);
      expect((await query.gov.proposal(Number(id))).proposal.status).toBe(ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);

      const voted = await client.signAndBroadcast(validator.address, [{ typeUrl: "/cosmos.gov.v1.MsgVote", value: MsgVote.fromPartial({ proposalId: id, voter: validator.address, option: VoteOption.VOTE_OPTION_YES }) }], FEE);
      expect(voted.code, voted.rawLog).toBe(0);

      const final = await until(`proposal ${id} to end its voting period`, async () => (await query.gov.proposal(Number(id))).proposal, (p) => p.status > ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, 60_000);
      expect(final.status, `proposal ${id} ended ${ProposalStatus[final.status]}`).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);

      // Exactly the amount, to the recipient, out of the treasury.
      expect(await restBalance(devnet, RECIPIENT)).toBe(SPEND);
      expect(await restBalance(devnet, TREASURY)).toBe(FUNDED - SPEND);
      const balance = await restGet<{ balance: { denom: string; amount: string }[] }>(devnet, "/ogpu/treasury/v1/balance");
      expect(balance.body.balance).toEqual([{ denom: DENOM, amount: (FUNDED - SPEND).toString() }]);
      const totals = await restGet<Record<string, unknown>>(devnet, "/ogpu/treasury/v1/totals");
      expect(totals.body).toEqual({ total_in: [{ reason: "genesis", amount: FUNDED.toString() }], total_in_sum: FUNDED.toString(), total_spent: SPEND.toString() });
      const spends = await restGet<{ spends: { id: string; recipient: string; amount: { denom: string; amount: string }[] }[] }>(devnet, "/ogpu/treasury/v1/spends");
      expect(spends.body.spends.map(({ id: spendId, recipient, amount }) => ({ spendId, recipient, amount }))).toEqual([{ spendId: "1", recipient: RECIPIENT, amount: [{ denom: DENOM, amount: SPEND.toString() }] }]);

      // Invariants run every block (treasury/books among them): the chain goes on.
      await waitForMoreBlocks(devnet.rpcUrl, 3n);
    } finally {
      client.disconnect();
    }
  }, 120_000);
});
