import { TEST_PORTS } from "../../testnet/ports.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode } from "../../testnet/devnet.js";
import { consAddressOf, valconsString } from "../../app/validator-address.js";
import { runOgpud } from "./run.js";

/**
 * The gaiad-shaped staking, distribution and slashing commands against a real node: a
 * delegator delegates, earns rewards from fees, withdraws them, and unbonds; the validator
 * withdraws its commission and edits its description; every `q` answers like its LCD path.
 */
const PORT_BASE = TEST_PORTS.stakingCli.base;
const ACCOUNTS = [
  { name: "val", coins: "400000000000uogpu" },
  { name: "del", coins: "300000000000uogpu" },
];

let testNode: TestNode;
let node_: string[];
let keys: string[];
let valoper: string;
let del: string;

const ogpud = (...argv: string[]) => runOgpud(argv);

async function json<T>(...argv: string[]): Promise<T> {
  const run = await ogpud(...argv, "--output", "json");
  expect(run.stderr, argv.join(" ")).toBe("");
  expect(run.code, argv.join(" ")).toBe(0);
  return JSON.parse(run.stdout) as T;
}

interface TxOut {
  code: number;
  txhash: string;
}
const tx = (...argv: string[]) => json<TxOut>("tx", ...argv, ...keys, ...node_, "--yes");

async function balance(address: string): Promise<bigint> {
  return BigInt((await json<{ amount: string }>("q", "bank", "balances", address, "--denom", "uogpu", ...node_)).amount);
}

/** Whole uogpu of a DecCoin list (Dec strings such as "12.5"). */
const uogpuOf = (coins: { denom: string; amount: string }[]) => BigInt((coins.find((c) => c.denom === "uogpu")?.amount ?? "0").split(".")[0]!);

beforeAll(async () => {
  testNode = await startTestNode({ portBase: PORT_BASE, homePrefix: "ogpud-staking-cli-", blockTime: "200ms", accounts: ACCOUNTS, validator: { stake: "200000000000uogpu", commissionRate: "0.10" } });
  node_ = ["--node", testNode.devnet.rpcUrl];
  keys = ["--home", testNode.devnet.home, "--keyring-backend", "test"];
  del = testNode.devnet.accounts[1]!.address;
  valoper = (await json<{ validators: { operator_address: string }[] }>("q", "staking", "validators", ...node_)).validators[0]!.operator_address;
}, 120_000);

afterAll(async () => {
  await testNode?.cleanup();
});

