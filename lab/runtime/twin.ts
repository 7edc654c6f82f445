import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { UmLab } from "../../constructs/lab.js";
import type { RenderedFile } from "../../constructs/render/index.js";
import { type NetworkRole, type Topology, topologyOf } from "../../constructs/topology.js";
import { Cidr } from "../../constructs/values.js";
import { PUBLIC_PLACEHOLDERS, parseCloudInit, VM_PATHS } from "../../stacks/cloud-init.js";
import { cloudConfigOf } from "../../stacks/rules/custom-data-fits.js";
import type { SynthJson } from "../../stacks/rules/types.js";
import { IMAGE_OF_ROLE, type ImageName, tagOf } from "../images/catalog.js";
import { ensureImage, IMAGE_NAMES } from "./images.js";
import type { Log, NodeLaunch, Realization } from "./local-lab.js";

/**
 * The twin run's stand-in for the internet between the two public addresses: the DMZ subnet.
 * The edge's public address is its DMZ address; the hosted UM gets a second address there, at its
 * host number, as its public address. Locally nothing else joins that network.
 */
function standIns(dmz: Cidr, hostedHost: number, edgeDmzIp: string) {
  return { edge: edgeDmzIp, "hosted-um": dmz.host(hostedHost) };
}

interface VmRun {
  readonly vm: string;
  readonly files: Map<string, Buffer>;
  readonly env: Record<string, string>;
  /** node name -> addresses and image tag, as start.sh runs them */
  readonly nodes: Map<string, { addresses: string[]; image: string }>;
}

function vmRuns(synth: SynthJson): VmRun[] {
  const vms = Object.entries(synth.resource?.azurerm_linux_virtual_machine ?? {});
  if (vms.length === 0) throw new Error("the synthesized stack has no VM");
  return vms.map(([vm, body]) => {
    const text = cloudConfigOf(String(body.custom_data));
    if (!text) throw new Error(`VM ${vm}: custom_data is not base64encode("<cloud-config>")`);
    const { files, env } = parseCloudInit(text);
    const start = files.get(VM_PATHS.start)?.toString() ?? "";
    const nodes = new Map<string, { addresses: string[]; image: string }>();
    for (const m of start.matchAll(
      /docker run -d [^\n]*--name umlab-(\S+)[\s\S]*?UMLAB_ADDRESSES="([^"]*)"[\s\S]*?(umlab-[a-z]+:[0-9a-f]{12})/g,
    )) {
      const [, name, addresses, image] = m;
      if (!name || !image) throw new Error(`VM ${vm}: cannot read a docker run line of start.sh: ${m[0].slice(0, 200)}`);
      nodes.set(name, { addresses: (addresses ?? "").split(" ").filter(Boolean), image });
    }
    if (nodes.size === 0) throw new Error(`VM ${vm}: start.sh runs no node`);
    return { vm, files, env, nodes };
  });
}

/** The image sources a VM's cloud-init writes, per image name. */
function imageSourcesOf(run: VmRun): Map<ImageName, { path: string; content: Buffer }[]> {
  const out = new Map<ImageName, { path: string; content: Buffer }[]>();
  const prefix = `${VM_PATHS.images}/`;
  const common = [...run.files].filter(([p]) => p.startsWith(`${prefix}common/`));
  for (const name of IMAGE_NAMES) {
    const own = [...run.files].filter(([p]) => p.startsWith(`${prefix}${name}/`));
    if (own.length > 0)
      out.set(
        name,
        [...own, ...common].map(([p, content]) => ({ path: p.slice(prefix.length), content })),
      );
  }
  return out;
}

/**
 * Turns a synthesized Azure stack back into a local realization: Docker networks with the
 * VNets' subnets, containers at the VMs' private addresses, images built from the Dockerfiles
 * cloud-init writes and configuration exactly as cloud-init writes it (public addresses replaced
 * by stand-ins, as start.sh would with Azure's). The model only supplies what a tester knows:
 * user accounts and the expected placement, which must match what was synthesized.
 */
