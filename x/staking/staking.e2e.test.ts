import { TEST_PORTS } from "../../testnet/ports.js";
import { MICRO_PER_OGPU as OGPU } from "../../app/coins.js";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, QueryClient, setupStakingExtension, SigningStargateClient, type StdFee } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { rpcStatus, startTestNode, waitForHeight, type Devnet, type TestNode } from "../../testnet/devnet.js";
import { consensusPower, NO_COMPUTE } from "./power.js";
import { fromBech32, ACCOUNT_PREFIX } from "../../crypto/bech32.js";
import { valoperString } from "../../app/validator-address.js";
import { until } from "../../test/e2e/helpers.js";

/**
 * Staking on a real single-node devnet whose only validator comes from a gentx: stock cosmjs
 * delegate / undelegate / withdrawRewards, with CometBFT's own /validators as the witness.
 */
const PORT_BASE = TEST_PORTS.staking.base;
const STAKE = 50_000n * OGPU;
const UNBONDING_BLOCKS = 20;
const fee = (amount: number): StdFee => ({ amount: [{ denom: "uogpu", amount: String(amount) }], gas: "300000" });

let testNode: TestNode | undefined;
let devnet: Devnet;
let client: SigningStargateClient;
let alice: string;
let valoper: string;

/** CometBFT's view: voting power of the (only) validator. */
async function cometPower(): Promise<bigint> {
  const res = await fetch(`${devnet.rpcUrl}/validators`);
  const body = (await res.json()) as { result: { validators: { voting_power: string }[] } };
  expect(body.result.validators).toHaveLength(1);
  return BigInt(body.result.validators[0]!.voting_power);
}

async function validatorTokens(): Promise<bigint> {
  const q = QueryClient.withExtensions(await Comet38Client.connect(devnet.rpcUrl), setupStakingExtension);
  return BigInt((await q.staking.validator(valoper)).validator.tokens);
}

/** Waits until CometBFT reports `want` (updates take effect two heights after the block). */
async function waitForPower(want: bigint): Promise<bigint> {
  const deadline = Date.now() + 30_000;
  let last = -1n;
  while (Date.now() < deadline) {
    last = await cometPower();
    if (last === want) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  return last;
}

const balance = async (address: string) => BigInt((await client.getBalance(address, "uogpu")).amount);

beforeAll(async () => {
  testNode = await startTestNode({
    portBase: PORT_BASE,
    homePrefix: "ogpu-staking-e2e-",
    accounts: [
      { name: "val", coins: `${100_000n * OGPU}uogpu` },
      { name: "alice", coins: `${200_000n * OGPU}uogpu` },
    ],
    validator: { stake: `${STAKE}uogpu` },
    beforeStart: async ({ home }) => {
      // A short unbonding period so the test sees the payout.
      const genesisPath = join(home, "config", "genesis.json");
      const genesis = JSON.parse(await readFile(genesisPath, "utf8")) as { validators: unknown[]; app_state: { staking: { params: Record<string, unknown> } } };
      expect(genesis.validators).toEqual([]);
      genesis.app_state.staking.params.unbonding_blocks = UNBONDING_BLOCKS;
      await writeFile(genesisPath, JSON.stringify(genesis, null, 2));
    },
  });
  devnet = testNode.devnet;
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(devnet.accounts[1]!.mnemonic, { prefix: "ogpu" });
  alice = devnet.accounts[1]!.address;
  valoper = valoperString(fromBech32(devnet.accounts[0]!.address, ACCOUNT_PREFIX));
  client = await SigningStargateClient.connectWithSigner(devnet.rpcUrl, wallet, { gasPrice: GasPrice.fromString("0.001uogpu"), broadcastPollIntervalMs: 100 });
});

afterAll(async () => {
  client?.disconnect();
  await testNode?.cleanup();
});

describe("staking on a real devnet (genesis validator from a gentx)", () => {
  it("the gentx validator is CometBFT's validator with power = self-delegation in OGPU", async () => {
    expect(await cometPower()).toBe(consensusPower(STAKE, 0n, 10_000n, NO_COMPUTE));
  });

  it("delegateTokens raises and undelegateTokens lowers the voting power by the formula; unbonded tokens return after the period", async () => {
    const d = await client.delegateTokens(alice, valoper, { denom: "uogpu", amount: String(10_000n * OGPU) }, fee(2_000));
    expect(d.code).toBe(0);
    const afterDelegate = consensusPower(await validatorTokens(), 0n, 10_000n, NO_COMPUTE);
    expect(afterDelegate).toBe(60_000n);
    expect(await waitForPower(afterDelegate)).toBe(afterDelegate);

    const u = await client.undelegateTokens(alice, valoper, { denom: "uogpu", amount: String(4_000n * OGPU) }, fee(2_000));
    expect(u.code).toBe(0);
    const held = await balance(alice);
    const maturity = BigInt(u.height) + BigInt(UNBONDING_BLOCKS);
    expect((await rpcStatus(devnet.rpcUrl)).height).toBeLessThan(maturity); // `held` is a pre-payout balance
    const afterUndelegate = consensusPower(await validatorTokens(), 0n, 10_000n, NO_COMPUTE);
    expect(afterUndelegate).toBe(56_000n);
    expect(await waitForPower(afterUndelegate)).toBe(afterUndelegate);

    // Paid in the endBlock of height tx + unbonding_blocks, not before.
    await waitForHeight(devnet.rpcUrl, maturity);
    // CometBFT reports a height once its block is stored, a moment before the app has
    // committed it, so the payout is polled for (it must be exactly the undelegated amount).
    expect(await until("unbonding payout", () => balance(alice), (b) => b !== held, 10_000)).toBe(held + 4_000n * OGPU);
  });

  it("withdrawRewards pays the delegator something > 0 and ≤ the fees collected", async () => {
    const before = await balance(alice);
    const w = await client.withdrawRewards(alice, valoper, fee(1_000));
    expect(w.code).toBe(0);
    const reward = (await balance(alice)) - before + 1_000n;
    const feesPaidBefore = 2_000n + 2_000n; // the only fee-paying txs before this one (gentxs pay none)
    expect(reward).toBeGreaterThan(0n);
    expect(reward).toBeLessThanOrEqual(feesPaidBefore);
  });
});
