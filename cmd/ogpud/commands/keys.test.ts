import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { parseCommandArgs, type Command } from "../../cli.js";
import { makeKeysCommands, type KeysIo } from "./keys.js";
import { fromBech32, toBech32 } from "../../../crypto/bech32.js";

const MNEMONIC =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon " +
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art";

/** Captures output and answers prompts from a queue, like a user at a terminal. */
function fakeIo(answers: string[] = []): KeysIo & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    out: (text) => lines.push(text),
    prompt: async () => answers.shift() ?? "",
    secret: async () => answers.shift() ?? "",
  };
}

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "ogpu-keys-cli-"));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function run(io: KeysIo, argv: string[]): Promise<number | void> {
  const commands = makeKeysCommands(io);
  const cmd = commands.find((c) => argv.join(" ").startsWith(c.name)) as Command;
  const rest = argv.slice(cmd.name.split(" ").length);
  return cmd.run(parseCommandArgs(cmd, [...rest, "--home", home, "--keyring-backend", "test"]));
}

describe("ogpud keys", () => {
  it("add prints the key and a new mnemonic with a warning", async () => {
    const io = fakeIo();
    expect(await run(io, ["keys", "add", "alice"])).toBe(0);
    const text = io.lines.join("\n");
    expect(text).toMatch(/- name: alice\n {2}type: secp256k1\n {2}address: ogpu1[0-9a-z]+\n {2}pubkey: \S+/);
    expect(text).toContain("**Important** write this mnemonic phrase in a safe place.");
    const mnemonic = text.trim().split("\n").at(-1) ?? "";
    expect(mnemonic.split(" ")).toHaveLength(24);
  });

  it("add --recover reads the mnemonic and matches cosmjs; json is one object", async () => {
    const io = fakeIo([MNEMONIC]);
    await run(io, ["keys", "add", "alice", "--recover", "--output", "json"]);
    expect(io.lines).toHaveLength(1);
    const out = JSON.parse(io.lines[0]) as Record<string, string>;
    const [account] = await (await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "ogpu" })).getAccounts();
    expect(out).toEqual({ name: "alice", type: "secp256k1", address: account.address, pubkey: Buffer.from(account.pubkey).toString("base64") });
  });

  it("add in json mode includes a generated mnemonic", async () => {
    const io = fakeIo();
    await run(io, ["keys", "add", "pq", "--key-type", "mldsa65", "--output", "json"]);
    const out = JSON.parse(io.lines[0]) as Record<string, string>;
    expect(out.type).toBe("mldsa65");
    expect(out.mnemonic.split(" ")).toHaveLength(24);
    expect(out.address).toMatch(/^ogpu1/);
  });

  it("add rejects duplicates, empty recover input and unknown key types", async () => {
    await run(fakeIo(), ["keys", "add", "alice"]);
    await expect(run(fakeIo(), ["keys", "add", "alice"])).rejects.toThrow(/already exists/);
    await expect(run(fakeIo([""]), ["keys", "add", "bob", "--recover"])).rejects.toThrow(/no mnemonic/);
    await expect(run(fakeIo(), ["keys", "add", "bob", "--key-type", "rsa"])).rejects.toThrow(/--key-type/);
  });

  it("list and show (text, json, --address)", async () => {
    await run(fakeIo([MNEMONIC]), ["keys", "add", "bob", "--recover"]);
    await run(fakeIo(), ["keys", "add", "alice"]);
    const list = fakeIo();
    await run(list, ["keys", "list", "--output", "json"]);
    expect((JSON.parse(list.lines[0]) as Array<{ name: string }>).map((k) => k.name)).toEqual(["alice", "bob"]);

    const [account] = await (await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "ogpu" })).getAccounts();
    const addr = fakeIo();
    await run(addr, ["keys", "show", "bob", "--address"]);
    expect(addr.lines).toEqual([account.address]);
    const text = fakeIo();
    await run(text, ["keys", "show", "bob"]);
    expect(text.lines[0]).toContain(`address: ${account.address}`);
    await expect(run(fakeIo(), ["keys", "show", "carol"])).rejects.toThrow("key 'carol' not found in the test keyring");
  });

  it("list on an empty keyring says so", async () => {
    const io = fakeIo();
    await run(io, ["keys", "list"]);
    expect(io.lines).toEqual(["No keys found."]);
  });

  it("delete asks for confirmation unless --yes", async () => {
    await run(fakeIo(), ["keys", "add", "alice"]);
    await expect(run(fakeIo(["n"]), ["keys", "delete", "alice"])).rejects.toThrow(/aborted/);
    const kept = fakeIo();
    await run(kept, ["keys", "show", "alice", "--address"]);
    expect(kept.lines[0]).toMatch(/^ogpu1/);

    const io = fakeIo(["y"]);
    await run(io, ["keys", "delete", "alice"]);
    expect(io.lines).toEqual(["Key 'alice' deleted."]);
    await run(fakeIo(), ["keys", "add", "bob"]);
    await run(fakeIo(), ["keys", "delete", "bob", "--yes"]);
    const list = fakeIo();
    await run(list, ["keys", "list", "--output", "json"]);
    expect(list.lines).toEqual(["[]"]);
  });

  it("rejects bad flags", async () => {
    await expect(run(fakeIo(), ["keys", "list", "--output", "yaml"])).rejects.toThrow(/--output/);
    await expect(run(fakeIo(), ["keys", "show"])).rejects.toThrow(/usage/);
  });

  it("export → import round trip: the armored key (bcrypt, xsalsa20-poly1305) imports as the same address and signs", async () => {
    await run(fakeIo([MNEMONIC]), ["keys", "add", "alice", "--recover"]);
    const exported = fakeIo(["s3cret pass", "s3cret pass"]);
    await run(exported, ["keys", "export", "alice"]);
    const armored = exported.lines.join("\n");
    expect(armored).toMatch(/^-----BEGIN TENDERMINT PRIVATE KEY-----\nkdf: bcrypt\nsalt: [0-9A-F]{32}\ntype: secp256k1\n\n[\s\S]+\n=[A-Za-z0-9+/]{4}\n-----END TENDERMINT PRIVATE KEY-----$/);
    const file = join(home, "alice.armor");
    await writeFile(file, armored + "\n");
    await expect(run(fakeIo(["wrong"]), ["keys", "import", "bob", file])).rejects.toThrow(/invalid account password/);
    const imported = fakeIo(["s3cret pass"]);
    await run(imported, ["keys", "import", "bob", file, "--output", "json"]);
    const [account] = await (await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "ogpu" })).getAccounts();
    expect(JSON.parse(imported.lines[0]!)).toMatchObject({ name: "bob", type: "secp256k1", address: account!.address });
    const hex = fakeIo();
    await run(hex, ["keys", "export", "bob", "--unarmored-hex", "--unsafe"]);
    const original = fakeIo();
    await run(original, ["keys", "export", "alice", "--unarmored-hex", "--unsafe"]);
    expect(hex.lines[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(hex.lines).toEqual(original.lines);
    await expect(run(fakeIo(["a", "b"]), ["keys", "export", "alice"])).rejects.toThrow(/do not match/);
    await expect(run(fakeIo(), ["keys", "export", "alice", "--unarmored-hex"])).rejects.toThrow(/--unsafe/);
  });

  it("imports the Cosmos SDK's own armored test key (kdf bcrypt, cost 12)", async () => {
    // The armored key and passphrase of the SDK's Test_runImportCmd (client/keys/import_test.go).
    const sdkArmored = [
      "-----BEGIN TENDERMINT PRIVATE KEY-----",
      "salt: A790BB721D1C094260EA84F5E5B72289",
      "kdf: bcrypt",
      "",
      "HbP+c6JmeJy9JXe2rbbF1QtCX1gLqGcDQPBXiCtFvP7/8wTZtVOPj8vREzhZ9ElO",
      "3P7YnrzPQThG0Q+ZnRSbl9MAS8uFAM4mqm5r/Ys=",
      "=f3l4",
      "-----END TENDERMINT PRIVATE KEY-----",
    ].join("\n");
    const file = join(home, "sdk.armor");
    await writeFile(file, sdkArmored);
    const io = fakeIo(["123456789"]);
    await run(io, ["keys", "import", "sdk", file]);
    expect(io.lines[0]).toMatch(/address: ogpu1[0-9a-z]{38}/);
    await writeFile(file, sdkArmored.replace("=f3l4", "=AAAA"));
    await expect(run(fakeIo(["123456789"]), ["keys", "import", "sdk2", file])).rejects.toThrow(/checksum/);
  });

  it("show --bech val|cons and -a print the key's other addresses", async () => {
    await run(fakeIo([MNEMONIC]), ["keys", "add", "alice", "--recover"]);
    const acc = fakeIo();
    await run(acc, ["keys", "show", "alice", "-a"]);
    const val = fakeIo();
    await run(val, ["keys", "show", "alice", "--bech", "val", "-a"]);
    const cons = fakeIo();
    await run(cons, ["keys", "show", "alice", "--bech", "cons", "--output", "json"]);
    const bytes = fromBech32(acc.lines[0]!, "ogpu");
    expect(val.lines[0]).toBe(toBech32("ogpuvaloper", bytes));
    expect((JSON.parse(cons.lines[0]!) as { address: string }).address).toBe(toBech32("ogpuvalcons", bytes));
    await expect(run(fakeIo(), ["keys", "show", "alice", "--bech", "xyz"])).rejects.toThrow(/--bech/);
  });
});
