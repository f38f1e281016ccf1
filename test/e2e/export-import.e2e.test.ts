import { TEST_PORTS, portAt } from "../../testnet/ports.js";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { SigningStargateClient } from "@cosmjs/stargate";
import { portsFrom, spawnNode, waitForHeight, type NodeProcess } from "../../testnet/devnet.js";
import { runOgpud } from "../../cmd/ogpud/run.js";
import { ogpuRegistry } from "../../sdk/registry.js";
import { DENOM, GAS_PRICE, OGPU, PREFIX, startTestNode, type TestNode } from "./helpers.js";

/**
 * Export → import on real processes: a single-validator node runs with some activity, stops,
 * `ogpud export` writes its state, and a new home with the same validator key starts from
 * that genesis: it keeps producing blocks with the same accounts (numbers, sequences,
 * pubkeys) and balances, and accepts a tx signed with an account's next sequence.
 */
const NEW_PORTS = portsFrom(portAt(TEST_PORTS.exportImport, 10));

let source: TestNode;
let newHome: string;
let restarted: NodeProcess | undefined;
const newRpc = `http://127.0.0.1:${NEW_PORTS.rpc}`;
const newRest = `http://127.0.0.1:${NEW_PORTS.rest}`;

async function signer(mnemonic: string, rpc: string) {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: PREFIX });
  const [account] = await wallet.getAccounts();
  return { address: account!.address, client: await SigningStargateClient.connectWithSigner(rpc, wallet, { registry: ogpuRegistry(), gasPrice: GAS_PRICE }) };
}

async function ledger(rest: string, addresses: readonly string[]): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const address of addresses) {
    const account = await (await fetch(`${rest}/cosmos/auth/v1beta1/accounts/${address}`)).json();
    const balances = await (await fetch(`${rest}/cosmos/bank/v1beta1/balances/${address}`)).json();
    out.set(address, { account, balances });
  }
  return out;
}

beforeAll(async () => {
  source = await startTestNode({
    portBase: TEST_PORTS.exportImport.base, homePrefix: "ogpu-export-", accounts: [{ name: "val", coins: "300000000000uogpu" }, { name: "alice", coins: "100000000000uogpu" }],
    validator: { stake: "100000000000uogpu" },
  });
  newHome = mkdtempSync(join(tmpdir(), "ogpu-import-"));
}, 120_000);

afterAll(async () => {
  await restarted?.stop();
  await source?.cleanup();
  if (newHome) rmSync(newHome, { recursive: true, force: true });
});

describe("ogpud export → a new node from the export", () => {
  it("continues the chain with the same accounts, balances and sequences", async () => {
    const alice = await signer(source.devnet.accounts[1]!.mnemonic, source.devnet.rpcUrl);
    const carolWallet = await DirectSecp256k1HdWallet.generate(12, { prefix: PREFIX });
    const carol = (await carolWallet.getAccounts())[0]!.address;
    expect((await alice.client.sendTokens(alice.address, carol, [{ denom: DENOM, amount: String(10n * OGPU) }], "auto")).code).toBe(0);
    const c = await signer(carolWallet.mnemonic, source.devnet.rpcUrl);
    expect((await c.client.sendTokens(carol, alice.address, [{ denom: DENOM, amount: "5" }], "auto")).code).toBe(0);
    alice.client.disconnect();
    c.client.disconnect();
    const addresses = [...source.devnet.accounts.map((a) => a.address), carol];
    const before = await ledger(source.devnet.restUrl, addresses);
    await source.node.stop();

    const run = await runOgpud(["export", "--home", source.devnet.home]);
    expect(run.code, run.stderr).toBe(0);
    const exported = JSON.parse(run.stdout) as { initial_height: string };
    const init = await runOgpud(["init", "imported", "--home", newHome, "--overwrite", "--chain-id", source.devnet.chainId, "--p2p-port", String(NEW_PORTS.p2p), "--rpc-port", String(NEW_PORTS.rpc), "--abci-port", String(NEW_PORTS.abci), "--rest-port", String(NEW_PORTS.rest), "--grpc-port", String(NEW_PORTS.grpc), "--block-time", "300ms", "--check-invariants"]);
    expect(init.code, init.stderr).toBe(0);
    // The same validator signs the continued chain.
    copyFileSync(join(source.devnet.home, "config", "priv_validator_key.json"), join(newHome, "config", "priv_validator_key.json"));
    writeFileSync(join(newHome, "config", "genesis.json"), run.stdout);
    restarted = spawnNode(newHome);
    await waitForHeight(newRpc, BigInt(exported.initial_height) + 2n, 90_000);

    expect(await ledger(newRest, addresses)).toEqual(before);
    const again = await signer(carolWallet.mnemonic, newRpc);
    const res = await again.client.sendTokens(carol, alice.address, [{ denom: DENOM, amount: "7" }], "auto");
    expect(res.code).toBe(0);
    expect((await again.client.getSequence(carol)).sequence).toBe(2);
    again.client.disconnect();
  }, 180_000);
});
