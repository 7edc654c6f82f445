import type { NetworkRole, Topology, TopologyNode } from "../../constructs/topology.js";
import { HEALTH_PROBE_PORT } from "../../nodes/calls/plan.js";
import { kindOf } from "../../nodes/kinds.js";
import { containerLogs } from "../runtime/container-logs.js";
import { dockerApi, LABEL } from "../runtime/docker.js";

/**
 * Capture: the lab records every packet on each of its networks, from `up` to `down`, with one
 * tcpdump per network in one capture container per lab. The container runs in the engine host's
 * network namespace and listens on the networks' bridges, so it sees every packet between the
 * lab's containers (front end, edge on both sides, UMs, phones) and keeps doing so when a node is
 * stopped and started again (a fault scenario): a sidecar in a node's own namespace would go
 * blind then. The edge's TLS legs are also written as plain SIP by Kamailio's own sipdump module
 * (edge.cfg), since a packet capture only sees them encrypted.
 */

/** The role label of the capture container (the instance label makes `down` remove it with the lab). */
export const CAPTURE_ROLE = "capture";
/** Where the capture container writes one pcap per network. */
export const CAPTURE_DIR = "/captures";
/** Where the edge's sipdump module writes (inside the edge container), and the files' prefix. */
export const SIPDUMP_GLOB = "/tmp/umlab-sipdump-*.pcap";

/** Left out of a capture: the health probes a node sends while it starts. */
export const CAPTURE_FILTER = `not port ${HEALTH_PROBE_PORT}`;

export function captureContainerName(instance: string): string {
  return `umlab-${instance}-capture`;
}

export function capturePath(network: NetworkRole): string {
  return `${CAPTURE_DIR}/${network}.pcap`;
}

/** How long tcpdump may take to say it listens. */
const LISTEN_TIMEOUT_MS = 15_000;

/** The image the capture runs: the Kamailio image, which has tcpdump, tshark and sngrep. */
function captureImage(launches: readonly { readonly node: TopologyNode; readonly image: string }[]): string | undefined {
  return launches.find((l) => kindOf(l.node).image === "kamailio")?.image;
}

/** The Linux bridge behind a Docker bridge network (its own name option, else br-<id>). */
async function bridgeOf(network: string): Promise<string> {
  const info = await (await dockerApi()).getNetwork(network).inspect();
  return info.Options?.["com.docker.network.bridge.name"] ?? `br-${String(info.Id).slice(0, 12)}`;
}

/**
 * Starts the lab's capture container once its networks exist, and waits until tcpdump listens on
 * every bridge. Packet-buffered output (-U): the files are complete at any moment, so `capture`
 * and `trace` read them while the lab runs. Returns the networks recorded and how long it took.
 */
export async function startCapture(r: {
  readonly topology: Topology;
  readonly launches: readonly { readonly node: TopologyNode; readonly image: string }[];
}): Promise<{ networks: string[]; ms: number }> {
  const started = Date.now();
  const image = captureImage(r.launches);
  if (!image) return { networks: [], ms: 0 };
  const { topology } = r;
  const bridges = await Promise.all(topology.networks.map(async (n) => ({ role: n.role, bridge: await bridgeOf(n.name) })));
  const tcpdumps = bridges.map(
    (b) => `tcpdump -i ${b.bridge} --immediate-mode -U -s 0 -Z root -w ${capturePath(b.role)} '${CAPTURE_FILTER}' &`,
  );
  const name = captureContainerName(topology.instance);
  const container = await (await dockerApi()).createContainer({
    name,
    Image: image,
    // The directory first, then every tcpdump: `mkdir && tcpdump A & tcpdump B &` would put the mkdir
    // in A's background job, racing B (a CI run saw B find no directory).
    Entrypoint: ["sh", "-c", `mkdir -p ${CAPTURE_DIR} || exit 1; ${tcpdumps.join(" ")} wait`],
    Labels: { [LABEL.instance]: topology.instance, [LABEL.role]: CAPTURE_ROLE },
    HostConfig: { NetworkMode: "host", CapAdd: ["NET_RAW", "NET_ADMIN"] },
  });
  await container.start();
  const deadline = Date.now() + LISTEN_TIMEOUT_MS;
  let logs = "";
  while (Date.now() < deadline) {
    logs = await containerLogs(name, 20).catch(() => "");
    if (bridges.every((b) => logs.includes(`listening on ${b.bridge}`))) {
      return { networks: bridges.map((b) => b.role), ms: Date.now() - started };
    }
    if (!(await container.inspect()).State.Running) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(
    `the capture container ${name} did not start tcpdump on ${bridges.map((b) => b.bridge).join(", ")}: ${logs.trim().slice(-300) || "no output"}`,
  );
}
