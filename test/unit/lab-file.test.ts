import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const BIN = resolve("bin/umlab.mjs");
const CONSTRUCTS = resolve("constructs/index.js");
const dir = mkdtempSync(join(tmpdir(), "umlab-lab-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A lab file in a scratch folder, importing the model from this checkout. */
function labFile(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `import { defaultLab } from ${JSON.stringify(CONSTRUCTS)};\n${body}`);
  return path;
}

/** `umlab routes --json` on the model alone (no Docker): the error object on failure. */
function routes(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, "routes", "--json", ...args], { encoding: "utf8", timeout: 30_000 });
  const error = r.status === 0 ? undefined : (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error;
  return { code: r.status, error, stdout: r.stdout };
}

// Each case spawns the command line (a fraction of a second): generous timeouts for a loaded machine.
describe("lab files (issue 8)", { timeout: 60_000 }, () => {
  it("a factory that returns a lab of another mode than --mode is an error, not a silent switch", () => {
    const file = labFile("onprem.mts", 'export default () => defaultLab({ mode: "on-premises" });\n');
    const r = routes(["--config", file, "--mode", "mixed"]);
    expect(r.code).toBe(2);
    expect(r.error?.code).toBe("ConfigModeContradiction");
    expect(r.error?.message).toMatch(/--mode mixed contradicts the lab file, whose function returned a UmLab in mode on-premises/);
  });

  it("without --mode, the factory's lab is taken in the mode it has", () => {
    const file = labFile("onprem-only.mts", 'export default () => defaultLab({ mode: "on-premises" });\n');
    const r = routes(["--config", file]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { mode: string }).mode).toBe("on-premises");
  });

  it("a syntax error keeps its line and column", () => {
    const file = labFile("broken.mts", "export default ({ mode }) => {\n  const x = ;\n  return defaultLab({ mode });\n};\n");
    const r = routes(["--config", file]);
    expect(r.code).toBe(2);
    expect(r.error?.code).toBe("ConfigLoadFailed");
    // The import line comes first: the error is on line 3 of the file, at the ';'.
    expect(r.error?.message).toMatch(/could not be loaded: line 3, column 12: Unexpected ";"/);
  });
});
