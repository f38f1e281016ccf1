/**
 * x/authz has no governance params: these bounds are constants, checked statelessly.
 * MsgExec runs at most MAX_EXEC_MSGS inner msgs (each charged its own gas), which keeps one
 * tx's work bounded below the app-wide list cap (app/string-caps.ts MAX_MSG_LIST_LENGTH).
 */
export const MAX_EXEC_MSGS = 16;

/** Gas charged per stored grant a MsgGrant/MsgRevoke writes or deletes, beyond the msg's flat gas. */
export const GAS_PER_GRANT_WRITE = 2_000;
