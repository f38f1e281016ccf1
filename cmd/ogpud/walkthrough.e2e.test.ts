import { TEST_PORTS } from "../../testnet/ports.js";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../paths.js";
import { startTestNode, type TestNode } from "../../testnet/devnet.js";

/**
 * A gaiad user's walkthrough with the real `ogpud` binary (one process per command, answers
 * to prompts piped on stdin) against a real node: move a key between keyrings through the
 * SDK's armored export, delegate gaiad-style with --gas auto, read the tx back, and send
 * coins with an offline-signed tx (--generate-only → tx sign → tx broadcast).
 */
const PORT_BASE = TEST_PORTS.walkthrough.base;
const OGPUD = join(packageRoot(), "dist", "cmd", "ogpud", "main.js");
const EXPORT_PASSPHRASE = "export pass phrase";
const KEYRING_PASSPHRASE = "keyring pass phrase";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ogpud <args>` as its own process; `input` is what the user types at the prompts. */
function ogpud(args: string[], input = ""): Promise<Run> {
  return new Promise((resolve, reject) => {
    // No passphrase in the environment: the file keyring must ask for it.
    const { OGPU_KEYRING_PASSPHRASE: _unset, ...env } = process.env;
    const child = spawn(process.execPath, [OGPUD, ...args], { stdio: ["pipe", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout: stdout.trim(), stderr: stderr.trim() }));
    child.stdin.end(input);
  });
}

async function ok(args: string[], input = ""): Promise<string> {
  const run = await ogpud(args, input);
  expect(run.code, `ogpud ${args.join(" ")}\n${run.stderr}`).toBe(0);
  return run.stdout;
}

let t: TestNode;
let scratch: string;
let node: string[];
let alice: string[];
let imported: string[];
let aliceAddress: string;
let bobAddress: string;

beforeAll(async () => {
  t = await startTestNode({ portBase: PORT_BASE, homePrefix: "ogpud-walkthrough-", blockTime: "200ms", accounts: [{ name: "alice", coins: "400000000000uogpu" }, { name: "bob", coins: "1000uogpu" }], validator: { stake: "200000000000uogpu", commissionRate: "0.10" }, params: { market: { base_price_floor: ["50", "50", "50", "50"] } } });
  scratch = await mkdtemp(join(tmpdir(), "ogpud-walkthrough-keys-"));
  // gaiad prints and accepts tcp:// node addresses.
  node = ["--node", t.devnet.rpcUrl.replace(/^http:\/\//, "tcp://")];
  alice = ["--home", t.devnet.home, "--keyring-backend", "test"];
  imported = ["--home", scratch, "--keyring-backend", "file"];
  [aliceAddress, bobAddress] = t.devnet.accounts.map((a) => a.address) as [string, string];
});

afterAll(async () => {
  await t?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function balance(address: string): Promise<bigint> {
  const coin = JSON.parse(await ok(["q", "bank", "balances", address, "--denom", "uogpu", ...node, "-o", "json"])) as { amount: string };
  return BigInt(coin.amount);
}

describe("ogpud walkthrough (gaiad parity) on a real node", () => {
  let delegateHash: string;

  it("keys export → keys import into a file keyring: same address, passphrases asked at the prompts", async () => {
    const armored = await ok(["keys", "export", "alice", ...alice], `${EXPORT_PASSPHRASE}\n${EXPORT_PASSPHRASE}\n`);
    expect(armored).toMatch(/^-----BEGIN TENDERMINT PRIVATE KEY-----\nkdf: bcrypt\nsalt: [0-9A-F]{32}\ntype: secp256k1\n/);
    const file = join(scratch, "alice.armor");
    await writeFile(file, armored + "\n");

    const wrong = await ogpud(["keys", "import", "alice2", file, ...imported], `not it\n${KEYRING_PASSPHRASE}\n`);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/invalid account password/);
    await ok(["keys", "import", "alice2", file, ...imported], `${EXPORT_PASSPHRASE}\n${KEYRING_PASSPHRASE}\n`);
    expect(await ok(["keys", "show", "alice2", "-a", ...imported])).toBe(aliceAddress);
    const listed = JSON.parse(await ok(["keys", "list", "-o", "json", ...imported])) as { name: string; address: string }[];
    expect(listed).toEqual([expect.objectContaining({ name: "alice2", address: aliceAddress })]);
    // The key file holds no clear secret: the file keyring sealed it with the prompted passphrase.
    expect(await readFile(join(scratch, "keyring-file", "alice2.json"), "utf8")).not.toMatch(/"mnemonic"/);
  });

  it("tx staking delegate … --from <imported key> --gas auto -y -o json, then q tx decodes it with events and block time", async () => {
    const validators = JSON.parse(await ok(["q", "staking", "validators", ...node, "-o", "json"])) as { validators: { operator_address: string }[] };
    const valoper = validators.validators[0]!.operator_address;
    const out = await ok(["tx", "staking", "delegate", valoper, "2500000uogpu", "--from", "alice2", ...imported, ...node, "--gas", "auto", "-y", "-o", "json", "--note", "walkthrough"], `${KEYRING_PASSPHRASE}\n`);
    const result = JSON.parse(out) as { txhash: string; code: number; gas_wanted: string; gas_used: string };
    expect(result.code).toBe(0);
    expect(BigInt(result.gas_used)).toBeLessThanOrEqual(BigInt(result.gas_wanted));
    delegateHash = result.txhash;

    const tx = JSON.parse(await ok(["q", "tx", delegateHash, ...node, "-o", "json"])) as {
      txhash: string;
      height: string;
      code: number;
      timestamp: string;
      tx: { "@type": string; body: { memo: string; messages: Record<string, unknown>[] } };
      events: { type: string; attributes: { key: string; value: string }[] }[];
    };
    expect(tx.txhash).toBe(delegateHash);
    expect(tx.code).toBe(0);
    expect(tx.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(tx.tx["@type"]).toBe("/cosmos.tx.v1beta1.Tx");
    expect(tx.tx.body.memo).toBe("walkthrough");
    expect(tx.tx.body.messages).toEqual([
      { "@type": "/cosmos.staking.v1beta1.MsgDelegate", delegator_address: aliceAddress, validator_address: valoper, amount: { denom: "uogpu", amount: "2500000" } },
    ]);
    const delegate = tx.events.find((e) => e.type === "delegate");
    expect(delegate?.attributes).toEqual(expect.arrayContaining([expect.objectContaining({ key: "validator", value: valoper })]));

    const found = JSON.parse(await ok(["q", "txs", "--query", `message.sender='${aliceAddress}' AND tx.height=${tx.height}`, ...node, "-o", "json"])) as { total_count: string; txs: { txhash: string }[] };
    expect([found.total_count, found.txs.map((x) => x.txhash)]).toEqual(["1", [delegateHash]]);
    // Every tx of the block is listed, the proposer's beacon tx (vote-extension data, not a TxRaw) among them.
    const all = JSON.parse(await ok(["q", "txs", "--query", `tx.height=${tx.height}`, ...node, "-o", "json"])) as { txs: { txhash: string }[] };
    expect(all.txs.map((x) => x.txhash)).toContain(delegateHash);
    const block = JSON.parse(await ok(["q", "block", tx.height, ...node, "-o", "json"])) as { block: { header: { height: string } } };
    expect(block.block.header.height).toBe(tx.height);
  });

  it("tx bank send --generate-only → tx sign → tx broadcast moves exactly the amount + fee", async () => {
    const [aliceBefore, bobBefore] = [await balance(aliceAddress), await balance(bobAddress)];
    const unsigned = await ok(["tx", "bank", "send", "alice", bobAddress, "1234uogpu", ...alice, ...node, "--fees", "300uogpu", "--gas", "150000", "--generate-only"]);
    const unsignedTx = JSON.parse(unsigned) as { body: { messages: { "@type": string }[] }; auth_info: { signer_infos: unknown[]; fee: { gas_limit: string } }; signatures: string[] };
    expect(unsignedTx.body.messages[0]!["@type"]).toBe("/cosmos.bank.v1beta1.MsgSend");
    expect(unsignedTx.auth_info).toMatchObject({ signer_infos: [], fee: { gas_limit: "150000" } });
    expect(unsignedTx.signatures).toEqual([]);
    const unsignedFile = join(scratch, "unsigned.json");
    const signedFile = join(scratch, "signed.json");
    await writeFile(unsignedFile, unsigned);

    const refused = await ogpud(["tx", "broadcast", unsignedFile, ...node]);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringMatching(/is not signed/)]);
    await ok(["tx", "sign", unsignedFile, "--from", "alice", ...alice, ...node, "--output-document", signedFile]);
    const signed = JSON.parse(await readFile(signedFile, "utf8")) as { signatures: string[]; auth_info: { signer_infos: { sequence: string }[] } };
    expect(signed.signatures).toHaveLength(1);
    const encoded = await ok(["tx", "encode", signedFile]);
    expect(JSON.parse(await ok(["tx", "decode", encoded]))).toEqual(signed);

    const result = JSON.parse(await ok(["tx", "broadcast", signedFile, ...node, "-o", "json"])) as { code: number; txhash: string };
    expect(result.code).toBe(0);
    expect(await balance(bobAddress)).toBe(bobBefore + 1234n);
    expect(await balance(aliceAddress)).toBe(aliceBefore - 1234n - 300n);
  });

  it("submit-task asks first, showing the total escrow, the tier's base price, the qualifying online workers and a warning below base", async () => {
    const args = ["tx", "market", "submit-task", "--from", "alice", ...alice, ...node, "--kind", "matmul", "--input-cid", "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", "--input-bytes", "1024", "--units", "10", "--max-price", "7", "--k", "2"];
    const declined = await ogpud(args, "n\n");
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain("total escrow: 140uogpu (max 7uogpu/unit × 10 units × k 2)");
    expect(declined.stderr).toMatch(/tier 0 base price: (\d+)uogpu\/unit/);
    expect(Number(/tier 0 base price: (\d+)/.exec(declined.stderr)![1])).toBeGreaterThanOrEqual(50);
    expect(declined.stderr).toContain("online workers that qualify: 0 (fewer than k = 2: the task waits for more)");
    expect(declined.stderr).toMatch(/WARNING: your max price 7uogpu\/unit is below the base price \d+uogpu\/unit/);
    expect(declined.stderr).toMatch(/aborted: transaction not broadcast/);
    const tasks = JSON.parse(await ok(["q", "market", "tasks", ...node, "-o", "json"])) as { tasks: unknown[] };
    expect(tasks.tasks).toEqual([]);
  });

  it("--dry-run prints the gas estimate and sends nothing; typos get a suggestion", async () => {
    const before = await balance(bobAddress);
    const dry = await ogpud(["tx", "bank", "send", "alice", bobAddress, "1uogpu", ...alice, ...node, "--dry-run", "-o", "json"]);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/^gas estimate: \d+$/);
    expect(BigInt((JSON.parse(dry.stdout) as { gas_estimate: string }).gas_estimate)).toBeGreaterThan(0n);
    expect(await balance(bobAddress)).toBe(before);
    const typo = await ogpud(["tx", "stakng"]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/Did you mean staking\?/);
  });
});
