import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The README's Azure commands, run the way the cdktf CLI runs the app (cdktf-cli 0.21,
 * @cdktf/commons config.ts and cli-core synth-stack.ts): cdktf.json's "app" command through a
 * shell, in the project folder, with the caller's environment minus TF_VAR_*, plus CDKTF_OUTDIR,
 * CDKTF_CONTEXT_JSON (cdktf.json's "context"), CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS and a
 * larger heap in NODE_OPTIONS. What the CLI shows of the run: stdout as output, stderr as [ERROR].
 */
const PROJECT = resolve(import.meta.dirname, "../..");
const cdktfJson = JSON.parse(readFileSync(join(PROJECT, "cdktf.json"), "utf8")) as { app: string; context?: Record<string, unknown> };
const TSX = join(PROJECT, "node_modules", ".bin", "tsx");
const outdirs: string[] = [];

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** the synthesized stack (the file `cdktf deploy` hands to Terraform) */
  readonly stack: () => { output: Record<string, { value: unknown }>; resource: Record<string, Record<string, { name?: string }>> };
}

/** Runs `argv` (a shell command line when it is one string, as the CLI runs cdktf.json's "app"). */
function run(argv: string | string[], cwd: string, env: NodeJS.ProcessEnv, outdir: string): Promise<Run> {
  return new Promise((done, fail) => {
    const [command, ...args] = typeof argv === "string" ? [argv] : argv;
    const child = spawn(command as string, args, { cwd, env, shell: typeof argv === "string", stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c;
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c;
    });
    child.on("error", fail);
    child.on("close", (status) =>
      done({ status, stdout, stderr, stack: () => JSON.parse(readFileSync(join(outdir, "stacks", "lab", "cdk.tf.json"), "utf8")) }),
    );
  });
}

/** The environment without the settings under test, so that the caller's shell cannot leak in. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TF_VAR_|UMLAB_|CDKTF_)/.test(k)));
}

function runAsCdktfCli(env: Record<string, string>, context: Record<string, unknown> | undefined = cdktfJson.context): Promise<Run> {
  const outdir = mkdtempSync(join(tmpdir(), "umlab-cdktf-out-"));
  outdirs.push(outdir);
  return run(
    cdktfJson.app,
    PROJECT,
    {
      ...cleanEnv(),
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --max-old-space-size=4096`.trim(),
      ...(context ? { CDKTF_CONTEXT_JSON: JSON.stringify(context) } : {}),
      CDKTF_OUTDIR: outdir,
      CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true",
      ...env,
    },
    outdir,
  );
}

/** `npm run synth` in a project folder whose cdktf.json has `context`: no CLI, so no CDKTF_* variables. */
function runWithoutCli(context: Record<string, unknown>): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), "umlab-cdktf-project-"));
  outdirs.push(dir);
  writeFileSync(join(dir, "cdktf.json"), JSON.stringify({ ...cdktfJson, context }));
  return run([TSX, join(PROJECT, "stacks", "main.ts")], dir, cleanEnv(), join(dir, "cdktf.out"));
}

// Started together (2 cores: about 6 s instead of 15). No two of them make the same lab's PKI:
// on premises has none, the example lab is "fabrikam", the built-in one "lab".
let runs: Record<"onPrem" | "labFile" | "contextOnly" | "envOverContext" | "withoutCli" | "badMode", Promise<Run>>;
beforeAll(() => {
  runs = {
    onPrem: runAsCdktfCli({ UMLAB_MODE: "on-premises" }),
    labFile: runAsCdktfCli({ UMLAB_MODE: "cross-premises", UMLAB_LAB_FILE: "examples/lab.config.mts" }),
    contextOnly: runAsCdktfCli({}, { mode: "mixed" }),
    envOverContext: runAsCdktfCli({ UMLAB_MODE: "on-premises" }, { mode: "mixed" }),
    withoutCli: runWithoutCli({ mode: "on-premises" }),
    badMode: runAsCdktfCli({ UMLAB_MODE: "hybrid" }),
  };
});

afterAll(() => {
  for (const d of outdirs) rmSync(d, { recursive: true, force: true });
});

describe("the cdktf app, run as `cdktf deploy lab` runs it", () => {
  it("cdktf.json's app is the synth the README documents", () => {
    expect(cdktfJson.app).toBe("npx tsx stacks/main.ts");
  });

  it("UMLAB_MODE=on-premises synthesizes that mode, and says so on stdout only (the CLI shows stderr as [ERROR])", async () => {
    const r = await runs.onPrem;
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^umlab: synthesized on-premises lab "lab" to .*; policy rules passed\n$/);
    expect(r.stack().output.mode?.value).toBe("on-premises");
  });

  it("UMLAB_MODE=cross-premises UMLAB_LAB_FILE=examples/lab.config.mts: the README's deploy of the example lab", async () => {
    const r = await runs.labFile;
    expect(r.stderr).toBe("");
    expect(r.stack().output.mode?.value).toBe("cross-premises");
    expect(r.stack().resource.azurerm_resource_group?.provider?.name).toBe("umlab-fabrikam-provider");
  });

  it("cdktf.json's context chooses the mode when UMLAB_MODE is not set, and UMLAB_MODE wins over it", async () => {
    expect((await runs.contextOnly).stack().output.mode?.value).toBe("mixed");
    expect((await runs.envOverContext).stack().output.mode?.value).toBe("on-premises");
  });

  it("without the CLI (npm run synth), the app reads cdktf.json's context itself", async () => {
    const r = await runs.withoutCli;
    expect(r.stderr).toBe("");
    expect(r.stack().output.mode?.value).toBe("on-premises");
  });

  it("a bad UMLAB_MODE: one line on stderr naming the variable and the allowed modes, no stack trace, exit 2", async () => {
    const r = await runs.badMode;
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe('umlab: UMLAB_MODE "hybrid" is invalid; allowed: on-premises, cross-premises, mixed\n');
  });
});
