/**
 * The SDK's cosmjs registry can sign every Msg the chain accepts — MsgUnjail included, which
 * cosmjs' default registry lacks — and what it signs is what the chain decodes.
 */
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { SigningStargateClient } from "@cosmjs/stargate";
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { describe, expect, it } from "vitest";
import { createAppWiring } from "../app/modules.js";
import type { RegisteredMsg } from "../app/module.js";
import { decodeTx } from "../app/tx/decode.js";
import { TEST_CHAIN_ID } from "../app/testkit.js";
import { valoperString } from "../app/validator-address.js";
import { fromBech32 } from "../crypto/bech32.js";
import { ogpuRegistry } from "./registry.js";

const msgTypes = new Map<string, RegisteredMsg>(createAppWiring().modules.flatMap((m) => m.msgs).map((m) => [m.typeUrl, m]));
const UNJAIL = "/cosmos.slashing.v1beta1.MsgUnjail";

describe("sdk registry", () => {
  it("knows every Msg type the chain registers", () => {
    const registry = ogpuRegistry();
    const missing = [...msgTypes.keys()].filter((typeUrl) => registry.lookupType(typeUrl) === undefined);
    expect(missing).toEqual([]);
  });

  it("signs a MsgUnjail with a stock SigningStargateClient, and the chain decodes it", async () => {
    const wallet = await DirectSecp256k1HdWallet.generate(12, { prefix: "ogpu" });
    const [account] = await wallet.getAccounts();
    const valoper = valoperString(fromBech32(account!.address, "ogpu"));
    const client = await SigningStargateClient.offline(wallet, { registry: ogpuRegistry() });
    const signed = await client.sign(
      account!.address,
      [{ typeUrl: UNJAIL, value: MsgUnjail.fromPartial({ validatorAddr: valoper }) }],
      { amount: [{ denom: "uogpu", amount: "200" }], gas: "200000" },
      "",
      { accountNumber: 3n, sequence: 0, chainId: TEST_CHAIN_ID },
    );
    const tx = decodeTx(TxRaw.encode(signed).finish(), msgTypes);
    expect(tx.msgs.map((m) => m.typeUrl)).toEqual([UNJAIL]);
    // Signed by the operator account, as the chain requires.
    expect(tx.msgs[0]!.signers()).toEqual([account!.address]);
  });
});
