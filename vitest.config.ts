import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/tests/**/*.test.ts",
      "examples/**/*.test.ts",
      "scripts/**/*.test.ts",
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // One PostgreSQL server for the run (embedded, or ASSETS_TEST_POSTGRES_URL's).
    globalSetup: ["packages/postgres/src/testing/global-setup.ts"],
  },
});
