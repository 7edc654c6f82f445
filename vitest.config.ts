import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The JSON report feeds .ci/run's closing "N passed, N failed" line.
    reporters: ["default", ["json", { outputFile: process.env.UMLAB_TEST_REPORT ?? ".umlab/test-results.json" }]],
    projects: [
      {
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], sequence: { groupOrder: 0 } },
      },
      {
        // The Azure stack, synthesized offline: no cdktf CLI, no provider download, no account.
        test: { name: "synth", include: ["test/synth/**/*.test.ts"], testTimeout: 60_000, sequence: { groupOrder: 0 } },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          // Real labs place real calls. A lab waits on the network most of the time, so three
          // files run side by side on a 2-core machine; each lab has its own subnets (a start
          // takes the next free ones, twins fixed ones of their own), names and containers.
          fileParallelism: true,
          maxWorkers: 3,
          testTimeout: 120_000,
          hookTimeout: 600_000,
          // After unit and synth: a broken model fails in seconds, not after the first lab.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
