import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = resolve("bin/umlab.mjs");

function umlab(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Each case spawns the command (about a second each): generous timeouts for a loaded machine.
describe("umlab command line", { timeout: 60_000 }, () => {
  it("prints help for each command", () => {
    for (const cmd of ["up", "test", "status", "mailbox", "down"]) {
      const r = umlab([cmd, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: umlab ${cmd}`);
    }
  });

  it("rejects an unknown mode with exit code 2, naming the value and what is allowed", () => {
    const r = umlab(["up", "--mode", "hybrid"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--mode "hybrid" is invalid; allowed: on-premises, cross-premises, mixed');
  });

  it("rejects an invalid lab file before touching Docker (exit 2, every problem listed)", () => {
    const dir = mkdtempSync(join(tmpdir(), "umlab-cfg-"));
    const file = join(dir, "lab.config.mts");
    writeFileSync(
      file,
      `import { FrontEnd, OnPremUm, UmLab, User } from ${JSON.stringify(resolve("constructs/index.ts"))};
export default ({ mode }: { mode: "on-premises" }) => {
  const lab = new UmLab(undefined, "mine", { mode, sipDomain: "fabrikam.test" });
  new FrontEnd(lab, "FrontEnd");
  new OnPremUm(lab, "OnPremUm");
  new User(lab, "ann", { extension: "2001", password: "Secret-123", pin: "1234" });
  new User(lab, "ben", { extension: "2001", password: "Secret-123", pin: "1234" });
  return lab;
};
`,
    );
    const r = umlab(["up", "--mode", "on-premises", "--config", file], { DOCKER_HOST: "unix:///nonexistent/docker.sock" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('user "ben": extension "2001" is already used by user "ann"');
  });

  it("says what to start, with exit code 3, when no Docker engine answers", () => {
    const r = umlab(["status"], { DOCKER_HOST: "unix:///nonexistent/docker.sock" });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("no Docker engine answers at unix:///nonexistent/docker.sock");
    expect(r.stderr).toContain("lab/scripts/ensure-docker.sh");
  });

  it("rejects an unknown command", () => {
    const r = umlab(["deploy"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "deploy"');
  });
});
