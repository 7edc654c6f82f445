import type { Topology, TopologyNode } from "../../constructs/topology.js";
import { HEALTH_PROBE_PORT } from "../../nodes/calls/plan.js";
import { kindOf } from "../../nodes/kinds.js";
import { containerLogs } from "../runtime/container-logs.js";
import { dockerApi, LABEL } from "../runtime/docker.js";

/**
 * Capture: the lab records every packet of the nodes that handle SIP (front end, edge, UMs) with
 * tcpdump in a sidecar container per node, sharing the node's network namespace (the node's image
 * and configuration stay as they are). The phones are not recorded themselves: every packet they
 * send or receive is seen where it arrives. The edge's TLS legs are also written as plain SIP by
 * Kamailio's own sipdump module (edge.cfg), since a packet capture only sees them encrypted.
 */

/** The role label of a capture sidecar (the instance label makes `down` remove it with the lab). */
export const CAPTURE_ROLE = "capture";
/** Where a sidecar writes its pcap, inside the sidecar. */
export const CAPTURE_DIR = "/captures";
/** Where the edge's sipdump module writes (inside the edge container), and the files' prefix. */
export const SIPDUMP_GLOB = "/tmp/umlab-sipdump-*.pcap";

/**
 * What is left out of a capture: loopback (the edge's control socket to rtpengine) and the
 * health probes a node sends to itself while it starts.
 */
export const CAPTURE_FILTER = `not host 127.0.0.1 and not port ${HEALTH_PROBE_PORT}`;

/** The roles whose nodes are recorded: those that handle SIP (phones are seen where their packets arrive). */
const CAPTURED_ROLES: ReadonlySet<string> = new Set(["frontend", "edge", "onprem-um", "hosted-um", "provider-proxy"]);

export function capturedNodes(topology: Topology): TopologyNode[] {
  return topology.nodes.filter((n) => CAPTURED_ROLES.has(n.role));
}

export function sidecarName(node: TopologyNode): string {
  return `${node.container}-capture`;
}

export function capturePath(node: TopologyNode): string {
  return `${CAPTURE_DIR}/${node.name}.pcap`;
}

/** How long a sidecar may take to say tcpdump listens. */
const LISTEN_TIMEOUT_MS = 15_000;

/** The image the sidecars run: the Kamailio image, which has tcpdump, tshark and sngrep. */
function captureImage(launches: readonly { readonly node: TopologyNode; readonly image: string }[]): string | undefined {
  return launches.find((l) => kindOf(l.node).image === "kamailio")?.image;
}

/**
 * Starts one capture sidecar per recorded node, all at once, and waits until each tcpdump listens.
 * Packet-buffered output (-U): the file is complete at any moment, so `capture` and `trace` read
 * it while the lab runs. Returns what it started and how long that took.
 */
export async function startCapture(r: {
  readonly topology: Topology;
  readonly launches: readonly { readonly node: TopologyNode; readonly image: string }[];
}): Promise<{ nodes: string[]; ms: number }> {
  const started = Date.now();
  const image = captureImage(r.launches);
  const nodes = image ? capturedNodes(r.topology) : [];
  await Promise.all(nodes.map((n) => startSidecar(r.topology.instance, n, image as string)));
  return { nodes: nodes.map((n) => n.name), ms: Date.now() - started };
}

async function startSidecar(instance: string, node: TopologyNode, image: string): Promise<void> {
  const api = await dockerApi();
  const name = sidecarName(node);
  const script = `mkdir -p ${CAPTURE_DIR} && exec tcpdump -i any -U -s 0 -Z root -w ${capturePath(node)} '${CAPTURE_FILTER}'`;
  const container = await api.createContainer({
    name,
    Image: image,
    Entrypoint: ["sh", "-c", script],
    Labels: { [LABEL.instance]: instance, [LABEL.node]: node.name, [LABEL.role]: CAPTURE_ROLE },
    HostConfig: { NetworkMode: `container:${node.container}`, CapAdd: ["NET_RAW", "NET_ADMIN"] },
  });
  await container.start();
  const deadline = Date.now() + LISTEN_TIMEOUT_MS;
  let logs = "";
  while (Date.now() < deadline) {
    logs = await containerLogs(name, 5).catch(() => "");
    if (/listening on any/.test(logs)) return;
    if (!(await container.inspect()).State.Running) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`capture sidecar ${name} for ${node.name} did not start tcpdump: ${logs.trim().slice(-300) || "no output"}`);
}
