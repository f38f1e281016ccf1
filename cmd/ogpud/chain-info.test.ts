/**
 * `ogpud chain-info` on a real node home (ogpud init, genesis accounts, a gentx validator):
 * the Keplr ChainInfo and the chain-registry files type-check against @keplr-wallet/types and
 * @chain-registry/types, carry what Keplr and the registry require, and agree with genesis
 * (chain id, denoms, bech32 prefixes of real addresses), the chain's bank denom metadata and
 * config (endpoints, gas price).
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChainInfo } from "@keplr-wallet/types";
import type { AssetList, Chain } from "@chain-registry/types";
import { fromBech32 } from "@cosmjs/encoding";
import { initDevnet, portsFrom, type Devnet } from "../../testnet/devnet.js";
import { toBech32 } from "../../crypto/bech32.js";
import { keplrChainInfo, registryAssetList, registryChain, type KeplrChainInfo } from "./chain-info.js";
import { chainInfoCommand, chainMetadata, CHAIN_INFO_FILES } from "./commands/chain-info.js";
import { NATIVE_DENOM_METADATA } from "../../x/bank/queries.js";

let devnet: Devnet;
let out: string;
let genesis: { chain_id: string; app_state: { staking: { params: { bond_denom: string } }; bank: { balances: { coins: { denom: string }[] }[] } } };

/** The property names the registry's chain.schema.json and assetlist.schema.json allow (the subset we write). */
const CHAIN_KEYS = ["$schema", "chain_name", "chain_type", "chain_id", "pretty_name", "status", "network_type", "bech32_prefix", "bech32_config", "daemon_name", "node_home", "key_algos", "slip44", "fees", "staking", "apis"];
const ASSET_KEYS = ["description", "denom_units", "type_asset", "base", "name", "display", "symbol"];

const snakeToCamel = (value: unknown, keep = false): unknown => {
  if (Array.isArray(value)) return value.map((v) => snakeToCamel(v));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [keep ? k : k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), snakeToCamel(v, k === "bech32_config")]));
};

beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), "ogpu-chain-info-"));
  // Ports are only written to config here: no node starts.
  devnet = await initDevnet({ home, ports: portsFrom(TEST_PORTS.chainInfo.base), accounts: [{ name: "val", coins: "300000000000uogpu" }], validator: { stake: "100000000000uogpu" } });
  genesis = JSON.parse(await readFile(join(home, "config", "genesis.json"), "utf8")) as typeof genesis;
  out = join(home, "chain-info");
  const code = await chainInfoCommand.run({ positionals: [], flags: { home, out, rest: "https://lcd.example.org", "network-type": "testnet" } });
  expect(code).toBe(0);
}, 60_000);

afterAll(async () => {
  if (devnet) await rm(devnet.home, { recursive: true, force: true });
});

