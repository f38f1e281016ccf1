import type { FastifyInstance, FastifyRequest } from "fastify";

/** Where a node serves the Keplr ChainInfo of its chain (docs/rest.md). */
export const KEPLR_CHAIN_INFO_PATH = "/ogpu/chain-info/v1/keplr";

/**
 * The Keplr ChainInfo for a REST URL: what `ogpud chain-info` prints (cmd/ogpud/chain-info.ts,
 * the one implementation), injected by `ogpud start` since server/ sits below cmd/.
 */
export type ChainInfoSource = (restUrl: string) => Promise<object>;

/** The URL this request reached the server at: the REST endpoint as its caller sees it. */
function requestOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/**
 * GET /ogpu/chain-info/v1/keplr: the argument for Keplr's experimentalSuggestChain, so a web
 * page can add the chain without a file from the operator. Its `rest` is the origin the
 * caller used (a browser reached the node there, so Keplr can too); `rpc` is the node's
 * configured CometBFT RPC, as `ogpud chain-info` gives it.
 */
export function registerChainInfoRoute(rest: FastifyInstance, chainInfo: ChainInfoSource): void {
  rest.get(KEPLR_CHAIN_INFO_PATH, async (request) => chainInfo(requestOrigin(request)));
}
