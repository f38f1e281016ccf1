import { INVALID_AUTHORITY_CODE } from "../../app/authority.js";
import { moduleErrors } from "../../app/errors.js";

/** Codespace `gov`, with the Cosmos SDK's x/gov code numbers (types/errors.go). */
export const govError = moduleErrors("gov");
export const GovCode = {
  UnknownProposal: 2,
  InactiveProposal: 3,
  InvalidProposalContent: 5,
  InvalidProposalType: 6,
  InvalidVote: 7,
  InvalidGenesis: 8,
  UnroutableProposalMsg: 10,
  /** A proposal message whose signer is not the gov account: the shared authority code (app/authority.ts). */
  InvalidSigner: INVALID_AUTHORITY_CODE,
  MetadataTooLong: 15,
  MinDepositTooSmall: 16,
  InvalidProposer: 18,
  VotingPeriodEnded: 20,
  InvalidProposal: 21,
  SummaryTooLong: 22,
  InvalidDepositDenom: 23,
  /** Ours: a per-proposal cap (voters, depositors) is full. */
  ProposalFull: 100,
} as const;
