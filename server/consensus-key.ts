import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ed25519Signer } from "../crypto/ed25519.js";

/** CometBFT's default place for the consensus key (config.toml priv_validator_key_file). */
export const consensusKeyFile = (home: string) => join(home, "config", "priv_validator_key.json");

interface PrivValidatorKeyJson {
  pub_key?: { type?: string; value?: string };
  priv_key?: { type?: string; value?: string };
}

function readKeyJson(file: string): PrivValidatorKeyJson {
  if (!existsSync(file)) throw new Error(`no ${file}: run 'ogpud init' first`);
  return JSON.parse(readFileSync(file, "utf8")) as PrivValidatorKeyJson;
}

/** The ed25519 consensus public key CometBFT generated for this node. */
export function readConsensusPubKey(home: string): Uint8Array {
  const file = consensusKeyFile(home);
  const json = readKeyJson(file);
  if (json.pub_key?.type !== "tendermint/PubKeyEd25519" || !json.pub_key.value) throw new Error(`${file} does not hold an ed25519 key`);
  return new Uint8Array(Buffer.from(json.pub_key.value, "base64"));
}

/**
 * The node's consensus key as a signer for its beacon contribution (vote extension). ogpud
 * reads the same file cometbft signs votes with; the key never leaves the node home.
 */
export function readConsensusSigner(home: string): (message: Uint8Array) => Uint8Array {
  const file = consensusKeyFile(home);
  const json = readKeyJson(file);
  if (json.priv_key?.type !== "tendermint/PrivKeyEd25519" || !json.priv_key.value) throw new Error(`${file} does not hold an ed25519 private key`);
  return ed25519Signer(new Uint8Array(Buffer.from(json.priv_key.value, "base64"))).sign;
}
