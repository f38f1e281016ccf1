import { TEST_PORTS } from "../../testnet/ports.js";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet, Registry } from "@cosmjs/proto-signing";
import { defaultRegistryTypes, GasPrice, QueryClient, setupSlashingExtension, setupStakingExtension, SigningStargateClient } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { createTestnet, startTestnetNode, stopTestnetNode, type Testnet, type TestnetNode } from "../../testnet/testnet.js";
import { portsFrom, rpcStatus, waitForHeight } from "../../testnet/devnet.js";

/**
 * Downtime on a real 4-validator testnet: a validator kept down is jailed by x/slashing and
 * leaves CometBFT's /validators; restarted, and after its jail, a stock-cosmjs MsgUnjail
 * signed by its operator brings it back.
 */
const BASE_PORT = portsFrom(TEST_PORTS.slashing.base).p2p; // node i: +10i
const WINDOW = 20;
const JAIL_BLOCKS = 20;
let testnet: Testnet;

beforeAll(async () => {
  testnet = await createTestnet({
    dir: mkdtempSync(join(tmpdir(), "ogpu-slashing-e2e-")),
    validators: 4,
    basePort: BASE_PORT,
    blockTime: "200ms",
    genesisOverrides: (appState) => {
      appState.slashing = { params: { signed_blocks_window: WINDOW, downtime_jail_blocks: JAIL_BLOCKS } };
    },
  });
  for (const node of testnet.nodes) startTestnetNode(node);
  await waitForHeight(testnet.nodes[0]!.rpc, 3n, 60_000);
}, 120_000);

afterAll(async () => {
  if (!testnet) return;
  for (const node of testnet.nodes) await stopTestnetNode(node);
  rmSync(testnet.dir, { recursive: true, force: true });
});

/** CometBFT's current set as seen by `rpc`: hex address → voting power. */
async function cometValidators(rpc: string): Promise<Map<string, string>> {
  const body = (await (await fetch(`${rpc}/validators`)).json()) as { result: { validators: { address: string; voting_power: string }[] } };
  return new Map(body.result.validators.map((v) => [v.address, v.voting_power]));
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const consAddressHex = (node: TestnetNode) => (JSON.parse(readFileSync(join(node.home, "config", "priv_validator_key.json"), "utf8")) as { address: string }).address;

describe("downtime slashing on a 4-validator testnet", () => {
  it("a validator kept down is jailed and leaves /validators; after the jail, MsgUnjail brings it back", async () => {
    const [node0, , , down] = testnet.nodes as [TestnetNode, TestnetNode, TestnetNode, TestnetNode];
    const downHex = consAddressHex(down);
    const valoper = toBech32("ogpuvaloper", fromBech32(down.account).data);
    const valcons = toBech32("ogpuvalcons", Buffer.from(downHex, "hex"));
    expect((await cometValidators(node0.rpc)).get(downHex)).toBe("10000");

    await stopTestnetNode(down);
    // Missed > WINDOW/2 of a full window: jailed, slashed 0.01 %, removed (takes effect two heights later).
    await until("the stopped validator to leave /validators", 60_000, async () => ((await cometValidators(node0.rpc)).has(downHex) ? undefined : true));
    expect((await cometValidators(node0.rpc)).size).toBe(3);

    const query = QueryClient.withExtensions(await Comet38Client.connect(node0.rpc), setupSlashingExtension, setupStakingExtension);
    const { valSigningInfo: info } = await query.slashing.signingInfo(valcons);
    const jailedUntil = info.jailedUntil.seconds; // oGPU: the jail-end height
    expect(info.missedBlocksCounter).toBe(0n);
    const { validator } = await query.staking.validator(valoper);
    expect(validator.jailed).toBe(true);
    expect(validator.tokens).toBe(((10_000n * 1_000_000n * 9_999n) / 10_000n).toString());

    startTestnetNode(down);
    await waitForHeight(node0.rpc, jailedUntil, 60_000);
    await waitForHeight(down.rpc, jailedUntil, 60_000);

    const registry = new Registry(defaultRegistryTypes);
    registry.register("/cosmos.slashing.v1beta1.MsgUnjail", MsgUnjail);
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(down.mnemonic, { prefix: "ogpu" });
    const client = await SigningStargateClient.connectWithSigner(node0.rpc, wallet, { registry, gasPrice: GasPrice.fromString("0.001uogpu") });
    const res = await client.signAndBroadcast(down.account, [{ typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail", value: MsgUnjail.fromPartial({ validatorAddr: valoper }) }], "auto");
    expect(res.code).toBe(0);
    client.disconnect();

    const power = await until("the unjailed validator to return to /validators", 30_000, async () => (await cometValidators(node0.rpc)).get(downHex));
    expect(power).toBe("9999"); // 9,999 OGPU left after the 0.01 % slash
    expect((await query.staking.validator(valoper)).validator.jailed).toBe(false);
    const { height } = await rpcStatus(down.rpc);
    expect(height).toBeGreaterThanOrEqual(jailedUntil);
  }, 150_000);
});
