import type { Invariant } from "../../app/module.js";
import { bytesKey } from "../../app/store/keys.js";
import { allExpiries, allGranteeIndex, allGrants, allowedMsgType, getGrant, partiesOf } from "./store.js";

const triple = (granter: Uint8Array, grantee: Uint8Array, msgTypeUrl: string) => `${bytesKey(granter)}|${bytesKey(grantee)}|${msgTypeUrl}`;

/** Grants decode, are keyed by the msg type they allow, and both indexes match them exactly. */
export const authzInvariants: Invariant[] = [
  {
    name: "authz/grants",
    check(store) {
      let count = 0;
      for (const g of allGrants(store)) {
        count++;
        const a = g.authorization;
        if (!getGrant(store, g.granter, g.grantee, allowedMsgType(a))) return `grant (${partiesOf(g)}) is not keyed by the msg type it allows`;
        if (a.kind === "submit_task" && a.spendLimit <= 0n) return `grant (${partiesOf(g)}) has an exhausted spend limit but was kept`;
      }
      let indexed = 0;
      for (const e of allGranteeIndex(store)) {
        indexed++;
        if (!getGrant(store, e.granter, e.grantee, e.msgTypeUrl)) return `grantee index names a grant that does not exist (${partiesOf(e)}, ${e.msgTypeUrl})`;
      }
      if (indexed !== count) return `the grantee index has ${indexed} entries for ${count} grants`;
      const queued = new Set<string>();
      for (const e of allExpiries(store)) {
        const g = getGrant(store, e.granter, e.grantee, e.msgTypeUrl);
        if (!g || g.expiration !== e.expiration) return `expiry queue entry at ${e.expiration} does not match a grant (${partiesOf(e)}, ${e.msgTypeUrl})`;
        queued.add(triple(e.granter, e.grantee, e.msgTypeUrl));
      }
      for (const g of allGrants(store)) {
        if (g.expiration !== undefined && !queued.has(triple(g.granter, g.grantee, allowedMsgType(g.authorization)))) return `grant (${partiesOf(g)}) expires at ${g.expiration} but is not in the expiry queue`;
      }
      return null;
    },
  },
];
