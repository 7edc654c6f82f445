import type Dockerode from "dockerode";
import type { UmLab } from "../../constructs/lab.js";
import type { RenderedFile } from "../../constructs/render/index.js";
import { type Topology, type TopologyNode, topologyOf } from "../../constructs/topology.js";
import { IMAGE_OF_ROLE } from "../images/catalog.js";
import { docker, LABEL, LabError } from "./docker.js";
import { ensureImage, type ImageName } from "./images.js";
import { LabNodeContainer } from "./node-container.js";
import { nodeFiles, tlsParties } from "./node-files.js";
import { makeLabPki } from "./pki.js";

export type Log = (line: string) => void;

export interface LocalLabOptions {
  /** Names the lab's networks and containers (umlab-<instance>-...). @default the lab id */
  readonly instance?: string;
  /** Progress lines. @default silent */
  readonly log?: Log;
  /** Seconds each node may take to become healthy. @default 60 */
  readonly healthTimeoutSeconds?: number;
}

/** Raised when a lab instance of the same name already exists. */
export class LabExistsError extends LabError {}

/** Raised when a command needs a running lab and there is none of that name. */
export class LabNotRunningError extends LabError {}

/** The local realization of a lab model: Docker networks and containers, via testcontainers. */
export class LocalLab {
  private readonly instance: string;
  private readonly log: Log;
  private readonly healthTimeoutMs: number;

