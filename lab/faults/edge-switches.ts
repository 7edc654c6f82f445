import { lit } from "../../constructs/errors.js";
import { LabError } from "../runtime/docker.js";
import { assertRunning, kamcmd, type NodeControl, nodeState } from "./lab-control.js";
import { active, type FaultScenario, type FaultState, hasRole, inactive, nodeNamed, unknown } from "./scenario.js";

/** One run-time switch of the edge's Kamailio: a value in one of its htables (edge.cfg documents each). */
export interface EdgeSwitch {
  readonly table: string;
  readonly key: string;
  /** The value that turns the fault on; deleting the key turns it off (back to the model). */
  readonly value: string;
}

/** The value of an htable key in a running Kamailio node, undefined when the key is not set. */
export async function htableValue(c: NodeControl, node: string, s: EdgeSwitch): Promise<string | undefined> {
  const out = await kamcmd(c.lab, node, ["htable.get", s.table, s.key]);
  if (/No such htable/i.test(out)) {
    throw new LabError(
      lit`FaultSwitchMissing`,
      `${node} has no run-time switch ${s.table}=>${s.key} (its edge.cfg has no htable ${s.table}); start the lab again with this umlab`,
    );
  }
  return /^\s*value:\s*(.*)$/m.exec(out)?.[1]?.trim();
}

async function switchState(c: NodeControl, s: EdgeSwitch): Promise<FaultState> {
  const edge = nodeNamed(c.lab.topology, "edge");
  const state = await nodeState(c.lab, edge);
  if (state !== "running") return unknown(`edge ${state}: its switches reset when it starts`);
  const value = await htableValue(c, edge, s);
  return value === s.value ? active(`edge ${s.table}=>${s.key} = ${value}`) : inactive(`edge ${s.table}=>${s.key} ${value ?? "not set"}`);
}

/**
 * A fault switched in the edge at run time with kamcmd, without a restart: nothing else is touched,
 * calls in progress keep going. The switch lives in Kamailio's memory, so an edge restart (the
 * scenario edge-down) turns it off.
 */
export function edgeSwitchFault(name: string, s: EdgeSwitch, text: { summary: string; symptom: string; azure: string }): FaultScenario {
  return {
    name,
    ...text,
    touches: ["edge"],
    clearOrder: 2,
    appliesTo: (t) => hasRole(t, "edge"),
    state: (c) => switchState(c, s),
    async inject(c) {
      const edge = nodeNamed(c.lab.topology, "edge");
      await assertRunning(c.lab, edge, `cannot inject ${name}`);
      await htableValue(c, edge, s);
      await kamcmd(c.lab, edge, ["htable.sets", s.table, s.key, s.value]);
      c.log(`  edge: kamcmd htable.sets ${s.table} ${s.key} ${s.value}`);
    },
    async clear(c) {
      const edge = nodeNamed(c.lab.topology, "edge");
      if ((await nodeState(c.lab, edge)) !== "running") return;
      if ((await htableValue(c, edge, s)) === undefined) return;
      await kamcmd(c.lab, edge, ["htable.delete", s.table, s.key]);
      c.log(`  edge: kamcmd htable.delete ${s.table} ${s.key}`);
    },
  };
}
