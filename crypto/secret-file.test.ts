import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeSecretFile } from "./secret-file.js";

describe("writeSecretFile (issue 10 item 13: files holding mnemonics are 0600)", () => {
  it("creates the file 0600 and replaces a world-readable one with a 0600 file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ogpu-secret-"));
    try {
      const path = join(dir, "nodes.json");
      await writeSecretFile(path, "first\n");
      expect(statSync(path).mode & 0o777).toBe(0o600);
      writeFileSync(path, "loose\n");
      chmodSync(path, 0o644);
      await writeSecretFile(path, "second\n");
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path, "utf8")).toBe("second\n");
      expect(readdirSync(dir)).toEqual(["nodes.json"]); // no temporary file left behind
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
