import { TEST_PORTS, portAt } from "../../testnet/ports.js";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { QueryClient, setupGovExtension, SigningStargateClient } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { ProposalStatus } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import { MsgSubmitProposal, MsgVote } from "cosmjs-types/cosmos/gov/v1/tx";
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { createTestnet, startTestnetNode, stopTestnetNode, type Testnet } from "../../testnet/testnet.js";
import { portsFrom, rpcStatus, spawnNode, waitForHeight, type NodeProcess } from "../../testnet/devnet.js";
import { runOgpud } from "../../cmd/ogpud/run.js";
import { Keyring } from "../../crypto/keyring.js";
import { ogpuRegistry } from "../../sdk/registry.js";
import { moduleAddress, accountAddressString } from "../../app/address.js";
import { DENOM, GAS_PRICE, OGPU, PREFIX, until } from "./helpers.js";
import { NO_EMISSION_PARAMS } from "../../x/mint/params.js";

/**
 * `ogpud shadow-fork` against a real 4-validator testnet: the fork is made from node0's REST
 * export while the network runs, produces blocks alone with the local key as its only
 * validator, has the network's accounts (numbers, sequences, pubkeys) and balances, accepts a
 * tx signed with the next sequence, passes a governance proposal the fork validator votes
 * for, and `--refresh` re-forks it from a stopped node's `ogpud export`.
 */
const BASE_PORT = portsFrom(TEST_PORTS.shadowFork.base).p2p; // node i: +10i
const FORK_PORTS = portsFrom(portAt(TEST_PORTS.shadowFork, 40));
const FORK_STAKE = 2n * OGPU;
const BONDED_POOL = accountAddressString(moduleAddress("bonded_tokens_pool"));

let testnet: Testnet;
let forkHome: string;
let fork: NodeProcess | undefined;
let forker: string;
const forkRpc = `http://127.0.0.1:${FORK_PORTS.rpc}`;
const forkRest = `http://127.0.0.1:${FORK_PORTS.rest}`;

async function ogpud(...argv: string[]): Promise<string> {
  const run = await runOgpud(argv);
  if (run.code !== 0) throw new Error(`ogpud ${argv.join(" ")} failed (exit ${run.code}): ${run.stderr}`);
  return run.stdout;
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function signer(mnemonic: string, rpc: string) {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: PREFIX });
  const [account] = await wallet.getAccounts();
  const client = await SigningStargateClient.connectWithSigner(rpc, wallet, { registry: ogpuRegistry(), gasPrice: GAS_PRICE });
  return { address: account!.address, client };
}

/** Account and balances of each address as the LCD at `rest` answers them. */
async function ledger(rest: string, addresses: readonly string[]): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const address of addresses) {
    const account = await fetch(`${rest}/cosmos/auth/v1beta1/accounts/${address}`).then((r) => r.json());
    const balances = await json<{ balances: unknown[] }>(`${rest}/cosmos/bank/v1beta1/balances/${address}`);
    out.set(address, { account, balances: balances.balances });
  }
  return out;
}

const forkGenesis = () => JSON.parse(readFileSync(join(forkHome, "config", "genesis.json"), "utf8")) as { initial_height: string; app_state: { auth: { accounts: { address: string }[] } } };

async function startFork(): Promise<bigint> {
  fork = spawnNode(forkHome);
  const initial = BigInt(forkGenesis().initial_height);
  await waitForHeight(forkRpc, initial + 2n, 90_000);
  return initial;
}