describe("ogpud tx/q staking, distribution, slashing", () => {
  it("q staking validators|validator|pool|params, q distribution params, q slashing params|signing-info", async () => {
    const v = await json<{ validator: { operator_address: string; description: { moniker: string }; consensus_pubkey: { key: string }; tokens: string } }>("q", "staking", "validator", valoper, ...node_);
    expect(v.validator.tokens).toBe("200000000000");
    const pool = await json<{ pool: { bonded_tokens: string } }>("q", "staking", "pool", ...node_);
    expect(pool.pool.bonded_tokens).toBe("200000000000");
    expect((await json<{ params: { bond_denom: string } }>("q", "staking", "params", ...node_)).params.bond_denom).toBe("uogpu");
    expect((await json<{ params: { community_tax: string } }>("q", "distribution", "params", ...node_)).params.community_tax).toBe("0.000000000000000000");
    expect((await json<{ params: { signed_blocks_window: string } }>("q", "slashing", "params", ...node_)).params.signed_blocks_window).toMatch(/^[1-9]\d*$/);
    const cons = valconsString(consAddressOf(new Uint8Array(Buffer.from(v.validator.consensus_pubkey.key, "base64"))));
    expect((await json<{ val_signing_info: { address: string } }>("q", "slashing", "signing-info", cons, ...node_)).val_signing_info.address).toBe(cons);
  });

  it("delegate → rewards → withdraw-rewards → unbond", async () => {
    expect((await tx("staking", "delegate", valoper, "100000000000uogpu", "--from", "del")).code).toBe(0);
    const delegation = await json<{ delegation_response: { balance: { amount: string } } }>("q", "staking", "delegation", del, valoper, ...node_);
    expect(delegation.delegation_response.balance.amount).toBe("100000000000");
    // Fees (and block emission) are paid out to the bonded stake, a third of it the delegator's (less commission).
    for (let i = 0; i < 3; i++) expect((await tx("bank", "send", "val", del, "1uogpu", "--fees", "300000uogpu")).code).toBe(0);
    const rewards = await json<{ rewards: { validator_address: string; reward: { denom: string; amount: string }[] }[]; total: { denom: string; amount: string }[] }>("q", "distribution", "rewards", del, ...node_);
    expect(rewards.rewards.map((r) => r.validator_address)).toEqual([valoper]);
    const pending = uogpuOf(rewards.total);
    expect(pending).toBeGreaterThan(0n);
    const one = await json<{ rewards: { denom: string; amount: string }[] }>("q", "distribution", "rewards", del, valoper, ...node_);
    // Block emission keeps adding rewards between the two queries.
    expect(uogpuOf(one.rewards)).toBeGreaterThanOrEqual(pending);

    const before = await balance(del);
    const fee = 1000n;
    expect((await tx("distribution", "withdraw-rewards", valoper, "--from", "del", "--fees", `${fee}uogpu`)).code).toBe(0);
    // At least what was pending (more may have accrued in the withdrawing block), less the fee.
    expect((await balance(del)) - before + fee).toBeGreaterThanOrEqual(pending);

    expect((await tx("staking", "unbond", valoper, "40000000000uogpu", "--from", "del")).code).toBe(0);
    const unbonding = await json<{ unbonding_responses: { validator_address: string; entries: { balance: string }[] }[] }>("q", "staking", "unbonding-delegations", del, ...node_);
    expect(unbonding.unbonding_responses[0]!.entries.map((e) => e.balance)).toEqual(["40000000000"]);
    expect((await json<{ redelegation_responses: unknown[] }>("q", "staking", "redelegations", del, ...node_)).redelegation_responses).toEqual([]);
    expect((await json<{ delegation_responses: { balance: { amount: string } }[] }>("q", "staking", "delegations", del, ...node_)).delegation_responses[0]!.balance.amount).toBe("60000000000");
  }, 120_000);

  it("the validator withdraws its commission and edits its description", async () => {
    const commission = await json<{ commission: { commission: { denom: string; amount: string }[] } }>("q", "distribution", "commission", valoper, ...node_);
    expect(uogpuOf(commission.commission.commission)).toBeGreaterThan(0n);
    expect((await tx("distribution", "withdraw-rewards", valoper, "--commission", "--from", "val")).code).toBe(0);
    expect((await tx("staking", "edit-validator", "--moniker", "renamed", "--from", "val")).code).toBe(0);
    expect((await json<{ validator: { description: { moniker: string } } }>("q", "staking", "validator", valoper, ...node_)).validator.description.moniker).toBe("renamed");
  }, 60_000);

  it("refusals are one-line errors: unjail of a validator that is not jailed, redelegate to itself, --commission from a delegator", async () => {
    const signed = (...argv: string[]) => [...argv, ...keys, ...node_, "--yes"];
    const cases: [string[], RegExp][] = [
      [signed("tx", "slashing", "unjail", "--from", "val"), /not jailed/],
      [signed("tx", "staking", "redelegate", valoper, valoper, "1uogpu", "--from", "del"), /^error: /],
      [signed("tx", "distribution", "withdraw-rewards", valoper, "--commission", "--from", "del"), /is not the operator/],
      [["q", "staking", "validator", "ogpuvaloper1notanaddress", ...node_], /^error: /],
    ];
    for (const [argv, expected] of cases) {
      const run = await ogpud(...argv);
      expect(run.code, argv.join(" ")).toBe(1);
      expect(run.stderr.trim().split("\n"), argv.join(" ")).toHaveLength(1);
      expect(run.stderr, argv.join(" ")).toMatch(expected);
    }
  }, 60_000);

  it("--help describes the commands", async () => {
    const run = await ogpud("tx", "staking", "redelegate", "--help");
    expect(run.stdout).toContain("Usage: ogpud tx staking redelegate <src-validator-address> <dst-validator-address> <amount> --from <key>");
    const q = await ogpud("q", "distribution", "rewards", "--help");
    expect(q.stdout).toContain("Usage: ogpud q distribution rewards <delegator-address> [validator-address]");
  });
});
