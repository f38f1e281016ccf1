/**
 * The one registry of the loopback port ranges that tests and benchmarks start processes on
 * (cometbft, ogpud's REST/gRPC, kubo, worker and auditor metrics, stubs). vitest runs test
 * files in parallel, so two files sharing a port fail at random; every range here is disjoint
 * from every other (testnet/ports.test.ts checks it, and that no such file hard-codes a port).
 *
 * Ranges are written unshifted, inside PORT_WINDOW; OGPU_PORT_OFFSET shifts them all at once so
 * that several checkouts on one machine can run their suites side by side (docs/testing.md).
 * Layout of one node from a range's port P (testnet/devnet.ts portsFrom, ipfsPortsFrom):
 * P..P+4 p2p, RPC, ABCI, REST, gRPC; P+5 free (for tests that move a port); P+6 CometBFT's
 * Prometheus; P+7..P+9 kubo (API, swarm, gateway). An N-validator testnet uses node i at P+10·i.
 * Bases are passed unshifted to startTestNode / startComputeCluster (they shift them); extra
 * ports go through portAt, then offsetPort.
 */

/** Ports a range may use, before the offset: above `ogpud init`'s defaults (26656..26660), below 29400. */
export const PORT_WINDOW = { first: 26661, end: 29400 } as const;

/**
 * The offsets docs/testing.md recommends for OGPU_PORT_OFFSET: multiples of 3000 (wider than the
 * window, so two checkouts never overlap) that keep every range above the privileged ports and
 * below Linux's ephemeral range (32768+), where the kernel hands out client ports.
 */
export const RECOMMENDED_PORT_OFFSETS: readonly number[] = [3000, 0, -3000, -6000, -9000, -12000, -15000, -18000, -21000, -24000];

export interface PortRange {
  /** First port, unshifted. */
  readonly base: number;
  /** How many consecutive ports from base belong to the owner. */
  readonly size: number;
  /** The one file that starts processes on this range (repository path). */
  readonly owner: string;
}

const range = (base: number, size: number, owner: string): PortRange => ({ base, size, owner });