beforeAll(async () => {
  testnet = await createTestnet({
    dir: mkdtempSync(join(tmpdir(), "ogpu-shadow-")), validators: 4, basePort: BASE_PORT, blockTime: "300ms",
    genesisOverrides: (state) => {
      const gov = state.gov as { params: Record<string, unknown> };
      gov.params = { ...gov.params, voting_period_seconds: 12, max_deposit_period_seconds: 12 };
      // No emission: block rewards credit the distribution account every block, on the network
      // and on the fork at their own heights, so its balance could not be compared exactly.
      const mint = state.mint as { params: Record<string, unknown> };
      mint.params = { ...mint.params, ...NO_EMISSION_PARAMS };
    },
  });
  // node0 serves its state for the fork (off by default).
  const appJson = join(testnet.nodes[0]!.home, "config", "app.json");
  writeFileSync(appJson, JSON.stringify({ ...JSON.parse(readFileSync(appJson, "utf8")), serve_export: true }, null, 2));
  for (const node of testnet.nodes) startTestnetNode(node);
  await waitForHeight(testnet.nodes[0]!.rpc, 3n, 90_000);

  forkHome = mkdtempSync(join(tmpdir(), "ogpu-fork-home-"));
  await ogpud("init", "fork", "--home", forkHome, "--overwrite", "--p2p-port", String(FORK_PORTS.p2p), "--rpc-port", String(FORK_PORTS.rpc), "--abci-port", String(FORK_PORTS.abci), "--rest-port", String(FORK_PORTS.rest), "--grpc-port", String(FORK_PORTS.grpc), "--block-time", "300ms", "--check-invariants");
  forker = (await Keyring.open(forkHome, "test").add("forker")).info.address;
}, 240_000);

afterAll(async () => {
  await fork?.stop();
  if (testnet) for (const node of testnet.nodes) await stopTestnetNode(node);
  if (testnet) rmSync(testnet.dir, { recursive: true, force: true });
  if (forkHome) rmSync(forkHome, { recursive: true, force: true });
});

