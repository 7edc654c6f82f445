// npm run bench -- --suite [--modes ...]: the end-to-end file of each mode, alone and then the three
// together (as `npm test` runs them), timed from the outside, with the calls each file placed.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeploymentMode } from "../../constructs/index.js";

interface SuiteRun {
  readonly seconds: number;
  readonly passed: boolean;
  /** INVITEs the front end received, per mode (fixture.ts writes them when UMLAB_SUITE_STATS is set) */
  readonly calls: ReadonlyMap<string, number>;
}

/** Runs vitest on the e2e files of `modes` (side by side, three at a time as configured), timed. */
function runE2e(modes: readonly DeploymentMode[]): Promise<SuiteRun> {
  const dir = mkdtempSync(join(tmpdir(), "umlab-suite-"));
  const stats = join(dir, "calls.jsonl");
  const files = modes.map((m) => `test/e2e/${m}.test.ts`);
  const env = { ...process.env, UMLAB_SUITE_STATS: stats, UMLAB_TEST_REPORT: join(dir, "report.json") };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["vitest", "run", ...files], { env, stdio: ["ignore", "ignore", "ignore"] });
    child.on("error", reject);
    child.on("close", (code) => {
      const calls = new Map<string, number>();
      let text = "";
      try {
        text = readFileSync(stats, "utf8");
      } catch {}
      for (const line of text.split("\n").filter(Boolean)) {
        const r = JSON.parse(line) as { mode: string; invites: number };
        calls.set(r.mode, r.invites);
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ seconds: (Date.now() - started) / 1000, passed: code === 0, calls });
    });
  });
}

/** Each mode's file alone, then all together; prints the table. Returns whether every run passed. */
export async function benchSuite(modes: readonly DeploymentMode[]): Promise<boolean> {
  const alone = new Map<DeploymentMode, SuiteRun>();
  for (const m of modes) alone.set(m, await runE2e([m]));
  const together = await runE2e(modes);
  console.log("\ne2e file          alone   calls placed (INVITEs the front end received)  passed");
  for (const [m, r] of alone) {
    console.log(
      `${m.padEnd(16)} ${r.seconds.toFixed(0).padStart(5)} s ${String(r.calls.get(m) ?? "?").padStart(8)}   ${r.passed ? "yes" : "NO"}`,
    );
  }
  const calls = [...together.calls.values()].reduce((a, b) => a + b, 0);
  console.log(
    `${modes.join(" + ")} side by side: ${together.seconds.toFixed(0)} s, ${calls} calls, passed: ${together.passed ? "yes" : "NO"}`,
  );
  return together.passed && [...alone.values()].every((r) => r.passed);
}