export async function twinRealization(synth: SynthJson, lab: UmLab, options: { instance: string; log?: Log }): Promise<Realization> {
  const log = options.log ?? (() => {});
  const subnets = Object.values(synth.resource?.azurerm_subnet ?? {}).map((s) => ({
    role: String(s.name) as NetworkRole,
    cidr: Cidr.of("subnet", String(s.address_prefixes?.[0])),
  }));
  const runs = vmRuns(synth);
  const dmz = subnets.find((s) => s.role === "dmz")?.cidr;
  const edgeRun = runs.find((r) => r.nodes.has("edge"));
  const edgeDmz = edgeRun?.nodes.get("edge")?.addresses.find((ip) => dmz?.contains(ip));
  const stand = dmz && edgeDmz ? standIns(dmz, 40, edgeDmz) : undefined;

  const expected: Topology = topologyOf(lab, {
    instance: options.instance,
    realization: "azure",
    ...(stand ? { publicAddresses: stand } : {}),
  });
  const networks = expected.networks.map((n) => {
    const s = subnets.find((x) => x.role === n.role);
    if (!s || s.cidr.toString() !== n.subnet)
      throw new Error(`network ${n.role}: the stack has ${s?.cidr ?? "no subnet"}, the model ${n.subnet}`);
    return n;
  });
  const roleOf = (ip: string): NetworkRole => {
    const s = subnets.find((x) => x.cidr.contains(ip));
    if (!s) throw new Error(`address ${ip} is in no subnet of the stack`);
    return s.role;
  };

  const context = mkdtempSync(join(tmpdir(), "umlab-twin-images-"));
  try {
    const launches: NodeLaunch[] = [];
    for (const run of runs) {
      for (const [name, sources] of imageSourcesOf(run)) {
        const tag = tagOf(name, sources);
        for (const f of sources) {
          mkdirSync(dirname(join(context, f.path)), { recursive: true });
          writeFileSync(join(context, f.path), f.content, { mode: f.path.endsWith(".sh") ? 0o755 : 0o644 });
        }
        await ensureImage(name, log, { contextDir: context, tag });
      }
      for (const [name, n] of run.nodes) {
        const node = expected.nodes.find((x) => x.name === name);
        if (!node) throw new Error(`VM ${run.vm} runs node ${name}, which the model does not have`);
        const want = Object.values(node.addresses).sort();
        if (JSON.stringify([...n.addresses].sort()) !== JSON.stringify(want)) {
          throw new Error(`node ${name}: cloud-init gives it ${n.addresses.join(", ")}, the model ${want.join(", ")}`);
        }
        if (n.image.split(":")[0] !== `umlab-${IMAGE_OF_ROLE[node.role]}`)
          throw new Error(`node ${name} runs ${n.image}, expected a ${IMAGE_OF_ROLE[node.role]} image`);
        const dir = `${VM_PATHS.nodes}/${name}/`;
        const files: RenderedFile[] = [...run.files]
          .filter(([p]) => p.startsWith(dir))
          .map(([p, content]) => ({ path: p.slice(dir.length), content: substitute(content, stand) }));
        const attachments = n.addresses.map((ip) => ({ role: roleOf(ip), ip }));
        if (name === "hosted-um" && stand) attachments.push({ role: "dmz", ip: stand["hosted-um"] });
        launches.push({ node, image: n.image, files, attachments });
      }
    }
    const missing = expected.nodes.filter((n) => !launches.some((l) => l.node.name === n.name));
    if (missing.length > 0) throw new Error(`no VM runs ${missing.map((n) => n.name).join(", ")}`);
    return { topology: { ...expected, networks }, launches };
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** What start.sh does on Azure with the real public addresses. */
function substitute(content: Buffer, stand: Record<"edge" | "hosted-um", string> | undefined): Buffer {
  if (!stand) return content;
  let text = content.toString("latin1");
  if (!text.includes("@@")) return content;
  for (const [node, ph] of Object.entries(PUBLIC_PLACEHOLDERS)) text = text.split(ph).join(stand[node as "edge" | "hosted-um"]);
  return Buffer.from(text, "latin1");
}
