import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clientDefaults, readClientConfig, writeClientConfig } from "./client-config.js";
import { runOgpud } from "./run.js";

let home: string;
const saved = { ...process.env };
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "ogpud-client-config-"));
  for (const k of Object.keys(process.env)) if (k.startsWith("OGPUD_")) delete process.env[k];
});
afterEach(async () => {
  process.env = { ...saved };
  await rm(home, { recursive: true, force: true });
});

describe("client.toml and OGPUD_* variables", () => {
  it("a flag wins over the environment, which wins over client.toml", async () => {
    await writeClientConfig(home, "node", "tcp://toml:26657");
    await writeClientConfig(home, "chain-id", "from-toml");
    await writeClientConfig(home, "output", "json");
    process.env.OGPUD_CHAIN_ID = "from-env";
    const filled = await clientDefaults({ home, node: "http://flag:26657" });
    expect(filled).toMatchObject({ home, node: "http://flag:26657", "chain-id": "from-env", output: "json" });
    expect(filled["keyring-backend"]).toBeUndefined();
    expect(await readClientConfig(home)).toEqual({ node: "tcp://toml:26657", "chain-id": "from-toml", output: "json" });
  });

  it("OGPUD_HOME picks the home whose client.toml is read", async () => {
    await writeClientConfig(home, "keyring-backend", "test");
    process.env.OGPUD_HOME = home;
    expect(await clientDefaults({})).toMatchObject({ home, "keyring-backend": "test" });
  });

  it("ogpud config sets, gets and lists; unknown keys are refused", async () => {
    expect((await runOgpud(["config", "broadcast-mode", "sync", "--home", home])).code).toBe(0);
    expect((await runOgpud(["config", "broadcast-mode", "--home", home])).stdout).toBe("sync");
    expect(JSON.parse((await runOgpud(["config", "--home", home])).stdout)).toMatchObject({ "broadcast-mode": "sync", node: "" });
    const bad = await runOgpud(["config", "nodes", "x", "--home", home]);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringMatching(/unknown client setting 'nodes'/)]);
  });

  it("genesis validate runs InitChain: an unknown module section is reported", async () => {
    const file = join(home, "genesis.json");
    await writeFile(file, JSON.stringify({ chain_id: "x-1", genesis_time: "2026-01-01T00:00:00Z", app_state: { nope: {} } }));
    const run = await runOgpud(["genesis", "validate", file]);
    expect([run.code, run.stderr]).toEqual([1, expect.stringMatching(/invalid: app_state has a section for unknown module "nope"/)]);
    await writeFile(file, JSON.stringify({ chain_id: "x-1", genesis_time: "2026-01-01T00:00:00Z", app_state: {} }));
    expect((await runOgpud(["genesis", "validate", file])).stdout).toMatch(/is a valid genesis file \(chain x-1\)/);
  });
});
