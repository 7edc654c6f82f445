import type { Topology } from "../../constructs/topology.js";
import { type CheckResult, checkConnectivity, withCallIds } from "../calls/checks.js";
import { clearFault, injectFault } from "../faults/faults.js";
import type { NodeControl } from "../faults/lab-control.js";
import { FAULTS } from "../faults/registry.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";

/** The fault a room sees: the UM that holds the featured mailboxes goes down (hosted when the mode has one). */
export function demoFault(t: Topology): string | undefined {
  return t.nodes.some((n) => n.role === "hosted-um") ? "hosted-um-down" : "onprem-um-down";
}

export interface FaultRun {
  readonly scenario: string;
  readonly summary: string;
  readonly symptom: string;
  /** connectivity while the fault is active: expected to fail, with hop and cause */
  readonly broken: CheckResult[];
  /** connectivity after clearing it: expected to pass again */
  readonly healed: CheckResult[];
}

/**
 * Injects the demo's fault scenario (lab/faults), runs Test-CsExUMConnectivity's equivalent so the
 * room sees the failing hop and its cause, clears the fault and runs it again.
 */
export async function runFault(lab: StartedLocalLab, log: (line: string) => void): Promise<FaultRun | undefined> {
  const scenario = demoFault(lab.topology) as string;
  const f = FAULTS.find((x) => x.name === scenario);
  const c: NodeControl = { lab, log, healthTimeoutMs: 60_000 };
  await injectFault(c, scenario);
  let broken: CheckResult[];
  try {
    broken = await withCallIds(() => checkConnectivity(lab));
  } finally {
    await clearFault(c, scenario);
  }
  const healed = await withCallIds(() => checkConnectivity(lab));
  return { scenario, summary: f?.summary ?? scenario, symptom: f?.symptom ?? "", broken, healed };
}
