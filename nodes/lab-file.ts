import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { DEPLOYMENT_MODES, type DeploymentMode, defaultLab, lit, UmLab, UmlabError } from "../constructs/index.js";
import { UsageError } from "./usage-error.js";

/**
 * A lab file is a TypeScript module whose default export is either a UmLab, or a function
 * `({ mode }) => UmLab` so that one file can describe the lab in every mode.
 */
export type LabFactory = (options: { mode: DeploymentMode }) => UmLab;

export function parseMode(value: string | undefined, fallback: DeploymentMode | undefined): DeploymentMode | undefined {
  if (value === undefined) return fallback;
  if (!DEPLOYMENT_MODES.includes(value as DeploymentMode)) {
    throw new UsageError(lit`ModeInvalid`, `--mode ${JSON.stringify(value)} is invalid; allowed: ${DEPLOYMENT_MODES.join(", ")}`);
  }
  return value as DeploymentMode;
}

/**
 * Why a lab file did not load, in one line that keeps where: a syntax error's line and column
 * (esbuild, through tsx: "Transform failed with 1 error:\n<file>:3:12: ERROR: ..."; Node: the
 * stack's "<file>:<line>" line), else the message's first line.
 */
function loadFailure(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const esbuild = /^.*?:(\d+):(\d+): ERROR: (.*)$/m.exec(text);
  if (esbuild) return `line ${esbuild[1]}, column ${esbuild[2]}: ${esbuild[3]}`;
  const first = text.split("\n")[0] ?? "";
  const at = err instanceof SyntaxError ? /^\S+?:(\d+)(?::(\d+))?$/m.exec(err.stack ?? "") : null;
  if (at) return `line ${at[1]}${at[2] ? `, column ${at[2]}` : ""}: ${first}`;
  return first;
}

/** The built-in lab, or the user's lab file, in the requested mode; validated. */
export async function loadLab(mode: DeploymentMode | undefined, configFile: string | undefined): Promise<UmLab> {
  let lab: UmLab;
  if (!configFile) {
    lab = defaultLab({ mode: mode ?? "mixed" });
  } else {
    const path = resolve(configFile);
    if (!existsSync(path)) throw new UsageError(lit`ConfigNotFound`, `--config ${JSON.stringify(configFile)}: no such file`);
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
    } catch (err) {
      if (UmlabError.isUmlabError(err)) throw err;
      throw new UsageError(
        lit`ConfigLoadFailed`,
        `--config ${configFile}: the lab file could not be loaded: ${loadFailure(err)} (a lab file is an ES module: name it .mts, or keep it in a package with "type": "module")`,
      );
    }
    const exported = mod.default;
    if (UmLab.isUmLab(exported)) {
      if (mode && exported.mode !== mode) {
        throw new UsageError(
          lit`ConfigModeContradiction`,
          `--mode ${mode} contradicts the lab file, whose UmLab has mode ${exported.mode}; drop --mode or export a function ({ mode }) => UmLab`,
        );
      }
      lab = exported;
    } else if (typeof exported === "function") {
      lab = (exported as LabFactory)({ mode: mode ?? "mixed" });
      if (!UmLab.isUmLab(lab))
        throw new UsageError(lit`ConfigExportInvalid`, `--config ${configFile}: the default export did not return a UmLab`);
      if (mode && lab.mode !== mode) {
        throw new UsageError(
          lit`ConfigModeContradiction`,
          `--mode ${mode} contradicts the lab file, whose function returned a UmLab in mode ${lab.mode}; build the lab in the mode it is given ({ mode }) => UmLab, or drop --mode`,
        );
      }
    } else {
      throw new UsageError(
        lit`ConfigExportInvalid`,
        `--config ${configFile}: the default export must be a UmLab or a function ({ mode }) => UmLab`,
      );
    }
  }
  return lab.validateModel();
}
