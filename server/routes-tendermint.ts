/**
 * cosmos.base.tendermint.v1beta1 (node info, syncing, blocks, validator sets) and the tx
 * service's block-with-txs, at the SDK gateway's paths: what explorers read for their
 * dashboard, block and uptime pages. Everything here is CometBFT's, read through its RPC
 * (cosmjs' decoded client) and rendered as the SDK renders its protobuf types.
 */
import { GetBlockByHeightResponse, GetLatestValidatorSetResponse, GetNodeInfoResponse, GetSyncingResponse } from "cosmjs-types/cosmos/base/tendermint/v1beta1/query";
import { GetBlockWithTxsResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { Tx } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { PubKey as Secp256k1PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import type { Block as CosmosBlock } from "cosmjs-types/cosmos/base/tendermint/v1beta1/types";
import type { Block } from "cosmjs-types/tendermint/types/block";
import type { Commit, Header, BlockID } from "cosmjs-types/tendermint/types/types";
import type { comet38, ReadonlyDateWithNanoseconds } from "@cosmjs/tendermint-rpc";
import { APP_VERSION } from "../app/app.js";
import { isBeaconTx } from "../app/beacon.js";
import { fromHex, hex } from "../crypto/bytes.js";
import { toBech32, VALCONS_PREFIX } from "../crypto/bech32.js";
import { GrpcCode, GrpcStatusError } from "./abci-query.js";
import { cometCall, type CometClient } from "./comet-rpc.js";
import { messageJson } from "./lcd-json.js";
import { requireComet, type NodeRoute, type NodeRouteContext } from "./node-routes.js";
import { fromPagination, parseUint64, type ParamDoc } from "./routes-table.js";
import { PUBKEY_TYPE_URLS } from "./any-payloads.js";

const TENDERMINT = "/cosmos/base/tendermint/v1beta1";

/**
 * The Cosmos SDK release whose LCD this node's JSON follows. Explorers pick their API profile
 * from it (Ping.pub: gov v1 routes from v0.46, supply/by_denom from v0.50).
 */
export const COSMOS_SDK_COMPAT_VERSION = "v0.50.0";

const HEIGHT_PARAM: ParamDoc = { name: "height", in: "path", type: "integer", description: "block height" };

async function cometClient(ctx: NodeRouteContext): Promise<CometClient> {
  const comet = requireComet(ctx);
  return cometCall("CometBFT RPC", () => comet.client());
}

function timestamp(time: ReadonlyDateWithNanoseconds): { seconds: bigint; nanos: number } {
  const ms = time.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1_000_000 + (time.nanoseconds ?? 0) };
}

function blockId(id: comet38.BlockId | null): BlockID {
  return { hash: id?.hash ?? new Uint8Array(), partSetHeader: { total: id?.parts.total ?? 0, hash: id?.parts.hash ?? new Uint8Array() } };
}

function header(h: comet38.Header): Header {
  return {
    version: { block: BigInt(h.version.block), app: BigInt(h.version.app) },
    chainId: h.chainId,
    height: BigInt(h.height),
    time: timestamp(h.time),
    lastBlockId: blockId(h.lastBlockId),
    lastCommitHash: h.lastCommitHash,
    dataHash: h.dataHash,
    validatorsHash: h.validatorsHash,
    nextValidatorsHash: h.nextValidatorsHash,
    consensusHash: h.consensusHash,
    appHash: h.appHash,
    lastResultsHash: h.lastResultsHash,
    evidenceHash: h.evidenceHash,
    proposerAddress: h.proposerAddress,
  };
}

function commit(c: comet38.Commit | null): Commit | undefined {
  if (c === null) return undefined;
  return {
    height: BigInt(c.height),
    round: c.round,
    blockId: blockId(c.blockId),
    signatures: c.signatures.map((s): Commit["signatures"][number] => ({
      // Both enums number the flags as CometBFT does (1 absent, 2 commit, 3 nil).
      blockIdFlag: s.blockIdFlag as number,
      validatorAddress: s.validatorAddress ?? new Uint8Array(),
      timestamp: s.timestamp === undefined ? { seconds: -62_135_596_800n, nanos: 0 } : timestamp(s.timestamp),
      signature: s.signature ?? new Uint8Array(),
    })),
  };
}

/** The block twice, as the SDK answers: CometBFT's (proposer as bytes) and the SDK's (proposer as ogpuvalcons…). */
function blocks(b: comet38.Block): { block: Block; sdkBlock: CosmosBlock } {
  // cosmjs passes evidence through undecoded; a block carrying some is not rendered rather than shown without it.
  if (b.evidence.length > 0) throw new GrpcStatusError(GrpcCode.Unimplemented, `block ${b.header.height} carries evidence, which this node's LCD does not render`);
  const h = header(b.header);
  const body = { data: { txs: [...b.txs] }, evidence: { evidence: [] }, lastCommit: commit(b.lastCommit) };
  return {
    block: { header: h, ...body },
    sdkBlock: { header: { ...h, proposerAddress: toBech32(VALCONS_PREFIX, b.header.proposerAddress) }, ...body },
  };
}

async function blockAt(ctx: NodeRouteContext, height: bigint | undefined): Promise<{ blockId: BlockID; block: Block; sdkBlock: CosmosBlock; txs: readonly Uint8Array[] }> {
  const client = await cometClient(ctx);
  const res = await cometCall(`block ${height ?? "latest"}`, () => client.block(height === undefined ? undefined : Number(height)));
  return { blockId: blockId(res.blockId), ...blocks(res.block), txs: res.block.txs };
}

function heightParam(params: Readonly<Record<string, string>>): bigint {
  const height = parseUint64("height", params.height ?? "");
  if (height === 0n) throw new GrpcStatusError(GrpcCode.InvalidArgument, "block height must be greater than 0");
  return height;
}

function validatorPubKey(v: comet38.Validator): { typeUrl: string; value: Uint8Array } | undefined {
  if (v.pubkey === undefined) return undefined;
  if (v.pubkey.algorithm === "ed25519") return { typeUrl: PUBKEY_TYPE_URLS.ed25519, value: Ed25519PubKey.encode({ key: v.pubkey.data }).finish() };
  return { typeUrl: PUBKEY_TYPE_URLS.secp256k1, value: Secp256k1PubKey.encode({ key: v.pubkey.data }).finish() };
}

const PAGE_DEFAULT = 100n;

async function validatorSet(ctx: NodeRouteContext, height: bigint | undefined, input: Parameters<typeof fromPagination.read>[0]) {
  const client = await cometClient(ctx);
  const res = await cometCall(`validator set ${height ?? "latest"}`, () => client.validatorsAll(height === undefined ? undefined : Number(height)));
  const page = fromPagination.read(input);
  const offset = Number(page?.offset ?? 0n);
  const limit = Number(page?.limit || PAGE_DEFAULT);
  const chosen = res.validators.slice(offset, offset + limit);
  const response = GetLatestValidatorSetResponse.fromPartial({
    blockHeight: BigInt(res.blockHeight),
    validators: chosen.map((v) => ({
      address: toBech32(VALCONS_PREFIX, v.address),
      pubKey: validatorPubKey(v),
      votingPower: v.votingPower,
      proposerPriority: BigInt(v.proposerPriority ?? 0),
    })),
    pagination: { nextKey: new Uint8Array(), total: BigInt(res.validators.length) },
  });
  return messageJson(response, GetLatestValidatorSetResponse);
}

export const tendermintRoutes: readonly NodeRoute[] = [
  {
    method: "GET",
    path: `${TENDERMINT}/node_info`,
    summary: `CometBFT's node info and this application's version (cosmos_sdk_version names the SDK release whose LCD this follows, ${COSMOS_SDK_COMPAT_VERSION})`,
    params: [],
    async run(ctx) {
      const client = await cometClient(ctx);
      const { nodeInfo } = await cometCall("status", () => client.status());
      const response = GetNodeInfoResponse.fromPartial({
        defaultNodeInfo: {
          protocolVersion: { p2p: BigInt(nodeInfo.protocolVersion.p2p), block: BigInt(nodeInfo.protocolVersion.block), app: BigInt(nodeInfo.protocolVersion.app) },
          defaultNodeId: hex(nodeInfo.id),
          listenAddr: nodeInfo.listenAddr,
          network: nodeInfo.network,
          version: nodeInfo.version,
          channels: /^[0-9a-fA-F]*$/.test(nodeInfo.channels) && nodeInfo.channels.length % 2 === 0 ? fromHex(nodeInfo.channels) : new Uint8Array(),
          moniker: nodeInfo.moniker,
          other: { txIndex: nodeInfo.other.get("tx_index") ?? "", rpcAddress: nodeInfo.other.get("rpc_address") ?? "" },
        },
        applicationVersion: { name: "ogpu", appName: "ogpud", version: APP_VERSION, cosmosSdkVersion: COSMOS_SDK_COMPAT_VERSION },
      });
      return { json: messageJson(response, GetNodeInfoResponse) };
    },
  },
  {
    method: "GET",
    path: `${TENDERMINT}/syncing`,
    summary: "Whether the node is catching up",
    params: [],
    async run(ctx) {
      const client = await cometClient(ctx);
      const { syncInfo } = await cometCall("status", () => client.status());
      return { json: messageJson(GetSyncingResponse.fromPartial({ syncing: syncInfo.catchingUp }), GetSyncingResponse) };
    },
  },
  {
    method: "GET",
    path: `${TENDERMINT}/blocks/latest`,
    summary: "The latest block: block_id, block (proposer as bytes) and sdk_block (proposer as ogpuvalcons…)",
    params: [],
    async run(ctx) {
      const { txs: _txs, ...response } = await blockAt(ctx, undefined);
      return { json: messageJson(GetBlockByHeightResponse.fromPartial(response), GetBlockByHeightResponse) };
    },
  },
  {
    method: "GET",
    path: `${TENDERMINT}/blocks/{height}`,
    summary: "The block at a height",
    params: [HEIGHT_PARAM],
    async run(ctx, { params }) {
      const { txs: _txs, ...response } = await blockAt(ctx, heightParam(params));
      return { json: messageJson(GetBlockByHeightResponse.fromPartial(response), GetBlockByHeightResponse) };
    },
  },
  {
    method: "GET",
    path: `${TENDERMINT}/validatorsets/latest`,
    summary: "CometBFT's validator set at the latest height (addresses as ogpuvalcons…), paged by pagination.offset|limit",
    params: fromPagination.params,
    async run(ctx, input) {
      return { json: await validatorSet(ctx, undefined, input) };
    },
  },
  {
    method: "GET",
    path: `${TENDERMINT}/validatorsets/{height}`,
    summary: "CometBFT's validator set at a height",
    params: [HEIGHT_PARAM, ...fromPagination.params],
    async run(ctx, input) {
      return { json: await validatorSet(ctx, heightParam(input.params), input) };
    },
  },
  {
    method: "GET",
    path: "/cosmos/tx/v1beta1/txs/block/{height}",
    summary: "A block with its txs decoded (GetBlockWithTxs)",
    params: [HEIGHT_PARAM],
    async run(ctx, { params }) {
      const { txs, blockId, block } = await blockAt(ctx, heightParam(params));
      const response = GetBlockWithTxsResponse.fromPartial({ blockId, block });
      const json = messageJson(response, GetBlockWithTxsResponse);
      // The beacon tx a proposer puts first (app/beacon.ts: vote-extension randomness) is no Cosmos tx: left out.
      const cosmosTxs = txs.filter((t) => !isBeaconTx(t));
      json.txs = cosmosTxs.map((t) => messageJson(Tx.decode(t), Tx));
      json.pagination = { next_key: null, total: String(cosmosTxs.length) };
      return { json };
    },
  },
];
