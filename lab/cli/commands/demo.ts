import { ExitCode, lit } from "../../../constructs/errors.js";
import { DEPLOYMENT_MODES, type DeploymentMode } from "../../../constructs/lab.js";
import { loadLab, parseMode } from "../../../nodes/lab-file.js";
import { UsageError } from "../../../nodes/usage-error.js";
import type { CheckResult } from "../../calls/checks.js";
import { walkthrough } from "../../demo/walkthrough.js";
import { StartedLocalLab } from "../../runtime/local-lab.js";
import { instanceName } from "../command.js";
import { out, progress } from "../io.js";

/** With --all, one report per mode: report.html becomes report-mixed.html, ... */
function reportFile(file: string | undefined, mode: DeploymentMode, all: boolean): string | undefined {
  if (!file || !all) return file;
  return /\.html?$/.test(file) ? file.replace(/(\.html?)$/, `-${mode}$1`) : `${file}-${mode}.html`;
}

export async function run({
  values,
}: {
  values: { mode?: string; all?: boolean; auto?: boolean; report?: string; config?: string; instance?: string };
}): Promise<number> {
  if (values.all && values.mode) throw new UsageError(lit`OptionConflict`, "demo: --mode and --all exclude each other; pick one");
  const instance = instanceName(values.instance);
  const modes = values.all ? [...DEPLOYMENT_MODES] : [parseMode(values.mode, undefined)];
  const results: CheckResult[] = [];
  const unexpected: CheckResult[] = [];
  for (const [i, mode] of modes.entries()) {
    // --all: one lab at a time on this machine; each mode's lab is removed before the next starts.
    if (i > 0) await (await StartedLocalLab.attach(instance)).stop();
    const model = await loadLab(mode, values.config);
    const report = reportFile(values.report, model.mode, !!values.all);
    const run = await walkthrough(model, { instance, auto: !!values.auto, ...(report ? { report } : {}), say: out, log: progress });
    results.push(...run.results);
    unexpected.push(...run.unexpected);
  }
  // A check made while the demo's fault was active is meant to fail: only the others count against the demo.
  const failed = unexpected.length;
  out(
    `\n${results.length - failed} of ${results.length} checks as expected. The lab stays up: umlab status, umlab mailbox <user>, umlab down.`,
  );
  return failed === 0 && results.length > 0 ? ExitCode.ok : ExitCode.failed;
}
