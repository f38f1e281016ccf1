/**
 * Bank end to end: a stock cosmjs wallet sends uogpu through a real ogpud + cometbft node;
 * balances, supply, account state and the indexed tx must all agree to the last uogpu.
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeTxRaw } from "@cosmjs/proto-signing";
import { assertIsDeliverTxSuccess, type DeliverTxResponse, type StargateClient } from "@cosmjs/stargate";
import {
  coins,
  connectQueryClient,
  connectSigner,
  DENOM,
  EXPLICIT_FEE,
  feeAmount,
  FEE_COLLECTOR_ADDRESS,
  genesisTotal,
  OGPU,
  restBalance,
  restSupply,
  startTestNode,
  sumBalances,
  type Signer,
  type TestNode,
} from "./helpers.js";

const PORT_BASE = TEST_PORTS.bank.base;
const GENESIS = [
  { name: "alice", coins: `${100_000n * OGPU}${DENOM}` },
  { name: "bob", coins: `${1_000n * OGPU}${DENOM}` },
];

describe("bank over a real node (stock cosmjs)", () => {
  let t: TestNode;
  let alice: Signer;
  let query: StargateClient;
  let bobAddress: string;

  beforeAll(async () => {
    t = await startTestNode({ portBase: PORT_BASE, accounts: GENESIS });
    alice = await connectSigner(t.devnet, t.devnet.accounts[0]!);
    bobAddress = t.devnet.accounts[1]!.address;
    query = await connectQueryClient(t.devnet);
  });

  afterAll(async () => {
    alice?.client.disconnect();
    query?.disconnect();
    await t?.cleanup();
  });

  async function balance(address: string): Promise<bigint> {
    return BigInt((await query.getBalance(address, DENOM)).amount);
  }

  /** The fee the chain actually charged: read back from the committed tx itself. */
  async function chargedFee(result: DeliverTxResponse): Promise<bigint> {
    const indexed = await query.getTx(result.transactionHash);
    if (!indexed) throw new Error(`tx ${result.transactionHash} not indexed`);
    return feeAmount(decodeTxRaw(indexed.tx).authInfo.fee!);
  }

  /** Sends and checks both sides moved by exactly amount (+ fee for the sender). */
  async function sendAndCheck(amount: bigint, fee: Parameters<Signer["client"]["sendTokens"]>[3]): Promise<DeliverTxResponse> {
    const [senderBefore, recipientBefore] = [await balance(alice.address), await balance(bobAddress)];
    const result = await alice.client.sendTokens(alice.address, bobAddress, coins(amount), fee, "e2e bank");
    assertIsDeliverTxSuccess(result);
    const paid = await chargedFee(result);
    expect(paid).toBeGreaterThan(0n);
    expect(await balance(bobAddress)).toBe(recipientBefore + amount);
    expect(await balance(alice.address)).toBe(senderBefore - amount - paid);
    return result;
  }

  it("starts with the genesis balances, supply and an account without a pubkey", async () => {
    expect(await balance(alice.address)).toBe(100_000n * OGPU);
    expect(await restSupply(t.devnet)).toBe(genesisTotal(GENESIS));
    const account = await query.getAccount(alice.address);
    expect(account).not.toBeNull();
    expect(account!.sequence).toBe(0);
    expect(account!.pubkey).toBeNull();
  });

  it("sends with an explicit fee: exact balances, sequence 1 and the pubkey set", async () => {
    const result = await sendAndCheck(1_234_567n, EXPLICIT_FEE);
    expect(await chargedFee(result)).toBe(feeAmount(EXPLICIT_FEE));
    expect(result.gasWanted).toBe(BigInt(EXPLICIT_FEE.gas));
    const account = await query.getAccount(alice.address);
    expect(account!.sequence).toBe(1);
    expect(account!.pubkey?.type).toBe("tendermint/PubKeySecp256k1");
    const [walletAccount] = await alice.wallet.getAccounts();
    expect(account!.pubkey?.value).toBe(Buffer.from(walletAccount!.pubkey).toString("base64"));
  });

  it("sends with fee \"auto\" (Simulate) and the sequence increments again", async () => {
    const result = await sendAndCheck(42n * OGPU, "auto");
    // "auto" = simulated gas × cosmjs's 1.4 margin; the simulation must have been close.
    expect(result.gasUsed).toBeLessThanOrEqual(result.gasWanted);
    expect(Number(result.gasUsed)).toBeGreaterThan(Number(result.gasWanted) / 2);
    expect((await query.getAccount(alice.address))!.sequence).toBe(2);
  });

  it("getTx finds the tx with a transfer event naming sender, recipient and amount", async () => {
    const amount = 777n;
    const result = await sendAndCheck(amount, EXPLICIT_FEE);
    const indexed = await query.getTx(result.transactionHash);
    expect(indexed).not.toBeNull();
    expect(indexed!.height).toBe(result.height);
    expect(indexed!.code).toBe(0);
    const transfers = indexed!.events
      .filter((e) => e.type === "transfer")
      .map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));
    expect(transfers).toContainEqual(expect.objectContaining({ sender: alice.address, recipient: bobAddress, amount: `${amount}${DENOM}` }));
    // The fee travels to the fee collector as its own transfer.
    expect(transfers).toContainEqual(expect.objectContaining({ sender: alice.address, recipient: FEE_COLLECTOR_ADDRESS, amount: `${feeAmount(EXPLICIT_FEE)}${DENOM}` }));
  });

  it("REST agrees with getBalance, and supply is unchanged and equals Σ balances", async () => {
    for (const address of [alice.address, bobAddress, FEE_COLLECTOR_ADDRESS]) {
      expect(await restBalance(t.devnet, address)).toBe(await balance(address));
    }
    const supply = await restSupply(t.devnet);
    expect(supply).toBe(genesisTotal(GENESIS));
    expect(await sumBalances(t.devnet, [alice.address, bobAddress, FEE_COLLECTOR_ADDRESS])).toBe(supply);
    expect(await restBalance(t.devnet, FEE_COLLECTOR_ADDRESS)).toBeGreaterThan(0n);
  });
});
