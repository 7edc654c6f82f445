import { lit } from "../../constructs/errors.js";
import type { NodeRole } from "../../constructs/topology.js";
import { UsageError } from "../../nodes/usage-error.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import type { NodeControl } from "./lab-control.js";
import { FAULTS, faultNamed } from "./registry.js";
import type { FaultScenario } from "./scenario.js";

/** A scenario as `umlab fault list --json` prints it: what it is, and whether it is active in this lab. */
export interface FaultStatus {
  readonly name: string;
  readonly summary: string;
  readonly touches: readonly NodeRole[];
  readonly symptom: string;
  readonly azure: string;
  readonly pending?: string;
  /** Whether this lab has what it breaks. */
  readonly applies: boolean;
  readonly active: boolean;
  /** False when its state could not be read (a node it reads is not running). */
  readonly known: boolean;
  /** What was read, e.g. "hosted-um container exited". */
  readonly detail: string;
}

async function statusOf(c: NodeControl, f: FaultScenario): Promise<FaultStatus> {
  const { name, summary, touches, symptom, azure, pending } = f;
  const applies = f.appliesTo(c.lab.topology);
  const state = applies ? await f.state(c) : { active: false, known: true, detail: `not in a ${c.lab.topology.mode} lab` };
  return { name, summary, touches, symptom, azure, ...(pending ? { pending } : {}), applies, ...state };
}

/** Every scenario and its state in the running lab, read from the lab. */
export async function faultStatuses(c: NodeControl): Promise<FaultStatus[]> {
  const out: FaultStatus[] = [];
  for (const f of FAULTS) out.push(await statusOf(c, f));
  return out;
}

/** The names of the scenarios active in a running lab (for check results: which faults were in place). */
export async function activeFaults(lab: StartedLocalLab): Promise<string[]> {
  const c: NodeControl = { lab, log: () => {}, healthTimeoutMs: 0 };
  return (await faultStatuses(c).catch(() => [])).filter((s) => s.active).map((s) => s.name);
}

function applicable(c: NodeControl, name: string): FaultScenario {
  const f = faultNamed(name);
  if (!f.appliesTo(c.lab.topology)) {
    throw new UsageError(
      lit`FaultNotApplicable`,
      `fault ${name} needs ${f.touches.join(" and ")}, which lab ${c.lab.instance} (mode ${c.lab.topology.mode}) does not have`,
    );
  }
  return f;
}

/** Injects one scenario into the running lab and returns its state afterwards. */
export async function injectFault(c: NodeControl, name: string): Promise<FaultStatus> {
  const f = applicable(c, name);
  c.log(`injecting ${name}: ${f.summary}`);
  await f.inject(c);
  return statusOf(c, f);
}

/** Clears one scenario (harmless when it is not active) and returns its state afterwards. */
export async function clearFault(c: NodeControl, name: string): Promise<FaultStatus> {
  const f = applicable(c, name);
  c.log(`clearing ${name}`);
  await f.clear(c);
  return statusOf(c, f);
}

/**
 * Clears every active scenario: first those that put files back (they work on a stopped node too),
 * then those that start a node, then the switches of running nodes. Returns their states afterwards.
 */
export async function clearAllFaults(c: NodeControl): Promise<FaultStatus[]> {
  const cleared: FaultStatus[] = [];
  for (const f of [...FAULTS].sort((a, b) => a.clearOrder - b.clearOrder)) {
    if (!f.appliesTo(c.lab.topology) || f.pending) continue;
    const s = await f.state(c);
    // A switch of a stopped edge reads "unknown": starting the edge (edge-down, cleared before) resets it.
    if (!s.active) continue;
    c.log(`clearing ${f.name}`);
    await f.clear(c);
    cleared.push(await statusOf(c, f));
  }
  return cleared;
}
