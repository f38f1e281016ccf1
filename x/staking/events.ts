import type { EventLog } from "../../app/events.js";

/** The SDK's x/staking event types and attribute keys (indexers read them unchanged). */
export interface StakingEvents {
  create_validator: { validator: string; amount: string };
  edit_validator: { commission_rate: string; min_self_delegation: string };
  delegate: { validator: string; delegator: string; amount: string; new_shares: string };
  unbond: { validator: string; delegator: string; amount: string; completion_height: string };
  redelegate: { source_validator: string; destination_validator: string; delegator: string; amount: string; completion_height: string };
  complete_unbonding: { amount: string; validator: string; delegator: string };
  complete_redelegation: { source_validator: string; destination_validator: string; delegator: string };
  jail: { validator: string; consensus_address: string };
  unjail: { validator: string };
  slash: { address: string; validator: string; fraction_bps: string; infraction_height: string; burned_coins: string };
}

export function emitStakingEvent<T extends keyof StakingEvents>(events: EventLog, type: T, attributes: StakingEvents[T]): void {
  events.emit(type, { ...attributes });
}
