import type { NodeRole, Topology } from "../../constructs/topology.js";
import type { NodeControl } from "./lab-control.js";

/**
 * A fault scenario (`umlab fault`): one thing a trainer breaks in a running lab on purpose, and
 * puts back. Scenarios are data in one registry (registry.ts); each says what it touches, what a
 * user sees while it is active, and how to do the same by hand on Azure.
 *
 * umlab keeps no fault state of its own: whether a scenario is active is read from the lab each
 * time (a container's state, the certificate a node holds, the edge's run-time switches, the lab
 * DNS), so it holds between command-line invocations and cannot disagree with the lab.
 */
export interface FaultScenario {
  /** Stable, kebab-case: what `umlab fault inject` takes. */
  readonly name: string;
  /** One line for `umlab fault list`. */
  readonly summary: string;
  /** The node roles it stops, restarts or reconfigures; inject and clear touch no other node. */
  readonly touches: readonly NodeRole[];
  /** What a user sees while it is active: the status a caller gets, what still works. */
  readonly symptom: string;
  /** On Azure: how to do the same by hand over SSH, or why it makes no sense there. */
  readonly azure: string;
  /**
   * When `umlab fault clear --all` clears it: 0 works on files, whether its node runs or not (first),
   * 1 starts a stopped node, 2 needs its node running (last; an edge start has already reset it).
   */
  readonly clearOrder: 0 | 1 | 2;
  /** Set while it cannot be injected yet: what it waits for. @default injectable */
  readonly pending?: string;
  /** Whether a lab of this topology has what it breaks (an edge, a hosted UM, an on-premises UM). */
  appliesTo(topology: Topology): boolean;
  /** Read from the running lab. */
  state(c: NodeControl): Promise<FaultState>;
  /** Changes the running lab; refuses (LabError) when the nodes it needs are not in a state to take it. */
  inject(c: NodeControl): Promise<void>;
  /** Puts the lab back as the model says; harmless when the scenario is not active. */
  clear(c: NodeControl): Promise<void>;
}

/** Whether a scenario is active in the running lab, with what was read ("container exited"). */
export interface FaultState {
  readonly active: boolean;
  /** "unknown" when what it reads could not be read (its node is not running). */
  readonly known: boolean;
  readonly detail: string;
}

export function active(detail: string): FaultState {
  return { active: true, known: true, detail };
}
export function inactive(detail: string): FaultState {
  return { active: false, known: true, detail };
}
export function unknown(detail: string): FaultState {
  return { active: false, known: false, detail };
}

/** The topology has a node of this role. */
export function hasRole(topology: Topology, role: NodeRole): boolean {
  return topology.nodes.some((n) => n.role === role);
}

/** The name of the node of a role (each scenario acts on the one node of its role). */
export function nodeNamed(topology: Topology, role: NodeRole): string {
  const node = topology.nodes.find((n) => n.role === role);
  return node?.name ?? role;
}
