import type { Any } from "cosmjs-types/google/protobuf/any";
import { govAuthority } from "../../app/authority.js";
import type { Context } from "../../app/context.js";
import { AppError, toAppError } from "../../app/errors.js";
import { EventLog } from "../../app/events.js";
import { GasMeter } from "../../app/gas.js";
import type { DecodedMsg } from "../../app/module.js";
import type { MsgRouter } from "../../app/msg-router.js";
import { Branch, type KVStore } from "../../app/store/kvstore.js";
import { govError, GovCode } from "./errors.js";

/**
 * Decodes one proposal message through the app's router and checks the SDK's rule that its
 * only signer is the gov account, then runs its stateless validation: what would make it
 * fail whatever the state is, caught before anyone deposits on it.
 */
function decodeProposalMessage(router: MsgRouter, any: Any, i: number): DecodedMsg {
  const type = router.route(any.typeUrl);
  if (!type) throw govError(GovCode.UnroutableProposalMsg, `proposal message ${i}: ${any.typeUrl} is not a message this chain routes: proposal message not recognized by router`);
  let msg: DecodedMsg;
  try {
    msg = type.decode(any.value);
  } catch (err) {
    throw govError(GovCode.InvalidProposal, `proposal message ${i} (${any.typeUrl}) does not decode: ${(err as Error).message}`);
  }
  const signers = msg.signers();
  const gov = govAuthority();
  if (signers.length !== 1 || signers[0] !== gov) {
    throw govError(GovCode.InvalidSigner, `proposal message ${i} (${any.typeUrl}) is signed by ${signers.join(",") || "nobody"}; expected gov account ${gov} as only signer for proposal message`);
  }
  try {
    msg.validate();
  } catch (err) {
    const e = toAppError(err);
    throw new AppError(e.codespace, e.code, `proposal message ${i} (${any.typeUrl}): ${e.message}`);
  }
  return msg;
}

/** Checks every message at submit and charges each one's gas; returns their type URLs (for the event). */
export function checkProposalMessages(router: MsgRouter, messages: readonly Any[], charge: (gas: number, what: string) => void): string[] {
  return messages.map((any, i) => {
    decodeProposalMessage(router, any, i);
    charge(router.route(any.typeUrl)!.gas, `proposal message ${any.typeUrl}`);
    return any.typeUrl;
  });
}

/**
 * Runs a passed proposal's messages in order on a branch of state, as one tx would: all of
 * them or none, then `check`s the result. Returns undefined on success (the branch and its
 * events are kept), or the reason of the first failure; nothing thrown here can stop the block.
 */
export function executeMessages(ctx: Context, router: MsgRouter, messages: readonly Any[], check: (branch: KVStore) => string | undefined): string | undefined {
  const branch = new Branch(ctx.store);
  const events = new EventLog();
  // Gas was paid at submit; the meter here only counts.
  const inner: Context = { store: branch, block: ctx.block, mode: ctx.mode, gas: new GasMeter(), events };
  for (let i = 0; i < messages.length; i++) {
    try {
      decodeProposalMessage(router, messages[i]!, i).handle(inner);
    } catch (err) {
      const e = toAppError(err);
      return `message ${i} (${messages[i]!.typeUrl}) failed: codespace ${e.codespace} code ${e.code}: ${e.message}`;
    }
  }
  // What the messages did as a whole must leave gov's own books intact (keeper.ts keepsDeposits).
  const broken = check(branch);
  if (broken !== undefined) return broken;
  branch.writeToParent();
  ctx.events.append(events);
  return undefined;
}
