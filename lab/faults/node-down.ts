import type { NodeRole } from "../../constructs/topology.js";
import { nodeState, startNode, stopNode } from "./lab-control.js";
import { active, type FaultScenario, hasRole, inactive, nodeNamed, unknown } from "./scenario.js";

/** What a node-down scenario says about itself; the rest follows from the role. */
export interface NodeDownText {
  readonly summary: string;
  readonly symptom: string;
  readonly azure: string;
}

/**
 * The node's container stops (gracefully: Asterisk closes its recordings). Its file system stays,
 * the voice mail spool with it (it is on the container's own file system, which `docker stop` and
 * `docker start` keep). Clear starts it and waits until it serves (the node kinds' health probe);
 * what shares its network namespace stops and starts with it.
 */
export function nodeDown(name: string, role: NodeRole, text: NodeDownText): FaultScenario {
  return {
    name,
    ...text,
    touches: [role],
    clearOrder: 1,
    appliesTo: (t) => hasRole(t, role),
    async state(c) {
      const s = await nodeState(c.lab, nodeNamed(c.lab.topology, role));
      if (s === "missing") return unknown(`no container for ${role}`);
      return s === "running" ? inactive(`${role} running`) : active(`${role} container ${s}`);
    },
    async inject(c) {
      const node = nodeNamed(c.lab.topology, role);
      if ((await nodeState(c.lab, node)) !== "running") {
        c.log(`  ${node} is already stopped`);
        return;
      }
      await stopNode(c, node);
    },
    async clear(c) {
      const node = nodeNamed(c.lab.topology, role);
      if ((await nodeState(c.lab, node)) === "running") return;
      await startNode(c, node);
    },
  };
}
