import type { PageRequest, PageResponse } from "../proto/gen/ogpu/query/v1/pagination.js";
import { invalidArgument } from "./errors.js";
import type { KVStore } from "./store/kvstore.js";
import { bytesKey, keyBytes, type StoreKey } from "./store/keys.js";

/** Page size when a request gives none, and the most one page returns (the SDK's defaults are 100 and unbounded). */
export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

/**
 * One page of an index `prefix ‖ tail → value`, with the Cosmos SDK's PageRequest rules:
 * key (resume at prefix ‖ key) or offset, limit (default 100, capped at 1000), count_total
 * (only without key). Reads only the entries it returns plus one — or, with count_total or
 * offset, the index keys it skips or counts (never a record).
 */
export function paginateIndex(store: KVStore, prefix: StoreKey, page: PageRequest | undefined): { tails: StoreKey[]; pagination: PageResponse } {
  const { items, pagination } = paginateFiltered(store, prefix, page, (tail) => tail);
  return { tails: items, pagination };
}

/**
 * One page of the entries under `prefix` that `match` accepts (it returns the item, or
 * undefined to skip), the way the SDK's FilteredPaginate does: walk keys from the cursor until
 * `limit` matches or the end; next_key is the key after the last match; offset and count_total
 * count matches. Without count_total or offset it reads the page's entries, the non-matches
 * between them, and one more.
 */
export function paginateFiltered<T>(
  store: KVStore,
  prefix: StoreKey,
  page: PageRequest | undefined,
  match: (tail: StoreKey, value: Uint8Array) => T | undefined,
): { items: T[]; pagination: PageResponse } {
  const req = page ?? { key: new Uint8Array(), offset: 0n, limit: 0n, countTotal: false, reverse: false };
  if (req.reverse) throw invalidArgument("pagination.reverse is not supported");
  if (req.key.length > 0 && req.offset > 0n) throw invalidArgument("pagination: either key or offset may be set, not both");
  const limit = req.limit === 0n ? DEFAULT_PAGE_LIMIT : Number(req.limit > BigInt(MAX_PAGE_LIMIT) ? BigInt(MAX_PAGE_LIMIT) : req.limit);
  const countTotal = req.countTotal && req.key.length === 0;
  const from = req.key.length > 0 ? prefix + bytesKey(req.key) : undefined;
  const items: T[] = [];
  let matched = 0n;
  let nextKey = new Uint8Array();
  for (const [key, value] of store.iterate(prefix, from)) {
    const tail = key.slice(prefix.length);
    if (items.length === limit && nextKey.length === 0) {
      // The page is full: the next key, match or not, is where the next page resumes.
      nextKey = new Uint8Array(keyBytes(tail));
      if (!countTotal) break;
    }
    const item = match(tail, value);
    if (item === undefined) continue;
    matched++;
    if (matched <= req.offset || items.length === limit) continue;
    items.push(item);
  }
  return { items, pagination: { nextKey, total: countTotal ? matched : 0n } };
}
