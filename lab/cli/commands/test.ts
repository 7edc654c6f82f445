import { ExitCode, lit } from "../../../constructs/errors.js";
import { UsageError } from "../../../nodes/usage-error.js";
import { type CheckResult, runChecks } from "../../calls/checks.js";
import { recordCheckCalls } from "../../capture/check-calls.js";
import { laddersOf } from "../../report/ladders.js";
import { RecordingCollector } from "../../report/recordings.js";
import { writeReport } from "../../report/write.js";
import { StartedLocalLab } from "../../runtime/local-lab.js";
import { instanceName } from "../command.js";
import { out, progress } from "../io.js";
import { runningRoutes } from "../lab-source.js";

function formatResult(r: CheckResult): string {
  const mark = r.result === "Success" ? "PASS" : "FAIL";
  return `${mark}  ${r.check.padEnd(21)} ${r.target.padEnd(52)} ${String(r.latencyMs).padStart(6)} ms  ${r.diagnosis}`;
}

/** `--report FILE`: the page with the topology, routes, checks and each deposit's recording. */
async function report(
  file: string,
  lab: StartedLocalLab,
  config: string | undefined,
  run: Omit<Parameters<typeof writeReport>[1], "topology" | "ladders">,
) {
  const routes = await runningRoutes(lab.topology, config);
  const { ladders, missing } = await laddersOf(lab, run.results);
  const bytes = await writeReport(file, {
    topology: lab.topology,
    ...routes,
    ...run,
    ladders,
    ...(missing ? { laddersMissing: missing } : {}),
  });
  progress(`report written to ${file} (${(bytes / 1024).toFixed(0)} KiB)`);
}

export async function run({
  values,
}: {
  values: { instance?: string; user?: string[]; json?: boolean; report?: string; config?: string };
}): Promise<number> {
  const instance = instanceName(values.instance);
  const lab = await StartedLocalLab.attach(instance);
  const unknown = (values.user ?? []).filter((u) => !lab.topology.users.some((x) => x.name === u));
  if (unknown.length > 0) {
    throw new UsageError(
      lit`UserUnknown`,
      `--user ${unknown.map((u) => JSON.stringify(u)).join(", ")} is not in lab ${instance}; allowed: ${lab.topology.users.map((u) => u.name).join(", ")}`,
    );
  }
  if (!values.json) progress(`running ${lab.topology.mode} call checks against lab ${instance} (each check places real calls)`);
  const recordings = new RecordingCollector(lab);
  const startedAt = new Date();
  const results = await runChecks(lab, {
    noAnswerSeconds: lab.topology.noAnswerSeconds,
    ...(values.user ? { users: values.user } : {}),
    onResult: (r) => {
      if (!values.json) out(formatResult(r));
      if (values.report) recordings.observe(r);
    },
  });
  await recordCheckCalls(lab, results); // for `umlab trace --check <name>`
  if (values.report) {
    const run = { results, recordings: await recordings.recordings(), startedAt, finishedAt: new Date() };
    await report(values.report, lab, values.config, run);
  }
  const failed = results.filter((r) => r.result !== "Success").length;
  if (values.json) out(JSON.stringify({ instance, mode: lab.topology.mode, passed: results.length - failed, failed, results }, null, 2));
  else out(`\n${results.length - failed} passed, ${failed} failed`);
  return failed === 0 && results.length > 0 ? ExitCode.ok : ExitCode.failed;
}
