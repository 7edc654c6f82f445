// The cdktf app: `cdktf deploy lab` (or `npm run synth` without the cdktf CLI).
// The cdktf CLI has no context flag (`-c` is aws-cdk's; cdktf ignores it). Mode and lab file come from
//   mode:  UMLAB_MODE      or cdktf.json "context": { "mode": ... }     (default: mixed)
//   lab:   UMLAB_LAB_FILE  or cdktf.json "context": { "labFile": ... }  (default: the built-in lab)
// The environment wins. The CLI hands cdktf.json's context to the app as CDKTF_CONTEXT_JSON; without
// the CLI the app reads cdktf.json itself, so `npm run synth` and `cdktf deploy` see the same lab.
// Every synth is checked by the policy rules in stacks/rules; a violation fails it.
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEPLOYMENT_MODES, type DeploymentMode, ExitCode, InternalError, lit, UmlabError } from "../constructs/index.js";
import { loadLab } from "../nodes/lab-file.js";
import { UsageError } from "../nodes/usage-error.js";
import { App } from "./cdktf.js";
import { useGeneratedSecrets } from "./lab-secrets.js";
import { LabStack } from "./lab-stack.js";
import { cachedLabPki } from "./pki-cache.js";
import { checkSynth, formatViolations } from "./rules/index.js";

/** A setting and where it came from, so that a message names what the user has to change. */
interface Setting {
  readonly value: string | undefined;
  readonly source: string;
}

/** cdktf.json's "context" in the working directory (the CLI runs the app in the project folder). */
function cdktfJsonContext(): Record<string, unknown> {
  const file = resolve("cdktf.json");
  if (!existsSync(file)) return {};
  try {
    const { context } = JSON.parse(readFileSync(file, "utf8")) as { context?: unknown };
    return context && typeof context === "object" ? (context as Record<string, unknown>) : {};
  } catch (err) {
    throw new UsageError(lit`CdktfJsonInvalid`, `cdktf.json could not be read: ${(err as Error).message}`);
  }
}

function setting(app: App, envName: string, contextKey: string): Setting {
  const fromEnv = process.env[envName];
  if (fromEnv) return { value: fromEnv, source: envName };
  const fromContext: unknown = app.node.tryGetContext(contextKey);
  const source = `cdktf.json context "${contextKey}"`;
  if (fromContext === undefined) return { value: undefined, source: envName };
  if (typeof fromContext !== "string")
    throw new UsageError(lit`ContextNotString`, `${source} is ${JSON.stringify(fromContext)}; allowed: a string`);
  return { value: fromContext, source };
}

function modeOf(s: Setting): DeploymentMode | undefined {
  if (s.value === undefined) return undefined;
  if (!DEPLOYMENT_MODES.includes(s.value as DeploymentMode)) {
    throw new UsageError(lit`ModeInvalid`, `${s.source} ${JSON.stringify(s.value)} is invalid; allowed: ${DEPLOYMENT_MODES.join(", ")}`);
  }
  return s.value as DeploymentMode;
}

/**
 * cdktf 0.21 (final: archived upstream) calls `util.isArray`, which Node 22 deprecates at run time
 * (DEP0044). The warning would reach stderr, which the cdktf CLI shows as [ERROR]; only that one
 * warning is dropped.
 */
function dropCdktfDeprecationWarning(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const code = typeof rest[0] === "object" ? (rest[0] as { code?: unknown } | null)?.code : rest[1];
    if (code !== "DEP0044") emit(warning, ...rest);
  }) as typeof process.emitWarning;
}

/**
 * cdktf.out holds every VM's custom data, and so the lab's private keys and passwords: owner-only,
 * also for files and folders an earlier synth left with wider modes.
 */
function restrictToOwner(path: string): void {
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) {
    chmodSync(path, 0o700);
    for (const entry of readdirSync(path)) restrictToOwner(join(path, entry));
  } else chmodSync(path, 0o600);
}

/** Synthesizes the lab to `app.outdir` and checks the policy rules; returns the line to print. */
async function synth(): Promise<string> {
  // cdktf.json's context first; CDKTF_CONTEXT_JSON (the CLI's copy of it) overrides it key by key.
  const app = new App({ context: cdktfJsonContext() });
  const modeSetting = setting(app, "UMLAB_MODE", "mode");
  const labSetting = setting(app, "UMLAB_LAB_FILE", "labFile");
  const mode = modeOf(modeSetting);
  if (labSetting.value && !existsSync(labSetting.value)) {
    throw new UsageError(lit`ConfigNotFound`, `${labSetting.source} ${JSON.stringify(labSetting.value)}: no such file`);
  }
  const lab = await loadLab(mode, labSetting.value).catch((err: unknown) => {
    // loadLab words its messages for the umlab command line's flags; name this app's settings instead.
    if (!(err instanceof UsageError)) throw err;
    throw new UsageError(err.code, err.message.replaceAll("--mode", modeSetting.source).replaceAll("--config", labSetting.source));
  });
  // On Azure every user gets a generated password and PIN, kept beside the lab's PKI.
  const secretsFile = useGeneratedSecrets(lab);
  new LabStack(app, "lab", { lab, pki: cachedLabPki(lab.node.id, LabStack.tlsParties(lab)) });
  process.umask(0o077);
  app.synth();
  restrictToOwner(app.outdir);

  const out = join(app.outdir, "stacks", "lab");
  const violations = checkSynth(JSON.parse(readFileSync(join(out, "cdk.tf.json"), "utf8")));
  if (violations.length > 0) {
    process.stderr.write(`umlab: the synthesized lab breaks ${violations.length} policy rule(s):\n${formatViolations(violations)}\n`);
    process.exit(ExitCode.failed);
  }
  return `umlab: synthesized ${lab.mode} lab "${lab.node.id}" to ${out} (owner-only: it holds keys and passwords; the users' are in ${secretsFile}); policy rules passed\n`;
}

dropCdktfDeprecationWarning();
synth().then(
  // stdout: the cdktf CLI shows whatever the app writes to stderr as an error.
  (line) => process.stdout.write(line),
  (err: unknown) => {
    // umlab's own errors (bad settings, an invalid lab model) are the whole story; anything else is a bug.
    if (!UmlabError.isUmlabError(err) || err.name === InternalError.name) throw err;
    process.stderr.write(`umlab: ${err.message}\n`);
    process.exitCode = err.exitCode;
  },
);
