import type { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import type { Context } from "../../app/context.js";
import { asArray, asObject, asString, GenesisError } from "../../app/genesis-json.js";
import type { GenesisTools } from "../../app/module.js";
import type { StakingKeeper } from "../staking/keeper.js";

/**
 * Genesis section `genutil`: `gen_txs`, base64 TxRaw bytes collected by `ogpud genesis
 * collect-gentxs`. Each runs through the full tx pipeline at height 0 (after auth, bank,
 * staking and distribution have their genesis state); then the validator set x/staking
 * computes is returned to CometBFT — genesis.json's own `validators` list is left empty.
 */
export function initGenutilGenesis(staking: Pick<StakingKeeper, "applyValidatorSetChanges">, ctx: Context, json: unknown, tools: GenesisTools): ValidatorUpdate[] {
  const s = asObject(json, "genutil");
  asArray(s.gen_txs, "genutil.gen_txs").forEach((entry, i) => {
    const text = asString(entry, `genutil.gen_txs[${i}]`);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new GenesisError(`genutil.gen_txs[${i}] is not base64`);
    const res = tools.deliverTx(Buffer.from(text, "base64"));
    if (res.code !== 0) throw new GenesisError(`genutil.gen_txs[${i}] failed: codespace ${res.codespace} code ${res.code}: ${res.log}`);
  });
  return staking.applyValidatorSetChanges(ctx.store);
}

export function exportGenutilGenesis(): unknown {
  // An exported chain carries its validators in the staking section; no txs to replay.
  return { gen_txs: [] };
}

/** A fresh chain's `genutil` section (`ogpud init`): default params, no records. */
export function defaultGenutilGenesis(): unknown {
  return { gen_txs: [] };
}
