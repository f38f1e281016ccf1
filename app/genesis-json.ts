/**
 * Small readers for genesis JSON sections: each module validates its own section and
 * reports the exact path of a bad field, so `ogpud start` fails with a readable reason.
 */
export class GenesisError extends Error {}

export function asObject(value: unknown, path: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new GenesisError(`${path} must be an object`);
  return value as Record<string, unknown>;
}

export function asArray(value: unknown, path: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new GenesisError(`${path} must be an array`);
  return value;
}

export function asString(value: unknown, path: string): string {
  if (typeof value !== "string") throw new GenesisError(`${path} must be a string`);
  return value;
}

/** Runs `fn`, prefixing any error with the JSON path it concerns. */
export function atPath<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof GenesisError) throw err;
    throw new GenesisError(`${path}: ${(err as Error).message}`);
  }
}
