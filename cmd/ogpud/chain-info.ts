/**
 * Chain metadata for wallets and registries, from a node's genesis and config (`ogpud
 * chain-info`): Keplr's `experimentalSuggestChain` ChainInfo, and the cosmos/chain-registry
 * `chain.json` and `assetlist.json`. The shapes follow @keplr-wallet/types and
 * @chain-registry/types (cmd/ogpud/chain-info.test.ts assigns them to those types).
 */
import { ACCOUNT_PREFIX, VALCONS_PREFIX, VALOPER_PREFIX } from "../../crypto/bech32.js";
import { BIP44_COIN_TYPE } from "../../crypto/hd.js";
import type { Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import { decToString } from "../../app/dec.js";
import type { GasPrice } from "../../app/tx/fees.js";

export type NetworkType = "mainnet" | "testnet" | "devnet";

/** Everything the three documents are made from. */
export interface ChainMetadata {
  chainId: string;
  /** cosmos/chain-registry `chain_name`: lowercase letters and digits. */
  registryName: string;
  /** Human name (Keplr's chainName, the registry's pretty_name). */
  prettyName: string;
  networkType: NetworkType;
  /** Public endpoints: CometBFT RPC and REST as URLs, gRPC as host:port. */
  rpc: string;
  rest: string;
  grpc: string;
  /** staking params bond_denom. */
  bondDenom: string;
  /** Bank metadata of the bond denom (the fee denom too), as /cosmos/bank/v1beta1/denoms_metadata serves it. */
  token: Metadata;
  /** The node's min gas price in the token (app.json min_gas_prices), 18-decimal fixed point. */
  minGasPriceScaled: bigint;
}

/** bech32 prefixes: ours plus the SDK's "pub" suffix convention for public keys. */
export const BECH32_CONFIG = {
  bech32PrefixAccAddr: ACCOUNT_PREFIX,
  bech32PrefixAccPub: `${ACCOUNT_PREFIX}pub`,
  bech32PrefixValAddr: VALOPER_PREFIX,
  bech32PrefixValPub: `${VALOPER_PREFIX}pub`,
  bech32PrefixConsAddr: VALCONS_PREFIX,
  bech32PrefixConsPub: `${VALCONS_PREFIX}pub`,
} as const;

/** Gas price steps as wallets show them: low is the node's floor, average and high Keplr's 2.5× and 4× of it. */
export function gasPriceSteps(minScaled: bigint): { low: number; average: number; high: number } {
  const asNumber = (scaled: bigint) => Number(decToString(scaled));
  return { low: asNumber(minScaled), average: asNumber((minScaled * 5n) / 2n), high: asNumber(minScaled * 4n) };
}

/** The min gas price of `denom` among a node's accepted ones (0 when it accepts any fee). */
export function minGasPriceIn(prices: readonly GasPrice[], denom: string): bigint {
  return prices.find((p) => p.denom === denom)?.scaled ?? 0n;
}

function displayExponent(token: Metadata): number {
  const unit = token.denomUnits.find((u) => u.denom === token.display);
  if (!unit) throw new Error(`denom metadata of ${token.base} has no unit for its display denom ${token.display}`);
  return unit.exponent;
}

export interface KeplrCurrency {
  coinDenom: string;
  coinMinimalDenom: string;
  coinDecimals: number;
}

/** Keplr's ChainInfo, the fields oGPU fills. */
export interface KeplrChainInfo {
  rpc: string;
  rest: string;
  chainId: string;
  chainName: string;
  stakeCurrency: KeplrCurrency;
  bip44: { coinType: number };
  bech32Config: typeof BECH32_CONFIG;
  currencies: KeplrCurrency[];
  feeCurrencies: (KeplrCurrency & { gasPriceStep: { low: number; average: number; high: number } })[];
  features: string[];
  isTestnet: boolean;
}

export function keplrChainInfo(meta: ChainMetadata): KeplrChainInfo {
  const currency: KeplrCurrency = { coinDenom: meta.token.symbol, coinMinimalDenom: meta.token.base, coinDecimals: displayExponent(meta.token) };
  return {
    rpc: meta.rpc,
    rest: meta.rest,
    chainId: meta.chainId,
    chainName: meta.prettyName,
    stakeCurrency: currency,
    bip44: { coinType: BIP44_COIN_TYPE },
    bech32Config: BECH32_CONFIG,
    currencies: [currency],
    feeCurrencies: [{ ...currency, gasPriceStep: gasPriceSteps(meta.minGasPriceScaled) }],
    // No IBC and no CosmWasm: none of Keplr's optional feature flags applies.
    features: [],
    isTestnet: meta.networkType !== "mainnet",
  };
}

/** cosmos/chain-registry chain.json, in @chain-registry/types' camelCase (registryJson writes the file's keys). */
export interface RegistryChain {
  $schema: string;
  chainName: string;
  chainType: "cosmos";
  chainId: string;
  prettyName: string;
  status: "live";
  networkType: NetworkType;
  bech32Prefix: string;
  bech32Config: typeof BECH32_CONFIG;
  daemonName: string;
  nodeHome: string;
  keyAlgos: "secp256k1"[];
  slip44: number;
  fees: { feeTokens: { denom: string; fixedMinGasPrice: number; lowGasPrice: number; averageGasPrice: number; highGasPrice: number }[] };
  staking: { stakingTokens: { denom: string }[] };
  apis: { rpc: { address: string }[]; rest: { address: string }[]; grpc: { address: string }[] };
}

export function registryChain(meta: ChainMetadata): RegistryChain {
  const steps = gasPriceSteps(meta.minGasPriceScaled);
  const schemaDir = meta.networkType === "mainnet" ? ".." : "../..";
  return {
    $schema: `${schemaDir}/chain.schema.json`,
    chainName: meta.registryName,
    chainType: "cosmos",
    chainId: meta.chainId,
    prettyName: meta.prettyName,
    status: "live",
    networkType: meta.networkType,
    bech32Prefix: ACCOUNT_PREFIX,
    bech32Config: BECH32_CONFIG,
    daemonName: "ogpud",
    nodeHome: "$HOME/.ogpud",
    // ML-DSA-65 accounts exist too, but the registry's enum has no post-quantum algorithm.
    keyAlgos: ["secp256k1"],
    slip44: BIP44_COIN_TYPE,
    fees: { feeTokens: [{ denom: meta.token.base, fixedMinGasPrice: steps.low, lowGasPrice: steps.low, averageGasPrice: steps.average, highGasPrice: steps.high }] },
    staking: { stakingTokens: [{ denom: meta.bondDenom }] },
    apis: { rpc: [{ address: meta.rpc }], rest: [{ address: meta.rest }], grpc: [{ address: meta.grpc }] },
  };
}

/** cosmos/chain-registry assetlist.json, camelCase like RegistryChain. */
export interface RegistryAssetList {
  $schema: string;
  chainName: string;
  assets: {
    description: string;
    denomUnits: { denom: string; exponent: number; aliases?: string[] }[];
    typeAsset: "sdk.coin";
    base: string;
    name: string;
    display: string;
    symbol: string;
  }[];
}

export function registryAssetList(meta: ChainMetadata): RegistryAssetList {
  const t = meta.token;
  return {
    $schema: `${meta.networkType === "mainnet" ? ".." : "../.."}/assetlist.schema.json`,
    chainName: meta.registryName,
    assets: [
      {
        description: t.description,
        denomUnits: t.denomUnits.map((u) => (u.aliases.length > 0 ? { denom: u.denom, exponent: u.exponent, aliases: u.aliases } : { denom: u.denom, exponent: u.exponent })),
        typeAsset: "sdk.coin",
        base: t.base,
        name: t.name,
        display: t.display,
        symbol: t.symbol,
      },
    ],
  };
}

/**
 * The registry's file keys are snake_case (the npm types camelCase them); the bech32_config
 * entries keep Keplr's camelCase names in the files too.
 */
export function registryJson(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => registryJson(v));
  if (value === null || typeof value !== "object") return value;
  const keepKeys = key === "bech32Config";
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [keepKeys ? k : k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), registryJson(v, k)]),
  );
}

