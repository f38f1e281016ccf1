import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { fromBech32 } from "./bech32.js";
import { Keyring } from "./keyring.js";
import { addressOf, decodePubKeyAny, encodePubKeyAny, verifySignature } from "./pubkey.js";

// The canonical BIP-39 test mnemonic (all-zero entropy); never holds funds.
const MNEMONIC =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon " +
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art";

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "ogpu-keyring-"));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe("Keyring derivation", () => {
  it("gives the same address and pubkey as cosmjs DirectSecp256k1HdWallet", async () => {
    const kr = Keyring.open(home, "test");
    const { info } = await kr.add("alice", { mnemonic: MNEMONIC });
    const [account] = await (await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "ogpu" })).getAccounts();
    expect(info.address).toBe(account.address);
    expect(info.pubkey).toBe(Buffer.from(account.pubkey).toString("base64"));
    expect(info.type).toBe("secp256k1");
  });

  it("generates a fresh 24-word mnemonic that cosmjs also accepts", async () => {
    const kr = Keyring.open(home, "test");
    const { info, mnemonic } = await kr.add("gen");
    expect(mnemonic.split(" ")).toHaveLength(24);
    const [account] = await (await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "ogpu" })).getAccounts();
    expect(info.address).toBe(account.address);
    expect(await kr.mnemonic("gen")).toBe(mnemonic);
  });

  it("derives an ML-DSA-65 key whose address and signatures check out", async () => {
    const kr = Keyring.open(home, "test");
    const { info } = await kr.add("pq", { mnemonic: MNEMONIC, type: "mldsa65" });
    const pubkey = await kr.pubKey("pq");
    expect(info.type).toBe("mldsa65");
    expect(fromBech32(info.address, "ogpu")).toEqual(addressOf(pubkey));
    expect(decodePubKeyAny(encodePubKeyAny(pubkey))).toEqual(pubkey);
    const doc = new TextEncoder().encode("doc");
    const { signature } = await kr.sign("pq", doc);
    expect(verifySignature(pubkey, doc, signature)).toBe(true);
    // Same mnemonic, different key type ⇒ a different account.
    const { info: secp } = await kr.add("classic", { mnemonic: MNEMONIC });
    expect(secp.address).not.toBe(info.address);
  });

  it("signs with secp256k1 keys verifiably", async () => {
    const kr = Keyring.open(home, "test");
    await kr.add("alice", { mnemonic: MNEMONIC });
    const doc = new TextEncoder().encode("doc");
    const { pubkey, signature } = await kr.sign("alice", doc);
    expect(signature).toHaveLength(64);
    expect(verifySignature(pubkey, doc, signature)).toBe(true);
    expect(await kr.privateKey("alice")).toHaveLength(32);
  });

  it("normalises whitespace in a recovered mnemonic", async () => {
    const kr = Keyring.open(home, "test");
    const messy = `  ${MNEMONIC.replaceAll(" ", "  \n")}\n`;
    const a = await kr.add("a", { mnemonic: messy });
    const b = await kr.add("b", { mnemonic: MNEMONIC });
    expect(a.info.address).toBe(b.info.address);
  });
});

describe("Keyring storage", () => {
  it("lists, shows and deletes keys", async () => {
    const kr = Keyring.open(home, "test");
    expect(await kr.list()).toEqual([]);
    await kr.add("bob", { mnemonic: MNEMONIC });
    await kr.add("alice");
    expect((await kr.list()).map((k) => k.name)).toEqual(["alice", "bob"]);
    expect((await kr.show("bob")).name).toBe("bob");
    await kr.delete("bob");
    expect((await kr.list()).map((k) => k.name)).toEqual(["alice"]);
    await expect(kr.show("bob")).rejects.toThrow("key 'bob' not found in the test keyring");
    await expect(kr.delete("bob")).rejects.toThrow(/not found/);
  });

  it("refuses duplicates, bad names, bad mnemonics and unknown key types", async () => {
    const kr = Keyring.open(home, "test");
    await kr.add("alice");
    await expect(kr.add("alice")).rejects.toThrow("key 'alice' already exists");
    await expect(kr.add("../escape")).rejects.toThrow(/invalid key name/);
    await expect(kr.add("x", { mnemonic: "abandon abandon abandon" })).rejects.toThrow(/invalid mnemonic/);
    await expect(kr.add("y", { type: "ed25519" as "secp256k1" })).rejects.toThrow(/unknown key type/);
  });

  it("writes key files with mode 0600 under keyring-<backend>/", async () => {
    await Keyring.open(home, "test").add("alice");
    await Keyring.open(home, "file", "pw").add("bob");
    for (const p of [join(home, "keyring-test", "alice.json"), join(home, "keyring-file", "bob.json")]) {
      expect((await stat(p)).mode & 0o777).toBe(0o600);
    }
  });

  it("file backend: encrypts at rest and needs the right passphrase", async () => {
    const kr = Keyring.open(home, "file", "correct horse");
    const { mnemonic } = await kr.add("alice", { mnemonic: MNEMONIC });
    const raw = await readFile(join(home, "keyring-file", "alice.json"), "utf8");
    expect(raw).not.toContain("abandon");

    // list/show only read the public header: no passphrase needed.
    expect((await Keyring.open(home, "file", "").list()).map((k) => k.name)).toEqual(["alice"]);
    expect(await Keyring.open(home, "file", "correct horse").mnemonic("alice")).toBe(mnemonic);
    await expect(Keyring.open(home, "file", "wrong").privateKey("alice")).rejects.toThrow("wrong keyring passphrase");
    // A second key must use the same passphrase as the first.
    await expect(Keyring.open(home, "file", "wrong").add("bob")).rejects.toThrow("wrong keyring passphrase");
  });

  it("file backend: reads the passphrase from OGPU_KEYRING_PASSPHRASE, else explains", async () => {
    const saved = process.env.OGPU_KEYRING_PASSPHRASE;
    try {
      delete process.env.OGPU_KEYRING_PASSPHRASE;
      await expect(Keyring.open(home, "file").add("a")).rejects.toThrow(/OGPU_KEYRING_PASSPHRASE/);
      process.env.OGPU_KEYRING_PASSPHRASE = "from-env";
      await Keyring.open(home, "file").add("a", { mnemonic: MNEMONIC });
      expect(await Keyring.open(home, "file", "from-env").mnemonic("a")).toBe(MNEMONIC);
    } finally {
      if (saved === undefined) delete process.env.OGPU_KEYRING_PASSPHRASE;
      else process.env.OGPU_KEYRING_PASSPHRASE = saved;
    }
  });

  it("file backend: detects an edited public header", async () => {
    await Keyring.open(home, "file", "pw").add("alice", { mnemonic: MNEMONIC });
    const path = join(home, "keyring-file", "alice.json");
    const file = JSON.parse(await readFile(path, "utf8")) as { info: { address: string } };
    file.info.address = "ogpu1attackercontrolled";
    await writeFile(path, JSON.stringify(file));
    await expect(Keyring.open(home, "file", "pw").mnemonic("alice")).rejects.toThrow(/passphrase/);
  });
});
