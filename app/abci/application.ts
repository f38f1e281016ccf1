import type {
  RequestCheckTx,
  RequestExtendVote,
  RequestFinalizeBlock,
  RequestInfo,
  RequestInitChain,
  RequestPrepareProposal,
  RequestProcessProposal,
  RequestQuery,
  RequestVerifyVoteExtension,
  ResponseCheckTx,
  ResponseCommit,
  ResponseExtendVote,
  ResponseFinalizeBlock,
  ResponseInfo,
  ResponseInitChain,
  ResponsePrepareProposal,
  ResponseProcessProposal,
  ResponseQuery,
  ResponseVerifyVoteExtension,
} from "cosmjs-types/tendermint/abci/types";

type Awaitable<T> = T | Promise<T>;

/**
 * What the socket server needs from the state machine: the ABCI 2.0 methods CometBFT v0.38
 * calls. Snapshot methods are answered empty by the server itself (state sync is not offered).
 */
export interface AbciApplication {
  info(req: RequestInfo): Awaitable<ResponseInfo>;
  initChain(req: RequestInitChain): Awaitable<ResponseInitChain>;
  query(req: RequestQuery): Awaitable<ResponseQuery>;
  checkTx(req: RequestCheckTx): Awaitable<ResponseCheckTx>;
  prepareProposal(req: RequestPrepareProposal): Awaitable<ResponsePrepareProposal>;
  processProposal(req: RequestProcessProposal): Awaitable<ResponseProcessProposal>;
  extendVote(req: RequestExtendVote): Awaitable<ResponseExtendVote>;
  verifyVoteExtension(req: RequestVerifyVoteExtension): Awaitable<ResponseVerifyVoteExtension>;
  finalizeBlock(req: RequestFinalizeBlock): Awaitable<ResponseFinalizeBlock>;
  commit(): Awaitable<ResponseCommit>;
}
