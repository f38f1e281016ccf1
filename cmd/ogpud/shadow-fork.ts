import { BASE_DENOM, MAX_SUPPLY } from "../../app/coins.js";
import type { Context } from "../../app/context.js";
import { DEC_ONE, parseDec } from "../../app/dec.js";
import { EventLog } from "../../app/events.js";
import { GasMeter } from "../../app/gas.js";
import { continueAt, type GenesisDocument } from "../../app/genesis-export.js";
import { createAppWiring } from "../../app/modules.js";
import { MemStore } from "../../app/store/kvstore.js";
import { consAddressOf, consensusKeyOf, valoperString } from "../../app/validator-address.js";
import { accountAddressString } from "../../app/address.js";
import { createValidatorMsg } from "../../x/genutil/gentx.js";

export interface ShadowForkOptions {
  /** The fork's chain id; never the source's, so nothing signed on the fork is valid there. */
  chainId: string;
  /** The local key's account address: the fork's only validator operator. */
  operator: Uint8Array;
  /** This node's ed25519 consensus public key (priv_validator_key.json). */
  consensusKey: Uint8Array;
  /** Fork-only uogpu minted to the operator and self-delegated at once (default: staking min_self_delegation). */
  stake?: bigint;
  moniker: string;
}

/** What the fork changed, written to config/shadow-fork.json and printed by the command. */
export interface ShadowForkReport {
  source_chain_id: string;
  source_height: string;
  fork_chain_id: string;
  initial_height: string;
  fork_validator: string;
  fork_stake_uogpu: string;
  /** Source validators jailed on the fork (kept with their stake, out of the consensus set). */
  jailed_validators: string[];
  supply_before_uogpu: string;
  supply_after_uogpu: string;
}

/**
 * Turns an exported genesis (`ogpud export`, or a node's /ogpu/node/v1/export) into the
 * genesis of a local single-validator fork, with the modules' own keepers: every module
 * imports the source state, every source validator is jailed (its records, delegations and
 * the pools stay as they are; it only leaves the consensus set), `stake` fork-only uogpu is
 * minted to the operator and self-delegated through x/staking's MsgCreateValidator handler
 * (no tx: the operator's sequence does not move), the set is recomputed, the invariants are
 * checked, and every module exports again. docs/shadow-fork.md lists what differs and why.
 */
export function shadowForkGenesis(source: GenesisDocument, opts: ShadowForkOptions): { genesis: GenesisDocument; report: ShadowForkReport } {
  if (opts.chainId === source.chain_id) throw new Error(`the fork needs its own chain id (not ${source.chain_id}): txs signed on it must never be valid on the source chain`);
  const initialHeight = BigInt(source.initial_height ?? "1");
  const { modules, keepers } = createAppWiring();
  const store = new MemStore();
  const ctx: Context = { store, block: { chainId: opts.chainId, height: initialHeight - 1n, timeSeconds: genesisSeconds(source), beacon: new Uint8Array() }, mode: "deliver", gas: new GasMeter(), events: new EventLog() };
  const appState = source.app_state ?? {};
  const noTxs = { deliverTx: () => ({ code: 1, codespace: "genutil", log: "a shadow fork runs no genesis txs" }) };
  for (const m of modules) m.initGenesis(ctx, appState[m.name], noTxs);

  const operator = accountAddressString(opts.operator);
  if (keepers.staking.getValidator(store, opts.operator)) throw new Error(`${operator} already operates validator ${valoperString(opts.operator)} in the source state: fork with another key`);
  const jailed: string[] = [];
  for (const { validator } of keepers.staking.allValidators(store)) {
    if (validator.jailed) continue;
    keepers.staking.jail(ctx, consAddressOf(consensusKeyOf(validator)));
    jailed.push(validator.operatorAddress);
  }

  const params = keepers.staking.params(store);
  const stake = opts.stake ?? BigInt(params.min_self_delegation);
  const supplyBefore = keepers.bank.getSupply(store, BASE_DENOM);
  if (supplyBefore + stake > MAX_SUPPLY) throw new Error(`the fork stake ${stake}${BASE_DENOM} would take the supply above the 21,000,000 OGPU cap`);
  keepers.bank.mintToAccountAtGenesis(store, opts.operator, [{ denom: BASE_DENOM, amount: stake }]);
  const create = createValidatorMsg({
    operator: opts.operator,
    consensusKey: opts.consensusKey,
    amount: stake,
    moniker: opts.moniker,
    commissionRate: parseDec(params.min_commission_rate).toString(),
    commissionMaxRate: DEC_ONE.toString(),
    commissionMaxChangeRate: (DEC_ONE / 100n).toString(),
    minSelfDelegation: BigInt(params.min_self_delegation),
  });
  const handler = modules.flatMap((m) => m.msgs).find((r) => r.typeUrl === create.typeUrl);
  if (!handler) throw new Error(`no handler for ${create.typeUrl}`);
  const msg = handler.decode(create.value);
  msg.validate();
  msg.handle(ctx);
  keepers.staking.applyValidatorSetChanges(store);

  const broken = modules.flatMap((m) => m.invariants.map((inv) => ({ name: inv.name, problem: inv.check(store) }))).filter((r) => r.problem !== null);
  if (broken.length > 0) throw new Error(`the fork state breaks invariants: ${broken.map((b) => `${b.name}: ${b.problem}`).join("; ")}`);
  const forked = continueAt({ ...source, chain_id: opts.chainId, app_hash: "", validators: [], app_state: Object.fromEntries(modules.map((m) => [m.name, m.exportGenesis(store)])) }, initialHeight);
  return {
    genesis: forked,
    report: {
      source_chain_id: source.chain_id,
      source_height: String(initialHeight - 1n),
      fork_chain_id: opts.chainId,
      initial_height: String(initialHeight),
      fork_validator: valoperString(opts.operator),
      fork_stake_uogpu: stake.toString(),
      jailed_validators: jailed,
      supply_before_uogpu: supplyBefore.toString(),
      supply_after_uogpu: keepers.bank.getSupply(store, BASE_DENOM).toString(),
    },
  };
}

function genesisSeconds(doc: GenesisDocument): bigint {
  const ms = typeof doc.genesis_time === "string" ? Date.parse(doc.genesis_time) : NaN;
  return Number.isNaN(ms) ? 0n : BigInt(Math.floor(ms / 1000));
}
