import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const INSTANCE = `e2e-demo-${process.pid}`;
const REPORT = resolve(`.umlab/e2e-demo/report-${process.pid}.html`);
const umlab = (...args: string[]) => run("node", ["bin/umlab.mjs", ...args], { maxBuffer: 32 * 1024 * 1024, timeout: 540_000 });

describe("umlab demo --auto, through the real command line", () => {
  afterAll(async () => {
    await umlab("down", "--instance", INSTANCE).catch(() => {});
    rmSync(REPORT, { force: true });
  });

  it("brings the on-premises lab up, walks through every step, exits 0 and writes the report", async () => {
    mkdirSync(resolve(".umlab/e2e-demo"), { recursive: true });
    const started = Date.now();
    const r = await umlab("demo", "--mode", "on-premises", "--auto", "--instance", INSTANCE, "--report", REPORT).catch(
      (err: { code?: number; stdout?: string; stderr?: string }) => {
        throw new Error(`demo exited ${err.code}:\n${err.stdout}\n${err.stderr}`);
      },
    );
    const steps = [...r.stdout.matchAll(/^Step \d+\. (.*)$/gm)].map((m) => m[1]);
    expect(steps[0]).toBe("Bring the on-premises lab up");
    expect(steps).toContain("Connectivity to each UM (Test-CsExUMConnectivity)");
    expect(steps.some((s) => s?.startsWith("No answer: bob calls alice"))).toBe(true);
    expect(r.stdout).toMatch(/Where the message landed: alice's mailbox on onprem-um, onprem\/1001\n\s+INBOX/);
    // The fault step: the on-prem UM goes down, connectivity fails naming the hop, then passes once cleared.
    expect(steps).toContain("A fault (onprem-um-down), its diagnosis, and the fix");
    expect(r.stdout).toContain("Cleared onprem-um-down; the check again:");
    const [, ok, all] = /(\d+) of (\d+) checks as expected/.exec(r.stdout) ?? [];
    expect(ok).toBe(all);
    expect(existsSync(REPORT)).toBe(true);
    const html = readFileSync(REPORT, "utf8");
    expect(html).toContain("<audio controls");
    // one failed row: connectivity while the fault was active
    expect(html.match(/<tr class="check failed"[^>]*>.*?<\/tr>/g)?.map((row) => /connectivity/.test(row))).toEqual([true]);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" id="ladder-');
    process.stderr.write(`[demo] ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }, 600_000);
});