  constructor(
    private readonly lab: UmLab,
    options: LocalLabOptions = {},
  ) {
    this.instance = options.instance ?? lab.node.id;
    if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(this.instance)) {
      throw new Error(`instance ${JSON.stringify(this.instance)} is invalid; allowed: 1 to 31 lowercase letters, digits or '-'`);
    }
    this.log = options.log ?? (() => {});
    this.healthTimeoutMs = (options.healthTimeoutSeconds ?? 60) * 1000;
  }

  /** Images, networks, containers, health; on any failure removes everything it created. */
  async start(): Promise<StartedLocalLab> {
    this.lab.validateModel();
    const client = await docker();
    if ((await findInstances(client)).includes(this.instance)) {
      throw new LabExistsError(
        `lab instance ${JSON.stringify(this.instance)} already exists; remove it with \`umlab down --instance ${this.instance}\` or choose another --instance`,
      );
    }
    const topology0 = topologyOf(this.lab, { instance: this.instance });
    const needed = [...new Set(topology0.nodes.map((n) => IMAGE_OF_ROLE[n.role]))];
    const images = new Map<ImageName, string>();
    for (const name of needed) {
      const { tag, builtSeconds } = await ensureImage(name, this.log);
      if (builtSeconds !== undefined) this.log(`image ${tag} built in ${builtSeconds.toFixed(1)} s`);
      images.set(name, tag);
    }

    const started = Date.now();
    try {
      const topology = topologyOf(this.lab, { instance: this.instance, plan: await this.freePlan(client.container.dockerode) });
      this.log(
        `starting ${topology.mode} lab ${this.instance}: networks ${topology.networks.map((n) => `${n.role} ${n.subnet}`).join(", ")}`,
      );
      for (const net of topology.networks) {
        await client.container.dockerode.createNetwork({
          Name: net.name,
          Driver: "bridge",
          Internal: true, // lab traffic stays on this machine
          CheckDuplicate: true,
          IPAM: { Config: [{ Subnet: net.subnet }] },
          Labels: {
            [LABEL.instance]: this.instance,
            [LABEL.role]: net.role,
            ...(net.role === "corp" ? { [LABEL.topology]: JSON.stringify(topology) } : {}),
          },
        });
      }
      const files = this.filesByNode(topology);
      await Promise.all(
        topology.nodes.map((node) =>
          this.startNode(topology, node, images.get(IMAGE_OF_ROLE[node.role]) as string, files.get(node.name) ?? []),
        ),
      );
      const lab = new StartedLocalLab(topology);
      await Promise.all(topology.nodes.map((node) => lab.waitHealthy(node, this.healthTimeoutMs)));
      this.log(`lab ${this.instance} healthy in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return lab;
    } catch (err) {
      this.log(`start failed; removing what was created for ${this.instance}`);
      await destroyInstance(this.instance).catch(() => {});
      throw err;
    }
  }

  private filesByNode(topology: Topology): Map<string, RenderedFile[]> {
    const parties = tlsParties(topology);
    return nodeFiles(this.lab, topology, Object.keys(parties).length > 0 ? makeLabPki(parties) : {});
  }

  private async startNode(topology: Topology, node: TopologyNode, image: string, files: RenderedFile[]): Promise<void> {
    const nets = Object.entries(node.addresses) as [string, string][];
    const [first, ...rest] = nets;
    if (!first) throw new Error(`node ${node.name} has no address`);
    const netName = (role: string) => topology.networks.find((n) => n.role === role)?.name as string;
    const container = await new LabNodeContainer(image, this.instance, node.name, node.role)
      .withAddress(netName(first[0]), first[1], [node.fqdn])
      .withExpectedAddresses(nets.map(([, ip]) => ip))
      .withConfiguration(files)
      .start();
    const client = await docker();
    for (const [role, ip] of rest) {
      await client.container.dockerode
        .getNetwork(netName(role))
        .connect({ Container: container.getId(), EndpointConfig: { IPAMConfig: { IPv4Address: ip }, Aliases: [node.fqdn] } });
    }
    this.log(`  ${node.name} started (${nets.map(([r, ip]) => `${r} ${ip}`).join(", ")})`);
  }

  /** The model's plan if its subnets are free on this engine, else the first free shifted copy. */
  private async freePlan(dockerode: Dockerode) {
    const taken: string[] = [];
    for (const n of await dockerode.listNetworks()) for (const c of n.IPAM?.Config ?? []) if (c.Subnet) taken.push(c.Subnet);
    const { Cidr } = await import("../../constructs/values.js");
    const takenCidrs = taken.flatMap((t) => {
      try {
        return [Cidr.of("subnet", t)];
      } catch {
        return [];
      }
    });
    for (let k = 0; k < 64; k++) {
      const plan = this.lab.addressPlan.shifted(k);
      const mine = this.lab.usesProvider ? [plan.corp, plan.provider] : [plan.corp];
      if (!mine.some((m) => takenCidrs.some((t) => t.overlaps(m)))) return plan;
    }
    throw new Error(
      `no free subnets near ${this.lab.addressPlan.corp} for lab ${this.instance}; remove old labs with \`umlab down --all\``,
    );
  }
}

/** A running lab: its topology and a way into its containers. Can be re-attached by instance name. */
export class StartedLocalLab {
  constructor(readonly topology: Topology) {}

  /** Re-attaches to a running lab (for `status`, `test`, `mailbox`) from the label on its corp network. */
  static async attach(instance: string): Promise<StartedLocalLab> {
    const client = await docker();
    const nets = await client.container.dockerode.listNetworks({
      filters: { label: [`${LABEL.instance}=${instance}`, `${LABEL.role}=corp`] },
    });
    const json = nets[0]?.Labels?.[LABEL.topology];
    if (!json) {
      const others = await findInstances(client);
      throw new LabNotRunningError(
        `no lab instance ${JSON.stringify(instance)} runs here; running: ${others.length ? others.join(", ") : "none"} (start one with \`umlab up\`)`,
      );
    }
    return new StartedLocalLab(JSON.parse(json) as Topology);
  }

  get instance(): string {
    return this.topology.instance;
  }

  /** Runs a command in a node's container. */
  async exec(node: string, command: string[]): Promise<{ exitCode: number; output: string }> {
    const client = await docker();
    const c = this.topology.nodes.find((n) => n.name === node);
    if (!c) throw new Error(`node ${JSON.stringify(node)} is not in lab ${this.instance}`);
    const r = await client.container.exec(client.container.getById(c.container), command);
    return { exitCode: r.exitCode, output: r.output };
  }

