import type Dockerode from "dockerode";
import { lit } from "../../constructs/errors.js";
import { nodeOf, type TopologyNode } from "../../constructs/topology.js";
import { kindOf } from "../../nodes/kinds.js";
import { dockerApi, LABEL, LabError } from "../runtime/docker.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import { putFile } from "../runtime/put-file.js";
import { readContainerFile } from "../runtime/read-file.js";

/**
 * What fault scenarios do to a running lab's nodes, through the Docker API: stop, start and restart
 * a node (and whatever shares its network namespace), read and write its files whether it runs or
 * not, and run kamcmd in it. Nothing here knows a scenario.
 */

/** Progress lines, and how long a node may take to serve again. */
export interface NodeControl {
  readonly lab: StartedLocalLab;
  readonly log: (line: string) => void;
  readonly healthTimeoutMs: number;
}

/** A node's container state as Docker reports it ("running", "exited", ...), or "missing". */
export async function nodeState(lab: StartedLocalLab, node: string): Promise<string> {
  const api = await dockerApi();
  try {
    return (await api.getContainer(nodeOf(lab.topology, node).container).inspect()).State.Status;
  } catch {
    return "missing";
  }
}

/**
 * Containers of the lab that live in `node`'s network namespace (a node on its host, such as the
 * provider's proxy, and capture sidecars): they lose their network when the node stops, so they
 * stop before it and start again after it.
 */
async function sharingNamespace(lab: StartedLocalLab, node: TopologyNode): Promise<Dockerode.ContainerInspectInfo[]> {
  const api = await dockerApi();
  const own = await api.getContainer(node.container).inspect();
  const modes = new Set([`container:${node.container}`, `container:${own.Id}`, `container:${own.Name.replace(/^\//, "")}`]);
  const all = await api.listContainers({ all: true, filters: { label: [`${LABEL.instance}=${lab.instance}`] } });
  const infos = await Promise.all(all.map((c) => api.getContainer(c.Id).inspect()));
  return infos.filter((i) => modes.has(i.HostConfig.NetworkMode ?? ""));
}

/** The lab's node a container belongs to (by label), if it is one: its health is then probed. */
function labNodeOf(lab: StartedLocalLab, info: Dockerode.ContainerInspectInfo): TopologyNode | undefined {
  const name = info.Config.Labels?.[LABEL.node];
  const node = lab.topology.nodes.find((n) => n.name === name && n.container === info.Name.replace(/^\//, ""));
  return node;
}

/** Stops a node's container (gracefully: Asterisk closes its files), and first what shares its network. */
export async function stopNode(c: NodeControl, name: string): Promise<void> {
  const node = nodeOf(c.lab.topology, name);
  const api = await dockerApi();
  for (const d of await sharingNamespace(c.lab, node)) {
    if (d.State.Running) await api.getContainer(d.Id).stop({ t: 5 });
  }
  // A UM gets time to close its recordings; a proxy has nothing to save (and Kamailio as PID 1 waits for rtpengine).
  await api.getContainer(node.container).stop({ t: kindOf(node).um ? 10 : 2 });
  c.log(`  ${name} stopped (container ${node.container}; its file system, voice mail spool included, is kept)`);
}

/** Starts a stopped node, waits until it serves (the node kinds' health probe), then what shares its network. */
export async function startNode(c: NodeControl, name: string): Promise<void> {
  const node = nodeOf(c.lab.topology, name);
  const api = await dockerApi();
  await api.getContainer(node.container).start();
  await c.lab.waitHealthy(node, c.healthTimeoutMs);
  await restartSharing(c, node, false);
  c.log(`  ${name} started and serving`);
}

/**
 * Restarts a running node (it reads its configuration and TLS files again), then what shares its
 * network, and waits until it serves (the node kinds' health probe). With `listening`, it waits
 * only until that port takes TCP connections, and not for what shares its network: a node given a
 * bad certificate on purpose cannot pass its own mutual-TLS health probe.
 */
export async function restartNode(c: NodeControl, name: string, listening?: number): Promise<void> {
  const node = nodeOf(c.lab.topology, name);
  const api = await dockerApi();
  await api.getContainer(node.container).restart({ t: 5 });
  if (listening === undefined) await c.lab.waitHealthy(node, c.healthTimeoutMs);
  else await waitListening(c, node, listening);
  await restartSharing(c, node, true, listening === undefined);
  c.log(`  ${name} restarted and ${listening === undefined ? "serving" : `listening on ${listening}`}`);
}

/** Waits until a node takes TCP connections on one of its addresses and `port`. */
async function waitListening(c: NodeControl, node: TopologyNode, port: number): Promise<void> {
  const ip = Object.values(node.addresses)[0] as string;
  const deadline = Date.now() + c.healthTimeoutMs;
  while (Date.now() < deadline) {
    const r = await c.lab.exec(node.name, ["bash", "-c", `exec 3<>/dev/tcp/${ip}/${port}`]).catch(() => ({ exitCode: -1 }));
    if (r.exitCode === 0) return;
    await new Promise((res) => setTimeout(res, 300));
  }
  throw new LabError(lit`NodeNotListening`, `${node.name} does not take connections on ${ip}:${port} after ${c.healthTimeoutMs / 1000} s`);
}

/** Containers in `node`'s network namespace join its new namespace by a restart (or a start if stopped). */
async function restartSharing(c: NodeControl, node: TopologyNode, running: boolean, healthy = true): Promise<void> {
  const api = await dockerApi();
  for (const d of await sharingNamespace(c.lab, node)) {
    const container = api.getContainer(d.Id);
    if (d.State.Running) await container.restart({ t: 2 });
    else await container.start();
    const labNode = labNodeOf(c.lab, d);
    if (labNode && healthy) await c.lab.waitHealthy(labNode, c.healthTimeoutMs);
    c.log(`  ${d.Name.replace(/^\//, "")} ${running ? "restarted" : "started"} with ${node.name} (it shares its network)`);
  }
}

/** Refuses to act on a node that does not run, saying what to do. */
export async function assertRunning(lab: StartedLocalLab, name: string, why: string): Promise<void> {
  const state = await nodeState(lab, name);
  if (state !== "running") {
    throw new LabError(
      lit`FaultNodeNotRunning`,
      `${why}: node ${name} is ${state}; start it first (\`umlab fault clear --all\` clears every fault that stops a node)`,
    );
  }
}

/** Reads one file of a node's container (the Docker archive API: whether it runs or not); undefined if it has none. */
export async function readNodeFile(lab: StartedLocalLab, name: string, path: string): Promise<Buffer | undefined> {
  try {
    return await readContainerFile(nodeOf(lab.topology, name).container, path);
  } catch {
    return undefined;
  }
}

/** Writes one file into a node's container (running or not). */
export async function writeNodeFile(lab: StartedLocalLab, name: string, path: string, content: Buffer, mode = 0o644): Promise<void> {
  await putFile(nodeOf(lab.topology, name).container, path, content, mode);
}

/** Runs kamcmd (Kamailio's RPC client) in a running Kamailio node; kamcmd exits 0 even on errors, so the text says. */
export async function kamcmd(lab: StartedLocalLab, name: string, args: readonly string[]): Promise<string> {
  const r = await lab.exec(name, ["kamcmd", ...args]);
  if (r.exitCode !== 0) throw new LabError(lit`KamcmdFailed`, `kamcmd ${args.join(" ")} on ${name} failed: ${r.output.trim()}`);
  return r.output;
}
