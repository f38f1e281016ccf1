/**
 * Our list queries return everything in one page (per-account lists and validator sets are
 * small); the response still carries the SDK's PageResponse so clients that page work.
 */
export function singlePage(total: number): { nextKey: Uint8Array; total: bigint } {
  return { nextKey: new Uint8Array(), total: BigInt(total) };
}