  /** Container state of every node (running or not), for `status`. */
  async states(): Promise<Record<string, string>> {
    const client = await docker();
    const out: Record<string, string> = {};
    for (const n of this.topology.nodes) {
      try {
        const info = await client.container.inspect(client.container.getById(n.container));
        out[n.name] = info.State.Status;
      } catch {
        out[n.name] = "missing";
      }
    }
    return out;
  }

  /** Waits until a node serves: Kamailio answers SIP OPTIONS, Asterisk is fully booted. */
  async waitHealthy(node: TopologyNode, timeoutMs: number): Promise<void> {
    const probe = healthProbe(node);
    if (!probe) return;
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      const r = await this.exec(node.name, probe).catch((e: Error) => ({ exitCode: -1, output: e.message }));
      if (r.exitCode === 0) return;
      last = r.output;
      await new Promise((res) => setTimeout(res, 300));
    }
    const client = await docker();
    const logs = await client.container.dockerode
      .getContainer(node.container)
      .logs({ stdout: true, stderr: true, tail: 20, follow: false })
      .then((b) => printable(b as unknown as Buffer))
      .catch(() => "");
    throw new Error(
      `${node.name} (${node.container}) was not healthy after ${timeoutMs / 1000} s.\nlast probe: ${last.trim().slice(-500)}\nlast log lines:\n${logs}`,
    );
  }

  async stop(): Promise<void> {
    await destroyInstance(this.instance);
  }
}

function healthProbe(node: TopologyNode): string[] | undefined {
  if (node.role === "frontend" || node.role === "edge") {
    const ip = node.addresses.corp as string;
    return [
      "sipp",
      "-sf",
      "/etc/umlab/sipp/options.xml",
      "-key",
      "target",
      `sip:${ip}:5060`,
      "-i",
      ip,
      "-p",
      "5099",
      "-m",
      "1",
      "-timeout",
      "2",
      "-timeout_error",
      "-nostdin",
      `${ip}:5060`,
    ];
  }
  if (node.role === "onprem-um" || node.role === "hosted-um") return ["asterisk", "-rx", "core waitfullybooted"];
  return undefined;
}

/** Docker multiplexes stdout/stderr with 8-byte frame headers; keep the readable text. */
function printable(b: Buffer): string {
  return [...b.toString("utf8")].filter((c) => c >= " " || c === "\n" || c === "\t").join("");
}

/** Names of every umlab lab instance on this engine (from network and container labels). */
export async function findInstances(client?: Awaited<ReturnType<typeof docker>>): Promise<string[]> {
  const c = client ?? (await docker());
  const nets = await c.container.dockerode.listNetworks({ filters: { label: [LABEL.instance] } });
  const ctrs = await c.container.dockerode.listContainers({ all: true, filters: { label: [LABEL.instance] } });
  return [
    ...new Set(
      [...nets.map((n) => n.Labels?.[LABEL.instance]), ...ctrs.map((x) => x.Labels?.[LABEL.instance])].filter((x): x is string => !!x),
    ),
  ].sort();
}

/** Removes every container and network of a lab instance. Idempotent. */
export async function destroyInstance(instance: string): Promise<{ containers: number; networks: number }> {
  const client = await docker();
  const d = client.container.dockerode;
  const ctrs = await d.listContainers({ all: true, filters: { label: [`${LABEL.instance}=${instance}`] } });
  await Promise.all(
    ctrs.map((c) =>
      d
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => {}),
    ),
  );
  const nets = await d.listNetworks({ filters: { label: [`${LABEL.instance}=${instance}`] } });
  for (const n of nets)
    await d
      .getNetwork(n.Id)
      .remove()
      .catch(() => {});
  return { containers: ctrs.length, networks: nets.length };
}
