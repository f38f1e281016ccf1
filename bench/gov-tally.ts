import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { accountAddressString } from "../app/address.js";
import { startTestChain, testKey } from "../app/testkit.js";
import { sha256 } from "../crypto/hash.js";
import { govGenesis, submitProposalMsg } from "../x/gov/testing.js";
import { gentx, OGPU, STAKING_CHAIN, testValidator } from "../x/staking/testing.js";
import { printFigures, progress, type Benchmark } from "./report.js";

/**
 * x/gov's worst case per proposal: max_votes_per_proposal (10,000) voters, each a delegator,
 * so the tally reads every vote and every voter's delegation. Measures the live TallyResult
 * computation and the FinalizeBlock whose EndBlock settles the proposal (tally, refund,
 * deleting the votes).
 */
const VOTERS = 10_000;

export const govTallyBenchmark: Benchmark = {
  name: "gov-tally",
  description: "x/gov tally and settlement of one proposal with max_votes_per_proposal (10,000) delegator votes",
  async run() {
    const [v1, v2] = [testValidator(61), testValidator(62)];
    const proposer = testKey(63);
    const voters = Array.from({ length: VOTERS }, (_, i) => sha256(new TextEncoder().encode(`gov bench voter ${i}`)).subarray(0, 20));
    const balances = Object.fromEntries([...voters.map((a) => [accountAddressString(a), 10n * OGPU] as const), [v1.key.address, 1_000n * OGPU], [v2.key.address, 1_000n * OGPU], [proposer.address, 1_000n * OGPU]]);
    const chain = await startTestChain(govGenesis(balances, [gentx(v1, 500n * OGPU), gentx(v2, 500n * OGPU)], { voting_period_seconds: 3 }), { ...STAKING_CHAIN, checkInvariants: false });
    try {
      await chain.run();
      await chain.run([chain.tx(proposer, [submitProposalMsg(proposer, 1000n)])]);
      progress("gov-tally", `${VOTERS} delegators delegate and vote`);
      await chain.run([], {
        during: (ctx) => {
          voters.forEach((a, i) => {
            chain.keepers.staking.delegate(ctx, a, (i % 2 === 0 ? v1 : v2).key.addressBytes, 1n * OGPU);
            chain.keepers.gov.vote(ctx, 1n, accountAddressString(a), [{ option: i % 3 === 0 ? VoteOption.VOTE_OPTION_NO : VoteOption.VOTE_OPTION_YES, weight: "1.000000000000000000" }]);
          });
        },
      });
      let start = process.hrtime.bigint();
      const tally = chain.keepers.gov.liveTally(chain.app.store, 1n);
      const liveMs = Number(process.hrtime.bigint() - start) / 1e6;
      if (tally.counts.yes === 0n) throw new Error("bench votes did not count");
      let settleMs = 0;
      for (let i = 0; i < 6 && settleMs === 0; i++) {
        start = process.hrtime.bigint();
        const res = await chain.run();
        if (res.events.some((e) => e.type === "active_proposal")) settleMs = chain.lastFinalizeMs;
      }
      if (settleMs === 0) throw new Error("the proposal did not settle");
      printFigures("gov-tally", [
        { figure: "live_tally_ms", value: Math.round(liveMs), unit: "ms", note: `${VOTERS} votes` },
        { figure: "settle_finalize_ms", value: Math.round(settleMs), unit: "ms", note: "FinalizeBlock of the block whose EndBlock tallies, refunds and deletes the votes" },
      ]);
    } finally {
      await chain.close();
    }
  },
};