describe("ogpud shadow-fork of a running 4-validator testnet", () => {
  let faucetMnemonic: string;
  let dave: { address: string; mnemonic: string };

  it("the network has activity: a new account that signed, and a delegation", async () => {
    faucetMnemonic = testnet.faucet.mnemonic;
    const faucet = await signer(faucetMnemonic, testnet.nodes[0]!.rpc);
    const wallet = await DirectSecp256k1HdWallet.generate(12, { prefix: PREFIX });
    dave = { address: (await wallet.getAccounts())[0]!.address, mnemonic: wallet.mnemonic };
    expect((await faucet.client.sendTokens(faucet.address, dave.address, [{ denom: DENOM, amount: String(50n * OGPU) }], "auto")).code).toBe(0);
    const d = await signer(dave.mnemonic, testnet.nodes[0]!.rpc);
    expect((await d.client.sendTokens(dave.address, faucet.address, [{ denom: DENOM, amount: "1000" }], "auto")).code).toBe(0);
    const valoper = (await json<{ validators: { operator_address: string }[] }>(`${testnet.nodes[1]!.rest}/cosmos/staking/v1beta1/validators`)).validators[1]!.operator_address;
    expect((await faucet.client.delegateTokens(faucet.address, valoper, { denom: DENOM, amount: String(100n * OGPU) }, "auto")).code).toBe(0);
    faucet.client.disconnect();
    d.client.disconnect();
    await waitForHeight(testnet.nodes[0]!.rpc, (await rpcStatus(testnet.nodes[0]!.rpc)).height + 3n, 30_000);
  }, 120_000);

  it("forks from node0's REST export and produces blocks alone with the local key as the only validator", async () => {
    const report = JSON.parse(await ogpud("shadow-fork", "--from", testnet.nodes[0]!.rest, "--home", forkHome, "--key", "forker", "--keyring-backend", "test", "--stake", `${FORK_STAKE}uogpu`)) as { fork_chain_id: string; jailed_validators: string[]; fork_validator: string };
    expect(report.fork_chain_id).toBe(`${testnet.chainId}-fork`);
    expect(report.jailed_validators).toHaveLength(4);
    const initial = await startFork();
    const vals = await json<{ result: { validators: { pub_key: { value: string }; voting_power: string }[] } }>(`${forkRpc}/validators`);
    const own = JSON.parse(readFileSync(join(forkHome, "config", "priv_validator_key.json"), "utf8")) as { pub_key: { value: string } };
    expect(vals.result.validators.map((v) => [v.pub_key.value, v.voting_power])).toEqual([[own.pub_key.value, "2"]]);
    expect((await rpcStatus(forkRpc)).height).toBeGreaterThan(initial);
  }, 180_000);

  it("has every account (number, sequence, pubkey) and balance of the network; only the bonded pool holds the fork stake more", async () => {
    const addresses = forkGenesis().app_state.auth.accounts.map((a) => a.address).filter((a) => a !== forker);
    expect(addresses).toContain(dave.address);
    const source = await ledger(testnet.nodes[0]!.rest, addresses);
    const forked = await ledger(forkRest, addresses);
    const pool = (m: Map<string, unknown>) => BigInt((m.get(BONDED_POOL) as { balances: { amount: string }[] }).balances[0]!.amount);
    expect(pool(forked) - pool(source)).toBe(FORK_STAKE);
    source.delete(BONDED_POOL);
    forked.delete(BONDED_POOL);
    expect(forked).toEqual(source);
    const daveAccount = (source.get(dave.address) as { account: { account: { sequence: string; pub_key: unknown } } }).account.account;
    expect(daveAccount.sequence).toBe("1");
    expect(daveAccount.pub_key).not.toBeNull();
  }, 60_000);

  it("accepts a tx signed with the account's next sequence", async () => {
    const d = await signer(dave.mnemonic, forkRpc);
    const res = await d.client.sendTokens(dave.address, forker, [{ denom: DENOM, amount: String(OGPU) }], "auto");
    expect(res.code).toBe(0);
    expect((await d.client.getSequence(dave.address)).sequence).toBe(2);
    d.client.disconnect();
  }, 60_000);

  it("a governance proposal passes on the fork with the fork validator's vote", async () => {
    const faucet = await signer(faucetMnemonic, forkRpc);
    const submit = { typeUrl: "/cosmos.gov.v1.MsgSubmitProposal", value: MsgSubmitProposal.fromPartial({ messages: [], initialDeposit: [{ denom: DENOM, amount: String(10n * OGPU) }], proposer: faucet.address, title: "Rehearsal", summary: "A text proposal on the shadow fork", metadata: "" }) };
    const submitted = await faucet.client.signAndBroadcast(faucet.address, [submit], "auto");
    expect(submitted.code).toBe(0);
    const comet = await connectComet(forkRpc);
    const gov = QueryClient.withExtensions(comet, setupGovExtension).gov;
    const id = (await gov.proposals(ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED, "", "")).proposals.at(-1)!.proposalId;
    const keyring = Keyring.open(forkHome, "test");
    const operator = await signer(await keyring.mnemonic("forker"), forkRpc);
    const vote = { typeUrl: "/cosmos.gov.v1.MsgVote", value: MsgVote.fromPartial({ proposalId: id, voter: forker, option: VoteOption.VOTE_OPTION_YES, metadata: "" }) };
    const voted = await operator.client.signAndBroadcast(forker, [vote], "auto");
    expect(voted.code, voted.rawLog).toBe(0);
    const final = await until("the proposal's final status", () => gov.proposal(id.toString()), (p) => p.proposal!.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, 60_000);
    expect(final.proposal!.status).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
    comet.disconnect();
    faucet.client.disconnect();
    operator.client.disconnect();
  }, 120_000);

  it("--refresh re-forks the home from a stopped node's `ogpud export`, keeping the local key", async () => {
    for (const node of testnet.nodes) await stopTestnetNode(node);
    const exported = await ogpud("export", "--home", testnet.nodes[0]!.home);
    const file = join(forkHome, "source-export.json");
    writeFileSync(file, exported);
    await fork!.stop();
    fork = undefined;
    const before = forkGenesis().initial_height;
    expect((await runOgpud(["shadow-fork", "--from-file", file, "--home", forkHome, "--key", "forker", "--keyring-backend", "test"])).stderr).toMatch(/--refresh/);
    await ogpud("shadow-fork", "--from-file", file, "--home", forkHome, "--key", "forker", "--keyring-backend", "test", "--refresh");
    expect(BigInt(forkGenesis().initial_height)).toBeGreaterThan(BigInt(before));
    await startFork();
    // The fork's own history (the proposal) is gone; the network's state is back.
    const comet = await connectComet(forkRpc);
    expect((await QueryClient.withExtensions(comet, setupGovExtension).gov.proposals(ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED, "", "")).proposals).toEqual([]);
    comet.disconnect();
    const vals = await json<{ result: { validators: unknown[] } }>(`${forkRpc}/validators`);
    expect(vals.result.validators).toHaveLength(1);
  }, 180_000);
});
