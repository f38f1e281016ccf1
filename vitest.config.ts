import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "dist/**"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // e2e suites start real cometbft processes; files run in parallel workers, so every
    // suite owns its own port range (TEST_PORTS in testnet/ports.ts, docs/testing.md).
    fileParallelism: true,
    maxWorkers: 2,
  },
});
