/**
 * GPU tiers 0..MAX_TIER: x/workers maps catalog models to a tier, x/market prices and matches
 * tasks per tier. A protocol constant both modules read, so it lives below x/.
 */
export const MAX_TIER = 3;