/** Sorted by base; sizes count what each owner starts (10 per node, plus its role metrics and stubs). */
export const TEST_PORTS = {
  benchTestnetTx: range(26700, 100, "bench/testnet-tx.ts"), // up to 10 validators, then the kvstore reference on the same ports
  testnetMarket: range(26800, 100, "test/e2e/testnet-market.e2e.test.ts"), // 4 nodes (+kubo) at +0..+39, role metrics +50..
  abciServer: range(27000, 20, "app/abci/server.test.ts"),
  abciCometbft: range(27050, 10, "app/abci/cometbft.test.ts"),
  benchTestnetE2e: range(27100, 100, "bench/testnet-e2e.ts"), // 4 nodes (+kubo), role metrics +50..
  cli: range(27200, 20, "cmd/ogpud/cli.e2e.test.ts"), // +10: a port nothing listens on
  walkthrough: range(27260, 10, "cmd/ogpud/walkthrough.e2e.test.ts"),
  bank: range(27300, 10, "test/e2e/bank.e2e.test.ts"),
  errors: range(27320, 10, "test/e2e/errors.e2e.test.ts"),
  crash: range(27340, 10, "test/e2e/crash.e2e.test.ts"),
  benchTx: range(27400, 20, "bench/tx.ts"), // the node, then the kvstore reference on the same ports
  webWallet: range(27420, 20, "test/e2e/web-wallet.e2e.test.ts"),
  upgrade: range(27450, 40, "test/e2e/upgrade.e2e.test.ts"), // 4 nodes
  staking: range(27500, 10, "x/staking/staking.e2e.test.ts"),
  market: range(27600, 10, "test/e2e/market.e2e.test.ts"),
  testnet: range(27700, 40, "test/e2e/testnet.e2e.test.ts"), // 4 nodes
  lcdExplorers: range(27740, 10, "test/e2e/lcd-explorers.e2e.test.ts"),
  lcdTx: range(27750, 10, "test/e2e/lcd-tx.e2e.test.ts"),
  slashing: range(27800, 40, "test/e2e/slashing.e2e.test.ts"), // 4 nodes
  attest: range(27900, 10, "test/e2e/attest.e2e.test.ts"),
  sdk: range(28000, 10, "test/e2e/sdk.e2e.test.ts"),
  testnetProcesses: range(28010, 10, "testnet/processes.e2e.test.ts"), // one node (+kubo)
  worker: range(28100, 30, "test/e2e/worker.e2e.test.ts"), // worker metrics +10.., auditor metrics +20
  sdkResults: range(28200, 20, "test/e2e/sdk-results.e2e.test.ts"), // worker metrics +10..+11
  benchE2e: range(28250, 20, "bench/e2e.ts"), // worker metrics +10..+11
  programs: range(28300, 20, "test/e2e/programs.e2e.test.ts"), // worker metrics +10..+11
  taskLogs: range(28320, 20, "test/e2e/task-logs.e2e.test.ts"), // worker metrics +10..+11
  webProvider: range(28340, 20, "test/e2e/web-provider.e2e.test.ts"), // worker metrics +10..+11
  taskHistory: range(28400, 10, "test/e2e/task-history.e2e.test.ts"),
  blobs: range(28500, 10, "test/e2e/blobs.e2e.test.ts"),
  testnetCli: range(28600, 20, "test/e2e/testnet-cli.e2e.test.ts"), // 2 nodes (+kubo)
  webCustomer: range(28640, 20, "test/e2e/web-customer.e2e.test.ts"), // worker metrics +10..+11
  storageIpfs: range(28660, 30, "test/e2e/storage-ipfs.e2e.test.ts"), // node A +0 (+kubo), node B +20 (+kubo)
  shadowFork: range(28700, 50, "test/e2e/shadow-fork.e2e.test.ts"), // 4 nodes, the fork +40
  mint: range(28760, 10, "test/e2e/mint.e2e.test.ts"),
  providerRewards: range(28800, 30, "test/e2e/provider-rewards.e2e.test.ts"), // worker metrics +10.., auditor metrics +20
  authzCli: range(28840, 10, "cmd/ogpud/authz-cli.e2e.test.ts"),
  stakingCli: range(28860, 10, "cmd/ogpud/staking-cli.e2e.test.ts"),
  exportImport: range(28900, 20, "test/e2e/export-import.e2e.test.ts"), // source node, the imported node +10
  treasury: range(28950, 10, "test/e2e/treasury.e2e.test.ts"),
  programsAudit: range(29000, 40, "test/e2e/programs-audit.e2e.test.ts"), // tampering relays +30, +31
  grpc: range(29060, 10, "test/e2e/grpc.e2e.test.ts"),
  chainInfo: range(29070, 10, "cmd/ogpud/chain-info.test.ts"), // written to a config only: no node starts
  pqRoles: range(29100, 30, "test/e2e/pq-roles.e2e.test.ts"), // worker metrics +10, auditor metrics +20
  prometheus: range(29130, 30, "test/e2e/prometheus.e2e.test.ts"), // worker metrics +10, Prometheus +20
  gov: range(29200, 40, "test/e2e/gov.e2e.test.ts"), // 4 nodes
  bot: range(29260, 20, "test/e2e/bot.e2e.test.ts"), // worker metrics +10..+11
  testnetMarketIpfs: range(29300, 100, "test/e2e/testnet-market-ipfs.e2e.test.ts"), // 4 nodes (+kubo), role metrics +50..
} as const satisfies Record<string, PortRange>;

/** Port `k` of a range, unshifted (pass it to offsetPort); throws if the range has no port k. */
export function portAt(r: PortRange, k: number): number {
  if (!Number.isInteger(k) || k < 0 || k >= r.size) throw new Error(`port +${k} is outside ${r.owner}'s range ${r.base}+${r.size} (testnet/ports.ts)`);
  return r.base + k;
}

/** The current OGPU_PORT_OFFSET (0 when unset); an offset that is not an integer is refused. */
export function portOffset(): number {
  const raw = process.env.OGPU_PORT_OFFSET ?? "0";
  const offset = Number(raw);
  if (!Number.isInteger(offset)) throw new Error(`OGPU_PORT_OFFSET must be an integer, got ${JSON.stringify(raw)}`);
  return offset;
}

/** A test port shifted by OGPU_PORT_OFFSET, so two checkouts can run their suites at once. */
export function offsetPort(port: number): number {
  return port + portOffset();
}
