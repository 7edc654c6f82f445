import { ExitCode, lit, UmlabError } from "../../../constructs/errors.js";
import { UsageError } from "../../../nodes/usage-error.js";
import { clearAllFaults, clearFault, type FaultStatus, faultStatuses, injectFault } from "../../faults/faults.js";
import type { NodeControl } from "../../faults/lab-control.js";
import { FAULTS, faultNamed } from "../../faults/registry.js";
import { StartedLocalLab } from "../../runtime/local-lab.js";
import { instanceName } from "../command.js";
import { out, progress } from "../io.js";

export const FAULT_ACTIONS = ["list", "inject", "clear"] as const;
export type FaultAction = (typeof FAULT_ACTIONS)[number];

/** What `umlab fault` was asked: checked before any lab is touched. */
export interface FaultRequest {
  readonly action: FaultAction;
  /** inject and clear: one scenario, or every active one (clear --all). */
  readonly scenario?: string;
  readonly all: boolean;
}

/** Reads `<action> [<scenario>]` and --all into a request, or says what is wrong (UsageError codes). */
export function faultRequest(positionals: readonly string[], all: boolean): FaultRequest {
  const [action, scenario] = positionals;
  const usage = "umlab fault list | inject <scenario> | clear <scenario>|--all";
  if (action === undefined) throw new UsageError(lit`ArgumentMissing`, `fault needs an action: ${usage}`);
  if (!(FAULT_ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError(
      lit`FaultActionUnknown`,
      `fault: unknown action ${JSON.stringify(action)}; allowed: ${FAULT_ACTIONS.join(", ")} (${usage})`,
    );
  }
  const a = action as FaultAction;
  if (a === "list") {
    if (scenario !== undefined)
      throw new UsageError(lit`ArgumentUnexpected`, `fault list takes no scenario (got ${JSON.stringify(scenario)})`);
    if (all) throw new UsageError(lit`OptionInvalid`, "fault list: --all is for fault clear");
    return { action: a, all: false };
  }
  if (a === "inject" && all)
    throw new UsageError(lit`OptionInvalid`, "fault inject: --all is for fault clear; inject one scenario at a time");
  if (scenario === undefined && !all) {
    throw new UsageError(
      lit`ArgumentMissing`,
      `fault ${a} needs a scenario${a === "clear" ? " or --all" : ""}; scenarios: ${FAULTS.map((f) => f.name).join(", ")}`,
    );
  }
  if (scenario !== undefined && all) throw new UsageError(lit`OptionInvalid`, `fault clear: a scenario or --all, not both`);
  if (scenario !== undefined) faultNamed(scenario);
  return { action: a, all, ...(scenario !== undefined ? { scenario } : {}) };
}

function line(s: FaultStatus): string {
  const state = !s.applies ? "n/a" : s.pending ? "pending" : !s.known ? "unknown" : s.active ? "ACTIVE" : "no";
  return `  ${s.name.padEnd(20)} ${state.padEnd(8)} ${s.touches.join(",").padEnd(10)} ${s.summary}`;
}

/** The catalogue without a lab: what `fault list` prints when the instance does not run. */
function catalogue(): void {
  out("fault scenarios (no lab of that name runs: state not shown)");
  for (const f of FAULTS)
    out(`  ${f.name.padEnd(20)} ${(f.pending ? "pending" : "").padEnd(8)} ${f.touches.join(",").padEnd(10)} ${f.summary}`);
}

async function list(instance: string, json: boolean): Promise<number> {
  let lab: StartedLocalLab;
  try {
    lab = await StartedLocalLab.attach(instance);
  } catch (err) {
    if (!UmlabError.isUmlabError(err) || err.code !== "LabNotRunning" || json) throw err;
    catalogue();
    return ExitCode.ok;
  }
  const faults = await faultStatuses({ lab, log: progress, healthTimeoutMs: 60_000 });
  if (json) {
    out(JSON.stringify({ instance, mode: lab.topology.mode, faults }, null, 2));
    return ExitCode.ok;
  }
  out(`fault scenarios of lab ${instance} (mode ${lab.topology.mode}); ACTIVE is read from the lab itself`);
  out(`  ${"SCENARIO".padEnd(20)} ${"ACTIVE".padEnd(8)} ${"TOUCHES".padEnd(10)} SUMMARY`);
  for (const s of faults) out(line(s));
  return ExitCode.ok;
}

function report(action: string, states: readonly FaultStatus[], json: boolean, instance: string): void {
  if (json) {
    out(JSON.stringify({ instance, action, faults: states }, null, 2));
    return;
  }
  if (states.length === 0) out("no fault was active");
  for (const s of states) {
    out(`${s.name}: ${s.active ? "active" : "cleared"} (${s.detail})`);
    if (s.active) out(`  expect: ${s.symptom}`);
  }
}

export async function run({
  values,
  positionals,
}: {
  values: { instance?: string; all?: boolean; json?: boolean };
  positionals: readonly string[];
}): Promise<number> {
  const instance = instanceName(values.instance);
  const request = faultRequest(positionals, values.all === true);
  if (request.action === "list") return list(instance, values.json === true);
  const lab = await StartedLocalLab.attach(instance);
  const c: NodeControl = { lab, log: progress, healthTimeoutMs: 60_000 };
  let states: FaultStatus[];
  if (request.action === "inject") states = [await injectFault(c, request.scenario as string)];
  else states = request.all ? await clearAllFaults(c) : [await clearFault(c, request.scenario as string)];
  report(request.action, states, values.json === true, instance);
  return ExitCode.ok;
}
