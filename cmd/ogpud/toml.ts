/**
 * Reads and edits values in CometBFT's config.toml in place, keeping its comments and layout.
 * Only the flat `key = value` lines CometBFT writes are supported; that is all we touch.
 */
export type TomlValue = string | number | boolean | string[];

function render(value: TomlValue): string {
  if (Array.isArray(value)) return `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** The quoted string value of `key` inside `[section]`, or undefined when absent. */
export function getTomlString(text: string, section: string, key: string): string | undefined {
  let current = "";
  for (const line of text.split("\n")) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      current = header[1]!.trim();
      continue;
    }
    const match = new RegExp(`^\\s*${key.replace(/\./g, "\\.")}\\s*=\\s*"([^"]*)"`).exec(line);
    if (current === section && match) return match[1];
  }
  return undefined;
}

/** Sets `key` inside `[section]` ("" = the top, before any section header). */
export function setTomlValue(text: string, section: string, key: string, value: TomlValue): string {
  const lines = text.split("\n");
  let current = "";
  for (let i = 0; i < lines.length; i++) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(lines[i]!);
    if (header) {
      current = header[1]!.trim();
      continue;
    }
    if (current === section && new RegExp(`^\\s*${key.replace(/\./g, "\\.")}\\s*=`).test(lines[i]!)) {
      lines[i] = `${key} = ${render(value)}`;
      return lines.join("\n");
    }
  }
  throw new Error(`config.toml has no key ${section ? section + "." : ""}${key}`);
}

export function setTomlValues(text: string, values: readonly [section: string, key: string, value: TomlValue][]): string {
  return values.reduce((t, [section, key, value]) => setTomlValue(t, section, key, value), text);
}
