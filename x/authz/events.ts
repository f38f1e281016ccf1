import type { EventLog } from "../../app/events.js";

/**
 * The SDK's authz events carry granter, grantee and msg_type_url (typed events
 * cosmos.authz.v1beta1.EventGrant / EventRevoke); ours use the same attribute names as plain
 * events, all indexed (clients search by granter or grantee).
 */
export function emitGrant(events: EventLog, granter: string, grantee: string, msgTypeUrl: string): void {
  events.emit("authz_grant", { granter, grantee, msg_type_url: msgTypeUrl });
}

export function emitRevoke(events: EventLog, granter: string, grantee: string, msgTypeUrl: string): void {
  events.emit("authz_revoke", { granter, grantee, msg_type_url: msgTypeUrl });
}

/** One inner msg run under a grant; `spent` is the escrow a task submission moved (uogpu). */
export function emitExec(events: EventLog, granter: string, grantee: string, msgTypeUrl: string, spent: bigint): void {
  events.emit("authz_exec", { granter, grantee, msg_type_url: msgTypeUrl, spent: spent.toString() }, ["spent"]);
}
