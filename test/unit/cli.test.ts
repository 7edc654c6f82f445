import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS as TABLE } from "../../lab/cli/command-table.js";

const BIN = resolve("bin/umlab.mjs");

function umlab(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The object `--json` prints on stdout when a command fails. */
function jsonError(stdout: string): { code: string; message: string; problems?: { code: string; message: string }[] } {
  return (JSON.parse(stdout) as { error: { code: string; message: string } }).error;
}

const COMMANDS = ["up", "test", "status", "mailbox", "down"];

// Each case spawns the command (a fraction of a second each): generous timeouts for a loaded machine.
describe("umlab command line", { timeout: 60_000 }, () => {
  it("prints help for each command, the same with --help and with help <command>", () => {
    for (const cmd of COMMANDS) {
      const r = umlab([cmd, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: umlab ${cmd}`);
      expect(umlab(["help", cmd]).stdout).toBe(r.stdout);
    }
  });

  it("lists every command in the main help, with the exit codes", () => {
    const r = umlab(["help"]);
    expect(r.code).toBe(0);
    for (const cmd of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${cmd} `, "m"));
    expect(r.stdout).toContain("Exit codes: 0 ok, 1");
  });

  it("prints the package version with --version and -v", () => {
    const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    for (const flag of ["--version", "-v"]) {
      const r = umlab([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });

  it.each([
    ["status", "--mode", "bogus"],
    ["down", "--config", "x"],
    ["up", "--user", "alice"],
    ["test", "--all"],
    ["mailbox", "--mode", "mixed"],
  ])("refuses an option %s does not have (%s), with exit code 2, naming it and what is allowed", (cmd, option, ...rest) => {
    const r = umlab([cmd, option, ...rest]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${cmd}: unknown option ${option}; allowed: `);
    expect(r.stderr).toMatch(/allowed: [^;]*--instance[^;]*--help/);
  });

  it("prints an error object on stdout with --json, whatever the error", () => {
    const r = umlab(["up", "--json", "--mode", "hybrid"]);
    expect(r.code).toBe(2);
    expect(jsonError(r.stdout)).toEqual({ code: "ModeInvalid", message: expect.stringContaining('--mode "hybrid" is invalid') });
    const unknown = umlab(["status", "--json", "--mode", "bogus"]);
    expect(unknown.code).toBe(2);
    expect(jsonError(unknown.stdout).code).toBe("OptionUnknown");
  });

  it("exits 1 with a LabNotRunning error object when no such lab runs", () => {
    const r = umlab(["status", "--json", "--instance", `none-${process.pid}`]);
    // Needs an engine to ask; without one this fails (exit 3) rather than skipping.
    expect(r.code, `exit ${r.code}: ${r.stderr} (start a Docker engine: bash lab/scripts/ensure-docker.sh)`).toBe(1);
    expect(jsonError(r.stdout)).toEqual({
      code: "LabNotRunning",
      message: expect.stringContaining(`no lab instance "none-${process.pid}" runs here`),
    });
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
    const r = umlab(["up", "--mode", "on-premises", "--config", file, "--json"], { DOCKER_HOST: "unix:///nonexistent/docker.sock" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('user "ben": extension "2001" is already used by user "ann"');
    const error = jsonError(r.stdout);
    expect(error.code).toBe("LabModelInvalid");
    expect(error.problems?.map((p) => p.code)).toContain("DuplicateExtension");
  });

  it("says what to start, with exit code 3, when no Docker engine answers", () => {
    const r = umlab(["status", "--json"], { DOCKER_HOST: "unix:///nonexistent/docker.sock" });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("no Docker engine answers at unix:///nonexistent/docker.sock");
    expect(r.stderr).toContain("lab/scripts/ensure-docker.sh");
    expect(jsonError(r.stdout).code).toBe("DockerUnavailable");
  });

  it("rejects an unknown command, also as help's argument", () => {
    for (const args of [["deploy"], ["help", "deploy"]]) {
      const r = umlab(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`unknown command "deploy"; allowed: ${TABLE.map((c) => c.name).join(", ")}`);
    }
  });
});
