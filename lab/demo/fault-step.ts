import type { Topology } from "../../constructs/topology.js";
import type { CheckResult } from "../calls/checks.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";

export interface FaultRun {
  readonly scenario: string;
  readonly summary: string;
  readonly symptom: string;
  /** connectivity while the fault is active: expected to fail, with hop and cause */
  readonly broken: CheckResult[];
  /** connectivity after clearing it: expected to pass again */
  readonly healed: CheckResult[];
}

/** The fault a room sees; none until this build has fault scenarios (lab/faults). */
export function demoFault(_t: Topology): string | undefined {
  return undefined;
}

/** Injects the demo's fault, shows the failing check, clears it; undefined: nothing to inject in this build. */
export async function runFault(_lab: StartedLocalLab, _log: (line: string) => void): Promise<FaultRun | undefined> {
  return undefined;
}
