import type { TopologyNode } from "../../constructs/topology.js";
import { dockerApi } from "../runtime/docker.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";

/** The daemons of the lab's servers: a restart of any shows as a new PID. */
export const DAEMONS = ["kamailio", "rtpengine", "asterisk", "dnsmasq"] as const;

/** One server container: when it started, how often Docker restarted it, and its daemons' PIDs. */
export interface DaemonState {
  readonly node: string;
  readonly startedAt: string;
  readonly restarts: number;
  /** "<pid> <name>", sorted: every process of a daemon (Kamailio forks one per worker) */
  readonly processes: readonly string[];
}

/** The servers: every node but the phones (which run nothing between calls). */
export function serverNodes(nodes: readonly TopologyNode[]): TopologyNode[] {
  return nodes.filter((n) => n.role !== "phone");
}

/** Lists the daemons' processes from /proc (no procps needed), with the container's start and restarts. */
async function stateOf(lab: StartedLocalLab, node: TopologyNode): Promise<DaemonState> {
  const info = await (await dockerApi()).getContainer(node.container).inspect();
  const script = `for p in /proc/[0-9]*; do c=$(cat "$p/comm" 2>/dev/null) && echo "\${p#/proc/} $c"; done`;
  const r = await lab.exec(node.name, ["sh", "-c", script]);
  const processes = r.output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => DAEMONS.some((d) => l.endsWith(` ${d}`)))
    .sort();
  return { node: node.name, startedAt: info.State.StartedAt, restarts: info.RestartCount, processes };
}

/** Every server's daemons, now. */
export async function daemonStates(lab: StartedLocalLab): Promise<DaemonState[]> {
  return Promise.all(serverNodes(lab.topology.nodes).map((n) => stateOf(lab, n)));
}

/**
 * What changed between two snapshots: a restarted container, or a daemon process gone (a crash, or
 * a restart, which replaces every PID). A process added while none went (dnsmasq forks for a TCP
 * query) is no restart. Empty when nothing changed.
 */
export function daemonChanges(before: readonly DaemonState[], after: readonly DaemonState[]): string[] {
  const out: string[] = [];
  for (const b of before) {
    const a = after.find((x) => x.node === b.node);
    if (!a) {
      out.push(`${b.node}: gone`);
      continue;
    }
    if (a.startedAt !== b.startedAt || a.restarts !== b.restarts)
      out.push(`${b.node}: container restarted (${b.startedAt} -> ${a.startedAt})`);
    const gone = b.processes.filter((p) => !a.processes.includes(p));
    const added = a.processes.filter((p) => !b.processes.includes(p));
    if (gone.length > 0) out.push(`${b.node}: processes gone: ${gone.join(", ")}${added.length > 0 ? `; new: ${added.join(", ")}` : ""}`);
  }
  return out;
}
