import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { UmLab } from "../../constructs/lab.js";
import type { RenderedFile } from "../../constructs/render/index.js";
import { type NetworkRole, type Topology, topologyOf } from "../../constructs/topology.js";
import { Cidr } from "../../constructs/values.js";
import { ensureImage, IMAGE_NAMES } from "../../lab/runtime/images.js";
import type { Log, NodeLaunch, Realization } from "../../lab/runtime/local-lab.js";
import { type ImageName, tagOf } from "../../nodes/images/catalog.js";
import { kindOf } from "../../nodes/kinds.js";
import { PUBLIC_PLACEHOLDERS, parseCloudInit, runStartScript, VM_PATHS } from "../../stacks/cloud-init.js";
import { cloudConfigOf } from "../../stacks/rules/custom-data-fits.js";
import type { SynthJson } from "../../stacks/rules/types.js";
import { azureDnsZones, dnsStandIns } from "./twin-dns.js";

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
  /** what cloud-init writes (image sources among them) */
  readonly written: Map<string, Buffer>;
  /** what start.sh installed under /opt/umlab/nodes, placeholders filled */
  readonly installed: Map<string, Buffer>;
  /** node name -> addresses and image tag, as start.sh ran them */
  readonly nodes: Map<string, { addresses: string[]; image: string }>;
}

/** Each VM's cloud-init decoded and its start.sh run (docker stubbed), with `env` as public.env. */
function vmRuns(synth: SynthJson, env: Record<string, string>): VmRun[] {
  const vms = Object.entries(synth.resource?.azurerm_linux_virtual_machine ?? {});
  if (vms.length === 0) throw new Error("the synthesized stack has no VM");
  return vms.map(([vm, body]) => {
    const text = cloudConfigOf(String(body.custom_data));
    if (!text) throw new Error(`VM ${vm}: custom_data is not base64encode("<cloud-config>")`);
    const { files, written } = parseCloudInit(text);
    const ran = runStartScript(written, env);
    const nodes = new Map<string, { addresses: string[]; image: string }>();
    for (const call of ran.docker.filter((c) => c[0] === "run")) {
      const name = call[call.indexOf("--name") + 1]?.replace(/^umlab-/, "");
      const addresses =
        call
          .find((a) => a.startsWith("UMLAB_ADDRESSES="))
          ?.slice("UMLAB_ADDRESSES=".length)
          .split(" ")
          .filter(Boolean) ?? [];
      const image = call.at(-1);
      if (!name || !image) throw new Error(`VM ${vm}: start.sh ran docker ${call.join(" ")}`);
      nodes.set(name, { addresses, image });
    }
    if (nodes.size === 0) throw new Error(`VM ${vm}: start.sh started no node`);
    return { vm, written: files, installed: ran.files, nodes };
  });
}

/** The image sources a VM's cloud-init writes, per image name. */
function imageSourcesOf(run: VmRun): Map<ImageName, { path: string; content: Buffer }[]> {
  const out = new Map<ImageName, { path: string; content: Buffer }[]>();
  const prefix = `${VM_PATHS.images}/`;
  const common = [...run.written].filter(([p]) => p.startsWith(`${prefix}common/`));
  for (const name of IMAGE_NAMES) {
    const own = [...run.written].filter(([p]) => p.startsWith(`${prefix}${name}/`));
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
 * by stand-ins, as start.sh would with Azure's), and Azure's private DNS zones served by the
 * lab's DNS servers (twin-dns.ts). The model only supplies what a tester knows:
 * user accounts and the expected placement, which must match what was synthesized.
 */
export async function twinRealization(synth: SynthJson, lab: UmLab, options: { instance: string; log?: Log }): Promise<Realization> {
  const log = options.log ?? (() => {});
  const subnets = Object.values(synth.resource?.azurerm_subnet ?? {}).map((s) => ({
    role: String(s.name) as NetworkRole,
    cidr: Cidr.of("subnet", String(s.address_prefixes?.[0])),
  }));
  const dmz = subnets.find((s) => s.role === "dmz")?.cidr;
  const edgeDmz = synth.resource?.azurerm_network_interface?.["edge-dmz-nic"]?.ip_configuration?.[0]?.private_ip_address as
    | string
    | undefined;
  const stand = dmz && edgeDmz ? standIns(dmz, 40, edgeDmz) : undefined;
  // What Terraform would write into public.env on Azure; here, the stand-ins.
  const runs = vmRuns(synth, stand ? { EDGE_PUBLIC_IP: stand.edge, HOSTED_UM_PUBLIC_IP: stand["hosted-um"] } : {});

  // The lab's DNS servers stand in for Azure's private DNS (twin-dns.ts).
  const expected: Topology = topologyOf(lab, {
    instance: options.instance,
    realization: "azure",
    dnsServers: true,
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
        if (n.image.split(":")[0] !== `umlab-${kindOf(node).image}`)
          throw new Error(`node ${name} runs ${n.image}, expected a ${kindOf(node).image} image`);
        const dir = `${VM_PATHS.nodes}/${name}/`;
        const files: RenderedFile[] = [...run.installed]
          .filter(([p]) => p.startsWith(dir))
          .map(([p, content]) => ({ path: p.slice(dir.length), content }));
        const left = files.find((f) => Object.values(PUBLIC_PLACEHOLDERS).some((ph) => Buffer.from(f.content).includes(ph)));
        if (left) throw new Error(`node ${name}: start.sh left a public-address placeholder in ${left.path}`);
        const attachments = n.addresses.map((ip) => ({ role: roleOf(ip), ip }));
        if (name === "hosted-um" && stand) attachments.push({ role: "dmz", ip: stand["hosted-um"] });
        launches.push({ node, image: n.image, files, attachments });
      }
    }
    launches.push(...(await dnsStandIns(expected, azureDnsZones(synth, stand ?? {}), log)));
    const missing = expected.nodes.filter((n) => !launches.some((l) => l.node.name === n.name));
    if (missing.length > 0) throw new Error(`no VM runs ${missing.map((n) => n.name).join(", ")}`);
    return { topology: { ...expected, networks }, launches };
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}
