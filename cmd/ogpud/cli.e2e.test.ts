import { TEST_PORTS, portAt, offsetPort } from "../../testnet/ports.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Keyring } from "../../crypto/keyring.js";
import { rpcStatus, startTestNode, type Devnet, type TestNode } from "../../testnet/devnet.js";
import { runOgpud, type OgpudRun } from "./run.js";

/**
 * The client half of the CLI (`tx`, `q`, `status`, `export`) against a real node: `ogpud
 * start` as a child process running a real cometbft, driven by the commands in-process.
 */
const PORT_BASE = TEST_PORTS.cli.base;
/** A port of this suite's range that nothing listens on. */
const UNUSED_PORT = offsetPort(portAt(TEST_PORTS.cli, 10));
const GENESIS_ACCOUNTS = [
  { name: "alice", coins: "1000000000uogpu" },
  { name: "bob", coins: "5000000uogpu" },
];
const GENESIS_SUPPLY = GENESIS_ACCOUNTS.reduce((sum, a) => sum + BigInt(a.coins.replace("uogpu", "")), 0n);

/** Runs `ogpud <argv>` in this process with console output captured. */
const ogpud = (...argv: string[]) => runOgpud(argv);

/** Like `ogpud`, but with --output json and the parsed stdout; fails the test on a non-zero exit. */
async function ogpudJson<T>(...argv: string[]): Promise<T> {
  const run = await ogpud(...argv, "--output", "json");
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

interface TxResult {
  txhash: string;
  height: number;
  code: number;
  codespace: string;
  raw_log: string;
  gas_wanted: string;
  gas_used: string;
}

let devnet: Devnet;
let testNode: TestNode | undefined;
let keyring: Keyring;
let node_: string[];
let keyringFlags: string[];

async function balance(address: string): Promise<bigint> {
  const coin = await ogpudJson<{ amount: string }>("q", "bank", "balances", address, "--denom", "uogpu", ...node_);
  return BigInt(coin.amount);
}

async function send(from: string, to: string, coins: string, ...extra: string[]): Promise<OgpudRun> {
  return ogpud("tx", "bank", "send", from, to, coins, ...keyringFlags, ...node_, "--yes", "--output", "json", ...extra);
}

describe("ogpud tx / q / status / export against a real node", () => {
  let alice: string;
  let bob: string;
  let carol: string;
  const queried = new Map<string, bigint>();

  beforeAll(async () => {
    testNode = await startTestNode({ portBase: PORT_BASE, homePrefix: "ogpud-cli-", blockTime: "200ms", accounts: GENESIS_ACCOUNTS });
    devnet = testNode.devnet;
    const home = devnet.home;
    [alice, bob] = devnet.accounts.map((a) => a.address) as [string, string];
    keyring = Keyring.open(home, "test");
    carol = (await keyring.add("carol")).info.address;
    node_ = ["--node", devnet.rpcUrl];
    keyringFlags = ["--home", home, "--keyring-backend", "test"];
  });

  afterAll(async () => {
    await testNode?.cleanup();
  });

  it("status reports the chain, a height above 0 and the validator", async () => {
    const s = await ogpudJson<{
      node_info: { network: string; moniker: string };
      sync_info: { latest_block_height: number; latest_app_hash: string; catching_up: boolean };
      validator_info: { address: string; voting_power: string };
    }>("status", ...node_);
    expect(s.node_info.network).toBe(devnet.chainId);
    expect(s.node_info.moniker).toBe("devnet");
    expect(s.sync_info.latest_block_height).toBeGreaterThan(0);
    expect(s.sync_info.latest_app_hash).toMatch(/^[0-9A-F]{64}$/);
    expect(s.sync_info.catching_up).toBe(false);
    expect(s.validator_info.address).toMatch(/^[0-9A-F]{40}$/);
    expect(BigInt(s.validator_info.voting_power)).toBeGreaterThan(0n);

    const text = await ogpud("status", ...node_);
    expect(text.code).toBe(0);
    expect(text.stdout.split("\n")).toContain(`  network: ${devnet.chainId}`);
  });

  it("tx bank send moves exactly amount + fee, and q tx / q auth account show it", async () => {
    const [aliceBefore, carolBefore] = [await balance(alice), await balance(carol)];
    const run = await send("alice", carol, "1234567uogpu", "--fees", "500uogpu", "--memo", "first");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const tx = JSON.parse(run.stdout) as TxResult;
    expect(tx.code).toBe(0);
    expect(tx.txhash).toMatch(/^[0-9A-F]{64}$/);
    expect(tx.height).toBeGreaterThan(0);
    expect(BigInt(tx.gas_used)).toBeGreaterThan(0n);
    expect(BigInt(tx.gas_used)).toBeLessThanOrEqual(BigInt(tx.gas_wanted));
    expect(await balance(alice)).toBe(aliceBefore - 1_234_567n - 500n);
    expect(await balance(carol)).toBe(carolBefore + 1_234_567n);

    const all = await ogpudJson<{ balances: { denom: string; amount: string }[] }>("q", "bank", "balances", carol, ...node_);
    expect(all.balances).toEqual([{ denom: "uogpu", amount: String(carolBefore + 1_234_567n) }]);

    const acc = await ogpudJson<{ address: string; sequence: string; pub_key: { "@type": string } }>("q", "auth", "account", alice, ...node_);
    expect(acc.address).toBe(alice);
    expect(acc.sequence).toBe("1");
    expect(acc.pub_key["@type"]).toBe("/cosmos.crypto.secp256k1.PubKey");
    const accText = (await ogpud("q", "auth", "account", alice, ...node_)).stdout.split("\n");
    expect(accText).toContain('"@type": /cosmos.auth.v1beta1.BaseAccount');
    expect(accText).toContain("sequence: 1");

    const found = await ogpudJson<Omit<TxResult, "height"> & { height: string; tx: { body: { memo: string; messages: { "@type": string; to_address: string; amount: { amount: string }[] }[] } } }>(
      "q", "tx", tx.txhash.toLowerCase(), ...node_,
    );
    expect(found.height).toBe(String(tx.height));
    expect(found.gas_used).toBe(tx.gas_used);
    expect(found.tx.body.memo).toBe("first");
    expect(found.tx.body.messages[0]).toMatchObject({ "@type": "/cosmos.bank.v1beta1.MsgSend", to_address: carol, amount: [{ amount: "1234567" }] });
  });

  it("--gas auto simulates; the fee is ceil(gas limit x gas price)", async () => {
    const before = await balance(alice);
    const run = await send(alice, carol, "1000uogpu", "--gas", "auto", "--gas-prices", "0.0025uogpu");
    expect(run.code).toBe(0);
    const tx = JSON.parse(run.stdout) as TxResult;
    const gasWanted = BigInt(tx.gas_wanted);
    expect(BigInt(tx.gas_used)).toBeLessThanOrEqual(gasWanted);
    // simulated gas x 1.4 comes out well above what the tx then used
    expect(gasWanted).toBeGreaterThan(BigInt(tx.gas_used));
    const fee = (gasWanted * 25n + 9_999n) / 10_000n;
    expect(await balance(alice)).toBe(before - 1000n - fee);
  });

  it("signs with an ML-DSA-65 key through the keyring", async () => {
    const pq = (await keyring.add("pq", { type: "mldsa65" })).info.address;
    expect((await send("alice", pq, "3000000uogpu", "--fees", "500uogpu")).code).toBe(0);
    const carolBefore = await balance(carol);
    const run = await send("pq", carol, "1000000uogpu", "--gas", "auto");
    expect(run.stderr).toBe("");
    expect((JSON.parse(run.stdout) as TxResult).code).toBe(0);
    expect(await balance(carol)).toBe(carolBefore + 1_000_000n);
    const acc = await ogpudJson<{ sequence: string; pub_key: { "@type": string } }>("q", "auth", "account", pq, ...node_);
    expect(acc.pub_key["@type"]).toBe("/ogpu.crypto.v1.MLDSA65PubKey");
    expect(acc.sequence).toBe("1");
  });

  it("a send above the balance exits 1 with code 5 on one line", async () => {
    const run = await send("bob", carol, "10000000uogpu", "--fees", "500uogpu");
    expect(run.code).toBe(1);
    const lines = run.stderr.split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: tx [0-9A-F]{64} failed at height \d+: code 5 \(codespace sdk\): .*insufficient funds/);
  });

  it("unknown accounts, bad input and an unreachable node are one-line errors with exit 1", async () => {
    const stranger = (await keyring.add("stranger")).info.address;
    const cases: [string[], RegExp][] = [
      [["q", "auth", "account", stranger, ...node_], /^error: account ogpu1\w+ not found/],
      [["q", "auth", "account", "ogpu1notanaddress", ...node_], /^error: invalid address/],
      [["q", "tx", "AB".repeat(32), ...node_], /^error: tx (AB)+ not found$/],
      [["tx", "bank", "send", "nobody", carol, "1uogpu", ...keyringFlags, ...node_, "--yes"], /^error: .*nobody/],
      [["tx", "bank", "send", "alice", carol, "1uogpu", ...keyringFlags, ...node_, "--yes", "--fees", "1uogpu", "--gas-prices", "1uogpu"], /^error: give either --fees or --gas-prices/],
      [["status", "--node", `http://127.0.0.1:${UNUSED_PORT}`], new RegExp(`^error: cannot reach the node at http://127\\.0\\.0\\.1:${UNUSED_PORT}\\b`)],
      [["export", "--home", devnet.home], /stop the node first/],
    ];
    for (const [argv, expected] of cases) {
      const run = await ogpud(...argv);
      expect(run.code, argv.join(" ")).toBe(1);
      expect(run.stderr.split("\n"), argv.join(" ")).toHaveLength(1);
      expect(run.stderr, argv.join(" ")).toMatch(expected);
    }
  });

  it("--help describes tx bank send", async () => {
    const run = await ogpud("tx", "bank", "send", "--help");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: ogpud tx bank send <from-key-or-address> <to-address> <coins>");
    expect(run.stdout).toContain("--gas-prices");
  });

  it("export after stopping the node matches the queried state and the genesis supply", async () => {
    for (const address of [alice, bob, carol]) queried.set(address, await balance(address));
    const supplyBefore = await ogpudJson<{ supply: { denom: string; amount: string }[] }>("q", "bank", "total", ...node_);
    const lastSeen = (await rpcStatus(devnet.rpcUrl)).height;
    await testNode!.node.stop();

    const run = await ogpud("export", "--home", devnet.home);
    expect(run.code).toBe(0);
    const exported = JSON.parse(run.stdout) as {
      chain_id: string;
      initial_height: string;
      app_state: { bank: { balances: { address: string; coins: { denom: string; amount: string }[] }[]; supply: { denom: string; amount: string }[] } };
    };
    expect(exported.chain_id).toBe(devnet.chainId);
    expect(BigInt(exported.initial_height)).toBeGreaterThan(lastSeen);
    const exportedBalance = (address: string) =>
      BigInt(exported.app_state.bank.balances.find((b) => b.address === address)?.coins.find((c) => c.denom === "uogpu")?.amount ?? "0");
    for (const [address, amount] of queried) expect(exportedBalance(address)).toBe(amount);
    // Fees move coins to the fee collector; nothing mints or burns, so supply stays at genesis.
    expect(exported.app_state.bank.supply).toEqual([{ denom: "uogpu", amount: String(GENESIS_SUPPLY) }]);
    expect(supplyBefore.supply).toEqual(exported.app_state.bank.supply);
    const sumOfBalances = exported.app_state.bank.balances.reduce((sum, b) => sum + BigInt(b.coins.find((c) => c.denom === "uogpu")?.amount ?? "0"), 0n);
    expect(sumOfBalances).toBe(GENESIS_SUPPLY);
  });
});
