import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The JSON report feeds .ci/run's closing "N passed, N failed" line.
    reporters: ["default", ["json", { outputFile: ".umlab/test-results.json" }]],
    projects: [
      {
        test: { name: "unit", include: ["test/unit/**/*.test.ts"] },
      },
      {
        // The Azure stack, synthesized offline: no cdktf CLI, no provider download, no account.
        test: { name: "synth", include: ["test/synth/**/*.test.ts"], testTimeout: 60_000 },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          // Real labs place real calls: one lab at a time on a 2-core machine.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
