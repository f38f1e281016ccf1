/**
 * Randomness for every layer, in Node and in browsers alike: WebCrypto's getRandomValues
 * (Node ≥ 19 has it on globalThis). Functions that draw randomness take a `RandomSource`
 * argument defaulting to this one, so test vectors can pin every random byte
 * (sdk/testdata/envelope-vectors.json).
 */
export type RandomSource = (length: number) => Uint8Array;

/** getRandomValues fills at most 65,536 bytes per call. */
const MAX_PER_CALL = 65_536;

export const secureRandom: RandomSource = (length) => {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += MAX_PER_CALL) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(length, i + MAX_PER_CALL)));
  return out;
};
