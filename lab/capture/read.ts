import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { lit } from "../../constructs/errors.js";
import { nodeOf, type Topology } from "../../constructs/topology.js";
import { HEALTH_PROBE_PORT } from "../../nodes/calls/plan.js";
import { docker, dockerApi, LABEL, LabError } from "../runtime/docker.js";
import { readContainerFile } from "../runtime/read-file.js";
import { captureContainerName, capturePath, SIPDUMP_GLOB } from "./recorder.js";
import { CAPTURE_FIELDS, CAPTURE_FILTER, type CaptureRecords, parseCaptureFields, tsharkFieldArgs } from "./records.js";

/** One recording of a lab: where it is kept and what it shows. */
export interface CaptureSource {
  /** the exported file's stem: a network role ("corp", "provider"), or "edge-sip" for the edge's own SIP log */
  readonly name: string;
  /** the container that holds it */
  readonly container: string;
  /** its file, or a shell glob of files (sipdump starts a new file every 2 hours) */
  readonly files: string;
  readonly what: string;
}

/** The recordings of a lab: one packet capture per network, and the edge's SIP, TLS legs in clear. */
export function captureSources(topology: Topology): CaptureSource[] {
  const sources: CaptureSource[] = topology.networks.map((n) => ({
    name: n.role,
    container: captureContainerName(topology.instance),
    files: capturePath(n.role),
    what: `every packet on the ${n.role} network (${n.subnet})`,
  }));
  if (topology.nodes.some((n) => n.role === "edge")) {
    sources.push({
      name: "edge-sip",
      container: nodeOf(topology, "edge").container,
      files: SIPDUMP_GLOB,
      what: "every SIP message of the edge, its TLS legs to the provider in clear (Kamailio sipdump)",
    });
  }
  return sources;
}

/** Runs a command in a container; stdout and stderr apart (tshark warns on stderr when run as root). */
async function execIn(container: string, command: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const client = await docker();
  return client.container.exec(client.container.getById(container), command);
}

/** Refuses a lab started without capture (no capture container). */
async function assertCaptured(topology: Topology): Promise<void> {
  const name = captureContainerName(topology.instance);
  const listed = await (await dockerApi()).listContainers({ all: true, filters: { label: [`${LABEL.instance}=${topology.instance}`] } });
  if (!listed.some((c) => c.Names.some((n) => n.replace(/^\//, "") === name))) {
    throw new LabError(
      lit`CaptureMissing`,
      `lab ${topology.instance} has no capture container ${name}; it was started without capture (restart it with \`umlab down\` and \`umlab up\`)`,
    );
  }
}

/** tshark over every file of a source (the glob may match several, or none yet). */
async function tsharkEach(source: CaptureSource, args: (file: string) => string[]): Promise<string> {
  const quoted = args('"$f"')
    .map((a) => (a === '"$f"' ? a : `'${a.replace(/'/g, "'\\''")}'`))
    .join(" ");
  const script = `for f in ${source.files}; do [ -s "$f" ] && ${quoted}; done; true`;
  const r = await execIn(source.container, ["sh", "-c", script]);
  return r.stdout;
}

/** Why a container cannot be read, or undefined when it runs. */
async function notRunning(container: string): Promise<string | undefined> {
  const state = await (await dockerApi())
    .getContainer(container)
    .inspect()
    .then((i) => i.State.Status)
    .catch(() => "missing");
  return state === "running" ? undefined : `${container} is ${state}`;
}

/**
 * Decodes every recording of a running lab with tshark inside the lab's own containers: the SIP
 * messages (health probes left out) and the RTP streams each one saw. A recording whose container
 * does not run (a fault stopped the edge) is left out and named in `unread`.
 */
export async function readCapture(topology: Topology): Promise<CaptureRecords> {
  await assertCaptured(topology);
  const unread: string[] = [];
  const decoded = await Promise.all(
    captureSources(topology).map(async (s) => {
      const why = await notRunning(s.container);
      if (why) {
        unread.push(`${s.name}: ${why}`);
        return { sip: [], rtp: [] };
      }
      return parseCaptureFields(await tsharkEach(s, (f) => tsharkFieldArgs(f, CAPTURE_FILTER, CAPTURE_FIELDS)), s.name);
    }),
  );
  const probe = (p: { src: { port: number }; dst: { port: number } }) =>
    p.src.port === HEALTH_PROBE_PORT || p.dst.port === HEALTH_PROBE_PORT;
  return {
    sip: decoded.flatMap((d) => d.sip).filter((p) => !probe(p)),
    rtp: decoded.flatMap((d) => d.rtp),
    ...(unread.length > 0 ? { unread } : {}),
  };
}

/** One exported recording: its file, or why it was skipped. */
export interface ExportedCapture {
  readonly name: string;
  readonly what: string;
  readonly file?: string;
  readonly bytes: number;
  readonly skipped?: string;
}

/**
 * Writes one pcap per recording into `dir` (a snapshot: the lab keeps recording). The edge's SIP
 * files are merged into one (mergecap). A recording whose container does not run is skipped.
 */
export async function exportCapture(topology: Topology, dir: string): Promise<ExportedCapture[]> {
  await assertCaptured(topology);
  await mkdir(dir, { recursive: true });
  return Promise.all(
    captureSources(topology).map(async (s): Promise<ExportedCapture> => {
      const why = await notRunning(s.container);
      if (why) return { name: s.name, what: s.what, bytes: 0, skipped: why };
      const snapshot = `/tmp/umlab-export-${s.name}.pcap`;
      // A copy first: the engine's archive of a file that grows while it is read would be cut.
      const r = await execIn(s.container, ["sh", "-c", `mergecap -F pcap -w ${snapshot} ${s.files}`]);
      if (r.exitCode !== 0)
        throw new LabError(lit`CaptureExportFailed`, `could not snapshot ${s.name} in ${s.container}: ${r.stderr.trim()}`);
      const content = await readContainerFile(s.container, snapshot);
      await execIn(s.container, ["rm", "-f", snapshot]);
      const file = join(dir, `${s.name}.pcap`);
      await writeFile(file, content);
      return { name: s.name, what: s.what, file, bytes: content.length };
    }),
  );
}
