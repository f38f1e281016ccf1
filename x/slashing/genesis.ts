import { asArray, asObject, asString, atPath, GenesisError } from "../../app/genesis-json.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { fromBech32, VALCONS_PREFIX } from "../../crypto/bech32.js";
import { slashingParams } from "./params.js";
import { allMissedBits, allSigningInfos, getBit, setBit, setMissedBits, setSigningInfo } from "./store.js";
import { valconsString } from "../../app/validator-address.js";

/**
 * Genesis section `slashing`: params, and for an exported chain each validator's signing info
 * and the window slots it missed. Heights are decimal strings; jailed_until_height is a height
 * (the chain has no clock), 9223372036854775807 for a tombstoned key.
 *
 *   { "params": {…}, "signing_infos": [{ "address": "ogpuvalcons1…", "start_height": "5",
 *     "index_offset": "42", "jailed_until_height": "0", "tombstoned": false,
 *     "missed_blocks_counter": "2", "missed_indices": [3, 17] }] }
 */
export function initSlashingGenesis(store: KVStore, json: unknown): void {
  const s = asObject(json, "slashing");
  const params = atPath("slashing.params", () => slashingParams.parse(s.params));
  slashingParams.set(store, params);
  asArray(s.signing_infos, "slashing.signing_infos").forEach((entry, i) => {
    const path = `slashing.signing_infos[${i}]`;
    const o = asObject(entry, path);
    const height = (field: string) => atPath(`${path}.${field}`, () => BigInt(asString(o[field], `${path}.${field}`)));
    const address = asString(o.address, `${path}.address`);
    const cons = atPath(`${path}.address`, () => fromBech32(address, VALCONS_PREFIX));
    if (typeof o.tombstoned !== "boolean") throw new GenesisError(`${path}.tombstoned must be a boolean`);
    const bits = new Uint8Array(Math.ceil(params.signed_blocks_window / 8));
    for (const [j, index] of asArray(o.missed_indices, `${path}.missed_indices`).entries()) {
      if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= params.signed_blocks_window) {
        throw new GenesisError(`${path}.missed_indices[${j}] must be an integer in [0, signed_blocks_window)`);
      }
      setBit(bits, index, true);
    }
    setSigningInfo(store, cons, {
      address: valconsString(cons),
      startHeight: height("start_height"),
      indexOffset: height("index_offset"),
      jailedUntil: { seconds: height("jailed_until_height"), nanos: 0 },
      tombstoned: o.tombstoned,
      missedBlocksCounter: height("missed_blocks_counter"),
    });
    setMissedBits(store, cons, bits);
  });
}

export function exportSlashingGenesis(store: KVStore): unknown {
  const params = slashingParams.get(store);
  const missed = new Map([...allMissedBits(store)].map(({ cons, bits }) => [valconsString(cons), bits]));
  return {
    params,
    signing_infos: [...allSigningInfos(store)].map(({ info }) => {
      const bits = missed.get(info.address);
      return {
        address: info.address,
        start_height: info.startHeight.toString(),
        index_offset: info.indexOffset.toString(),
        jailed_until_height: info.jailedUntil.seconds.toString(),
        tombstoned: info.tombstoned,
        missed_blocks_counter: info.missedBlocksCounter.toString(),
        missed_indices: bits ? Array.from({ length: params.signed_blocks_window }, (_, i) => i).filter((i) => getBit(bits, i)) : [],
      };
    }),
  };
}

/** A fresh chain's `slashing` section (`ogpud init`): default params, no records. */
export function defaultSlashingGenesis(): unknown {
  return { params: slashingParams.parse(undefined) };
}
