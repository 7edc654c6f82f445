import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = resolve("bin/umlab.mjs");

function umlab(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Each case spawns the command line; none reaches Docker (the input is refused first).
describe("umlab fault on the command line", { timeout: 60_000 }, () => {
  it("has a help page with its actions and options, and a line in the main help", () => {
    const r = umlab(["help", "fault"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: umlab fault <list|inject|clear> [<scenario>] [--instance NAME] [--all] [--json]");
    expect(r.stdout).toContain("umlab fault clear <scenario>|--all");
    expect(umlab(["help"]).stdout).toMatch(/^ {2}fault /m);
  });

  it.each([
    [["fault"], "ArgumentMissing"],
    [["fault", "break", "edge-down"], "FaultActionUnknown"],
    [["fault", "inject", "edge-gone"], "FaultUnknown"],
    [["fault", "clear"], "ArgumentMissing"],
    [["fault", "inject", "edge-down", "media-blocked"], "ArgumentUnexpected"],
    [["fault", "inject", "--all", "edge-down"], "OptionInvalid"],
  ])("refuses %j with exit code 2 and the error code %s, before touching a lab", (args, code) => {
    const r = umlab([...args, "--json"]);
    expect(r.code).toBe(2);
    expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe(code);
  });
});