describe("ogpud chain-info", () => {
  it("builds documents assignable to Keplr's ChainInfo and the registry's Chain and AssetList", async () => {
    const meta = await chainMetadata(devnet.home, {});
    // Type-level checks (tsconfig.test.json): a field the libraries do not know, or a wrong type, fails to compile.
    const keplr: ChainInfo = keplrChainInfo(meta);
    const chain: Chain = registryChain(meta);
    const assets: AssetList = registryAssetList(meta);
    expect(keplr.chainId).toBe(devnet.chainId);
    expect(chain.chainType).toBe("cosmos");
    expect(assets.assets).toHaveLength(1);
  });

  it("writes a Keplr ChainInfo with every required field, matching genesis and config", async () => {
    const keplr = JSON.parse(await readFile(join(out, CHAIN_INFO_FILES.keplr), "utf8")) as KeplrChainInfo;
    expect(keplr).toMatchObject({ chainId: genesis.chain_id, chainName: "oGPU", rpc: devnet.rpcUrl, rest: "https://lcd.example.org", bip44: { coinType: 118 }, isTestnet: true });
    const bondDenom = genesis.app_state.staking.params.bond_denom;
    expect(keplr.stakeCurrency).toEqual({ coinDenom: "OGPU", coinMinimalDenom: bondDenom, coinDecimals: 6 });
    expect(keplr.currencies.map((c) => c.coinMinimalDenom)).toEqual(expect.arrayContaining(genesis.app_state.bank.balances.flatMap((b) => b.coins.map((c) => c.denom))));
    // devnet app.json min_gas_prices is 0.001uogpu: Keplr's low step is the node's floor.
    expect(keplr.feeCurrencies).toEqual([{ ...keplr.stakeCurrency, gasPriceStep: { low: 0.001, average: 0.0025, high: 0.004 } }]);
    // The prefixes decode real addresses of this chain: the genesis account and its validator.
    const accountBytes = fromBech32(devnet.accounts[0]!.address).data;
    expect(fromBech32(devnet.accounts[0]!.address).prefix).toBe(keplr.bech32Config.bech32PrefixAccAddr);
    expect(toBech32(keplr.bech32Config.bech32PrefixValAddr, accountBytes)).toMatch(/^ogpuvaloper1/);
    expect(keplr.bech32Config).toEqual({
      bech32PrefixAccAddr: "ogpu",
      bech32PrefixAccPub: "ogpupub",
      bech32PrefixValAddr: "ogpuvaloper",
      bech32PrefixValPub: "ogpuvaloperpub",
      bech32PrefixConsAddr: "ogpuvalcons",
      bech32PrefixConsPub: "ogpuvalconspub",
    });
    expect(keplr.features).toEqual([]);
  });

  it("writes chain.json and assetlist.json in the registry's snake_case, with the required fields and only schema keys", async () => {
    const chain = JSON.parse(await readFile(join(out, CHAIN_INFO_FILES.chain), "utf8")) as Record<string, unknown>;
    expect(Object.keys(chain).every((k) => CHAIN_KEYS.includes(k)), Object.keys(chain).join(",")).toBe(true);
    expect(chain).toMatchObject({
      $schema: "../../chain.schema.json",
      chain_name: "ogputestnet",
      chain_type: "cosmos",
      chain_id: genesis.chain_id,
      network_type: "testnet",
      bech32_prefix: "ogpu",
      bech32_config: { bech32PrefixAccAddr: "ogpu", bech32PrefixValAddr: "ogpuvaloper", bech32PrefixConsAddr: "ogpuvalcons" },
      slip44: 118,
      fees: { fee_tokens: [{ denom: "uogpu", fixed_min_gas_price: 0.001, low_gas_price: 0.001, average_gas_price: 0.0025, high_gas_price: 0.004 }] },
      staking: { staking_tokens: [{ denom: genesis.app_state.staking.params.bond_denom }] },
      apis: { rpc: [{ address: devnet.rpcUrl }], rest: [{ address: "https://lcd.example.org" }], grpc: [{ address: devnet.grpcAddress }] },
    });
    const assetlist = JSON.parse(await readFile(join(out, CHAIN_INFO_FILES.assetlist), "utf8")) as { chain_name: string; assets: Record<string, unknown>[] };
    expect(assetlist.chain_name).toBe("ogputestnet");
    expect(Object.keys(assetlist.assets[0]!).every((k) => ASSET_KEYS.includes(k))).toBe(true);
    expect(assetlist.assets[0]).toMatchObject({ base: "uogpu", display: "ogpu", symbol: "OGPU", type_asset: "sdk.coin", denom_units: [{ denom: "uogpu", exponent: 0 }, { denom: "ogpu", exponent: 6 }] });
    // The files are the typed documents, keys renamed the registry's way and nothing else.
    const meta = await chainMetadata(devnet.home, { rest: "https://lcd.example.org", "network-type": "testnet" });
    expect(snakeToCamel(chain)).toEqual(registryChain(meta));
    expect(snakeToCamel(assetlist)).toEqual(registryAssetList(meta));
  });

  it("describes the token with the bank metadata the chain serves, and refuses a bond denom it has none for", async () => {
    const meta = await chainMetadata(devnet.home, {});
    expect(meta.token).toBe(NATIVE_DENOM_METADATA);
    const path = join(devnet.home, "config", "genesis.json");
    const original = await readFile(path, "utf8");
    const doc = JSON.parse(original) as typeof genesis;
    doc.app_state.staking.params.bond_denom = "ustake";
    await writeFile(path, JSON.stringify(doc));
    try {
      await expect(chainMetadata(devnet.home, {})).rejects.toThrow(/no bank denom metadata for the bond denom ustake/);
    } finally {
      await writeFile(path, original);
    }
  });

  it("refuses a bad --network-type or --chain-name", async () => {
    await expect(chainMetadata(devnet.home, { "network-type": "prod" })).rejects.toThrow(/--network-type must be one of mainnet, testnet, devnet/);
    await expect(chainMetadata(devnet.home, { "chain-name": "oGPU-1" })).rejects.toThrow(/--chain-name must be lowercase/);
  });
});
