import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "dist/**"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // e2e suites start real cometbft processes on distinct ports; files run in parallel
    // workers but never share a port range (see test/e2e/ports.ts).
    fileParallelism: true,
    maxWorkers: 2,
  },
});
