/**
 * Issue 10 item 10 across processes: the blob quota of a real node (ogpud + cometbft) follows
 * the uploader's balance in committed chain state, read through the app's query interface.
 * Ports: TEST_PORTS.blobs (testnet/ports.ts).
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlobError, uploadBlob } from "../../sdk/blobs.js";
import { blobSignerFromMnemonic } from "../../sdk/blob-signer.js";
import { rpcStatus } from "../../testnet/devnet.js";
import { coins, connectSigner, EXPLICIT_FEE, OGPU, PREFIX, startTestNode, waitForMoreBlocks, type TestNode } from "./helpers.js";

let node: TestNode;

beforeAll(async () => {
  node = await startTestNode({ portBase: TEST_PORTS.blobs.base, accounts: [{ name: "funder", coins: `${100n * OGPU}uogpu` }] });
}, 120_000);

afterAll(async () => {
  await node?.cleanup();
}, 60_000);

const height = async () => (await rpcStatus(node.devnet.rpcUrl)).height;
const bytesOf = (size: number, seed: number) => new Uint8Array(size).map((_, i) => (i * 17 + seed) & 0xff);

describe("item 10 on a real node: blob quota follows the on-chain balance", () => {
  it("item 10: a fresh unfunded key is refused (403 quota_exceeded); after it is sent 1 OGPU it may store 16 MiB, not more", async () => {
    const wallet = await DirectSecp256k1HdWallet.generate(24, { prefix: PREFIX });
    const [{ address }] = await wallet.getAccounts();
    const fresh = await blobSignerFromMnemonic(wallet.mnemonic, address);
    const refused = await uploadBlob(node.devnet.restUrl, bytesOf(1024, 1), fresh, await height()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BlobError);
    expect((refused as BlobError).code).toBe("quota_exceeded");
    expect((refused as BlobError).status).toBe(403);

    const funder = await connectSigner(node.devnet, node.devnet.accounts[0]!);
    const sent = await funder.client.sendTokens(funder.address, address, coins(OGPU), EXPLICIT_FEE);
    expect(sent.code).toBe(0);
    // The node answers from its last committed state: let the block with the send commit.
    await waitForMoreBlocks(node.devnet.rpcUrl, 1n);

    const eightMiB = 8 * 1024 * 1024;
    expect((await uploadBlob(node.devnet.restUrl, bytesOf(eightMiB, 2), fresh, await height())).size).toBe(eightMiB);
    expect((await uploadBlob(node.devnet.restUrl, bytesOf(eightMiB, 3), fresh, await height())).size).toBe(eightMiB);
    const over = await uploadBlob(node.devnet.restUrl, bytesOf(1, 4), fresh, await height()).catch((e: unknown) => e);
    expect((over as BlobError).code).toBe("quota_exceeded");
    funder.client.disconnect();
  }, 60_000);
});
