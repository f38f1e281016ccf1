/**
 * Failure paths end to end: each bad tx must fail with the SDK's code (or the bank's own),
 * charge exactly what the SDK charges (nothing in CheckTx, the fee in DeliverTx), and leave
 * the node serving — every test ends by proving a later send still works and blocks advance.
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { assertIsDeliverTxSuccess, BroadcastTxError, type StargateClient, type StdFee } from "@cosmjs/stargate";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import {
  coins,
  connectQueryClient,
  connectSigner,
  DENOM,
  EXPLICIT_FEE,
  feeAmount,
  OGPU,
  PREFIX,
  restBalance,
  restGet,
  startTestNode,
  waitForMoreBlocks,
  type Signer,
  type TestNode,
} from "./helpers.js";

const PORT_BASE = TEST_PORTS.errors.base;
const MAX_WALLET = 420_000n * OGPU;
const POOR_BALANCE = 10n * OGPU;
const GENESIS = [
  { name: "alice", coins: `${100_000n * OGPU}${DENOM}` },
  { name: "poor", coins: `${POOR_BALANCE}${DENOM}` },
  // One OGPU below the max wallet: any larger deposit must be refused.
  { name: "whale", coins: `${MAX_WALLET - OGPU}${DENOM}` },
];

/** cosmjs's rejection of a tx in CheckTx, as a plain object to compare. */
async function checkTxRejection(promise: Promise<unknown>): Promise<{ code: number; codespace: string; log: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof BroadcastTxError) return { code: err.code, codespace: err.codespace, log: err.log ?? "" };
    throw err;
  }
  throw new Error("expected the node to reject the tx in CheckTx");
}

describe("error paths over a real node", () => {
  let t: TestNode;
  let alice: Signer;
  let poor: Signer;
  let query: StargateClient;
  let whaleAddress: string;

  beforeAll(async () => {
    t = await startTestNode({ portBase: PORT_BASE, accounts: GENESIS });
    [alice, poor] = await Promise.all([connectSigner(t.devnet, t.devnet.accounts[0]!), connectSigner(t.devnet, t.devnet.accounts[1]!)]);
    whaleAddress = t.devnet.accounts[2]!.address;
    query = await connectQueryClient(t.devnet);
  });

  afterAll(async () => {
    alice?.client.disconnect();
    poor?.client.disconnect();
    query?.disconnect();
    await t?.cleanup();
  });

  const balance = async (address: string) => BigInt((await query.getBalance(address, DENOM)).amount);
  const sequence = async (address: string) => (await query.getAccount(address))!.sequence;

  /** The node survived: ogpud still runs, a fresh send succeeds, and heights keep rising. */
  async function expectStillServing(): Promise<void> {
    expect(t.node.proc.exitCode).toBeNull();
    const result = await alice.client.sendTokens(alice.address, poor.address, coins(1n), EXPLICIT_FEE);
    assertIsDeliverTxSuccess(result);
    await waitForMoreBlocks(t.devnet.rpcUrl, 2n);
  }

  it("rejects a wrong sequence in CheckTx with sdk code 32 and charges nothing", async () => {
    const { accountNumber, sequence: seq } = (await query.getAccount(alice.address))!;
    const before = await balance(alice.address);
    const signed = await alice.client.sign(
      alice.address,
      [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: alice.address, toAddress: poor.address, amount: coins(5n) } }],
      EXPLICIT_FEE,
      "",
      { accountNumber, sequence: seq + 7, chainId: t.devnet.chainId },
    );
    const rejection = await checkTxRejection(alice.client.broadcastTx(TxRaw.encode(signed).finish()));
    expect(rejection).toMatchObject({ code: 32, codespace: "sdk" });
    expect(rejection.log).toContain(`expected ${seq}, got ${seq + 7}`);
    expect(await balance(alice.address)).toBe(before);
    expect(await sequence(alice.address)).toBe(seq);
    await expectStillServing();
  });

  it("fails a send beyond the balance in DeliverTx with code 5, but charges the fee and bumps the sequence", async () => {
    const [before, seq] = [await balance(poor.address), await sequence(poor.address)];
    const result = await poor.client.sendTokens(poor.address, alice.address, coins(before + OGPU), EXPLICIT_FEE);
    expect(result).toMatchObject({ code: 5 });
    expect(result.rawLog).toContain("insufficient funds");
    expect(await balance(poor.address)).toBe(before - feeAmount(EXPLICIT_FEE));
    expect(await sequence(poor.address)).toBe(seq + 1);
    await expectStillServing();
  });

  it("answers garbage tx bytes on broadcast_tx_sync with sdk code 2", async () => {
    const res = await fetch(`${t.devnet.rpcUrl}/broadcast_tx_sync?tx=0xdeadbeef00ff`);
    const body = (await res.json()) as { result: { code: number; codespace: string; log: string } };
    expect(body.result).toMatchObject({ code: 2, codespace: "sdk" });
    expect(body.result.log).not.toBe("");
    await expectStillServing();
  });

  it("refuses a deposit above the max wallet with bank code 100; only the fee moves", async () => {
    const [aliceBefore, whaleBefore] = [await balance(alice.address), await balance(whaleAddress)];
    const result = await alice.client.sendTokens(alice.address, whaleAddress, coins(2n * OGPU), EXPLICIT_FEE);
    expect(result.code).toBe(100);
    const indexed = await query.getTx(result.transactionHash);
    expect(indexed?.code).toBe(100);
    // The log names the account, the limit and the rule, so a wallet user can see why.
    expect(result.rawLog).toContain(whaleAddress);
    expect(result.rawLog).toContain(`${MAX_WALLET}${DENOM}`);
    expect(result.rawLog).toContain("max wallet");
    expect(await balance(whaleAddress)).toBe(whaleBefore);
    expect(await balance(alice.address)).toBe(aliceBefore - feeAmount(EXPLICIT_FEE));
    await expectStillServing();
  });

  it("rejects a fee below the min gas price in CheckTx with sdk code 13", async () => {
    const before = await balance(alice.address);
    const cheap: StdFee = { amount: coins(10n), gas: "200000" }; // needs 200uogpu at 0.001
    const rejection = await checkTxRejection(alice.client.sendTokens(alice.address, poor.address, coins(1n), cheap));
    expect(rejection).toMatchObject({ code: 13, codespace: "sdk" });
    expect(rejection.log).toContain("insufficient fee");
    expect(await balance(alice.address)).toBe(before);
    await expectStillServing();
  });

  it("reports an unknown account as null to cosmjs and as a 404 JSON over REST", async () => {
    const stranger = await DirectSecp256k1HdWallet.generate(12, { prefix: PREFIX });
    const [{ address }] = await stranger.getAccounts();
    expect(await query.getAccount(address)).toBeNull();
    expect(await restBalance(t.devnet, address)).toBe(0n);
    const { status, body } = await restGet<{ code: number; message: string }>(t.devnet, `/cosmos/auth/v1beta1/accounts/${address}`);
    expect(status).toBe(404);
    expect(body.code).toBe(5); // gRPC NotFound
    expect(body.message).toContain(address);
    await expectStillServing();
  });
});
