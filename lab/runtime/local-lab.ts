import type Dockerode from "dockerode";
import { ExitCode, InternalError, lit } from "../../constructs/errors.js";
import type { UmLab } from "../../constructs/lab.js";
import type { RenderedFile } from "../../constructs/render/index.js";
import { type NetworkRole, type Topology, type TopologyNode, topologyOf } from "../../constructs/topology.js";
import { Cidr } from "../../constructs/values.js";
import { withFaultCertificates } from "../../nodes/fault-certs.js";
import { nodeFiles, tlsParties } from "../../nodes/files.js";
import { kindOf } from "../../nodes/kinds.js";
import { LabCa, makeLabPki } from "../../nodes/pki.js";
import { UsageError } from "../../nodes/usage-error.js";
import { startCapture } from "../capture/recorder.js";
import { containerLogs } from "./container-logs.js";
import { resolverOf } from "./dns.js";
import { docker, dockerApi, LABEL, LabError } from "./docker.js";
import { ensureImage, type ImageName } from "./images.js";
import { LabNodeContainer } from "./node-container.js";
import { withoutSecrets, withPhoneSecrets } from "./secrets.js";
import { StartClock, type StartTimings } from "./start-timings.js";

export type Log = (line: string) => void;

/** The pause between two health probes of a node that is not serving yet. */
const HEALTH_POLL_MS = 100;

/** How often a start tries the next free subnets when a lab starting at the same time took them. */
const SUBNET_ATTEMPTS = 5;

export interface LocalLabOptions {
  /** Names the lab's networks and containers (umlab-<instance>-...). @default the lab id */
  readonly instance?: string;
  /** Progress lines. @default silent */
  readonly log?: Log;
  /** Seconds each node may take to become healthy. @default 60 */
  readonly healthTimeoutSeconds?: number;
  /** Record SIP and RTP on the nodes that handle SIP (lab/capture), for `capture` and `trace`. @default true */
  readonly capture?: boolean;
  /**
   * The lab CA that signs the nodes' certificates. Pass one to issue more certificates from it
   * while the lab runs (a test's certificate with another name).
   * @default a new throw-away CA for this start
   */
  readonly ca?: LabCa;
}

/** Raised when a lab instance of the same name already exists. */
export class LabExistsError extends LabError {
  override readonly exitCode: number = ExitCode.badInput;

  constructor(message: string) {
    super(lit`LabExists`, message);
  }
}

/** Raised when a command needs a running lab and there is none of that name. */
export class LabNotRunningError extends LabError {
  constructor(message: string) {
    super(lit`LabNotRunning`, message);
  }
}

/** The local realization of a lab model: Docker networks and containers, via testcontainers. */
export class LocalLab {
  private readonly instance: string;
  private readonly log: Log;
  private readonly healthTimeoutMs: number;
  private readonly capture: boolean;
  private readonly ca: LabCa | undefined;

  constructor(
    private readonly lab: UmLab,
    options: LocalLabOptions = {},
  ) {
    this.instance = options.instance ?? lab.node.id;
    if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(this.instance)) {
      throw new UsageError(
        lit`InstanceInvalid`,
        `instance ${JSON.stringify(this.instance)} is invalid; allowed: 1 to 31 lowercase letters, digits or '-'`,
      );
    }
    this.log = options.log ?? (() => {});
    this.healthTimeoutMs = (options.healthTimeoutSeconds ?? 60) * 1000;
    this.capture = options.capture ?? true;
    this.ca = options.ca;
  }

  /** Images, networks, containers, health; on any failure removes everything it created. */
  async start(): Promise<StartedLocalLab> {
    const clock = new StartClock();
    this.lab.validateModel();
    const client = await docker();
    await assertFree(this.instance); // before any image build
    clock.phaseDone("engine");
    const topology0 = topologyOf(this.lab, { instance: this.instance });
    const needed = [...new Set(topology0.nodes.map((n) => kindOf(n).image))];
    const images = new Map<ImageName, string>();
    for (const name of needed) {
      const { tag, builtSeconds } = await ensureImage(name, this.log);
      if (builtSeconds !== undefined) this.log(`image ${tag} built in ${builtSeconds.toFixed(1)} s`);
      images.set(name, tag);
    }
    clock.phaseDone("images");

    // Two labs starting at once can pick the same free subnets; the loser's networks are refused
    // ("Pool overlaps"), realize() removes what it made, and the next free plan is tried.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.realizeOnFreeSubnets(client.container.dockerode, images, clock);
      } catch (err) {
        if (attempt >= SUBNET_ATTEMPTS || !/Pool overlaps/i.test(String((err as Error).message))) throw err;
        this.log(`subnets taken by a lab that started at the same time; trying the next free ones (attempt ${attempt + 1})`);
        await new Promise((res) => setTimeout(res, 200 + Math.random() * 800));
      }
    }
  }

  private async realizeOnFreeSubnets(
    dockerode: Dockerode,
    images: ReadonlyMap<ImageName, string>,
    clock: StartClock,
  ): Promise<StartedLocalLab> {
    const topology = topologyOf(this.lab, { instance: this.instance, plan: await this.freePlan(dockerode) });
    const files = this.filesByNode(topology);
    clock.phaseDone("plan, files, PKI");
    return realize(
      {
        topology,
        launches: topology.nodes.map((node) => ({
          node,
          image: images.get(kindOf(node).image) as string,
          files: files.get(node.name) ?? [],
          attachments: (Object.entries(node.addresses) as [NetworkRole, string][]).map(([role, ip]) => ({ role, ip })),
        })),
      },
      { log: this.log, healthTimeoutMs: this.healthTimeoutMs, capture: this.capture, clock },
    );
  }

  private filesByNode(topology: Topology): Map<string, RenderedFile[]> {
    const parties = tlsParties(topology);
    if (Object.keys(parties).length === 0) return nodeFiles(this.lab, topology, {});
    const ca = this.ca ?? LabCa.create();
    const pki = makeLabPki(parties, ca.days, ca);
    // The certificates `umlab fault` swaps in (cert-*), minted while the lab CA is at hand.
    return withFaultCertificates(nodeFiles(this.lab, topology, pki), topology, ca, pki);
  }

  /** The model's plan if its subnets are free on this engine, else the first free shifted copy. */
  private async freePlan(dockerode: Dockerode) {
    const taken: string[] = [];
    for (const n of await dockerode.listNetworks()) for (const c of n.IPAM?.Config ?? []) if (c.Subnet) taken.push(c.Subnet);
    const takenCidrs = taken.map((t) => Cidr.parse(t)).filter((c): c is NonNullable<typeof c> => c !== undefined);
    for (let k = 0; k < 64; k++) {
      const plan = this.lab.addressPlan.shifted(k);
      const mine = this.lab.usesProvider ? [plan.corp, plan.provider] : [plan.corp];
      if (!mine.some((m) => takenCidrs.some((t) => t.overlaps(m)))) return plan;
    }
    throw new LabError(
      lit`NoFreeSubnets`,
      `no free subnets near ${this.lab.addressPlan.corp} for lab ${this.instance}; remove old labs with \`umlab down --all\``,
    );
  }
}

/** Refuses an instance name that is in use. */
export async function assertFree(instance: string): Promise<void> {
  if ((await findInstances()).includes(instance)) {
    throw new LabExistsError(
      `lab instance ${JSON.stringify(instance)} already exists; remove it with \`umlab down --instance ${instance}\` or choose another --instance`,
    );
  }
}

/** One container to start: its node, image, files for /etc/umlab, and addresses in attach order. */
export interface NodeLaunch {
  readonly node: TopologyNode;
  readonly image: string;
  readonly files: readonly RenderedFile[];
  readonly attachments: readonly { readonly role: NetworkRole; readonly ip: string }[];
}

/** What to bring up: the topology (networks, and what status/test read) and the containers. */
export interface Realization {
  readonly topology: Topology;
  readonly launches: readonly NodeLaunch[];
}

/**
 * Brings a realization up: internal Docker networks at the topology's subnets, one container per
 * launch at its addresses, then health. On any failure removes everything of the instance.
 * The local lab realizes the model; the twin run realizes what Azure's cloud-init would run.
 * Each node is probed as soon as its container runs, so a slow node's boot overlaps the others' starts.
 */
export async function realize(
  r: Realization,
  options: { log?: Log; healthTimeoutMs?: number; capture?: boolean; clock?: StartClock } = {},
): Promise<StartedLocalLab> {
  const log = options.log ?? (() => {});
  const clock = options.clock ?? new StartClock();
  const { topology } = r;
  const instance = topology.instance;
  await assertFree(instance);
  const started = Date.now();
  try {
    log(`starting ${topology.mode} lab ${instance}: networks ${topology.networks.map((n) => `${n.role} ${n.subnet}`).join(", ")}`);
    await createNetworks(topology);
    clock.phaseDone("networks");
    clock.nodesBegin();
    const probing = new StartedLocalLab(topology);
    const timeoutMs = options.healthTimeoutMs ?? 60_000;
    // The capture (lab/capture: every packet on the lab's networks until `down`) starts with the nodes.
    const [capture] = await Promise.all([
      options.capture === false
        ? undefined
        : startCapture(r).then((c) => {
            clock.nodeRunning("capture");
            clock.nodeHealthy("capture");
            return c;
          }),
      ...containerLaunches(topology, r.launches).map(async (c) => {
        await startContainer(topology, c, log);
        await Promise.all(
          c.launches.map(async ({ node }) => {
            clock.nodeRunning(node.name);
            await probing.waitHealthy(node, timeoutMs);
            clock.nodeHealthy(node.name);
          }),
        );
      }),
    ]);
    if (capture) log(`capture on ${capture.networks.join(", ")} (listening after ${(capture.ms / 1000).toFixed(1)} s)`);
    clock.phaseDone("nodes to healthy");
    log(`lab ${instance} healthy in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return new StartedLocalLab(topology, clock.timings());
  } catch (err) {
    log(`start failed; removing what was created for ${instance}`);
    await destroyInstance(instance).catch(() => {});
    throw err;
  }
}

/**
 * The lab's internal bridge networks, created side by side; the corp network carries the topology
 * for `attach`. Every creation has ended before a failure is thrown, so that the clean-up that
 * follows also removes a network whose creation was still under way.
 */
async function createNetworks(topology: Topology): Promise<void> {
  const api = await dockerApi();
  const created = await Promise.allSettled(
    topology.networks.map((net) =>
      api.createNetwork({
        Name: net.name,
        Driver: "bridge",
        Internal: true, // lab traffic stays on this machine
        CheckDuplicate: true,
        IPAM: { Config: [{ Subnet: net.subnet }] },
        Labels: {
          [LABEL.instance]: topology.instance,
          [LABEL.role]: net.role,
          // No passwords or PINs in a label (anyone who can list networks reads it): attach reads them from the phones.
          ...(net.role === "corp" ? { [LABEL.topology]: JSON.stringify(withoutSecrets(topology)) } : {}),
        },
      }),
    ),
  );
  const failed = created.find((c) => c.status === "rejected");
  if (failed) throw failed.reason;
}

/** One container to start and the launches it carries: one node's, or a phone bank's phones. */
interface ContainerLaunch {
  /** the container's name in the lab (umlab-<instance>-<name>) */
  readonly name: string;
  readonly launches: readonly NodeLaunch[];
}

/** The launches grouped by the container they run in, in launch order. */
function containerLaunches(topology: Topology, launches: readonly NodeLaunch[]): ContainerLaunch[] {
  const prefix = `umlab-${topology.instance}-`;
  const groups = new Map<string, NodeLaunch[]>();
  for (const l of launches) groups.set(l.node.container, [...(groups.get(l.node.container) ?? []), l]);
  return [...groups].map(([container, ls]) => ({ name: container.slice(prefix.length), launches: ls }));
}

/** The files of every launch in a container; two launches may share a path only with the same content. */
function mergedFiles(c: ContainerLaunch): RenderedFile[] {
  const byPath = new Map<string, RenderedFile>();
  for (const f of c.launches.flatMap((l) => l.files)) {
    const had = byPath.get(f.path);
    if (had && had !== f && String(had.content) !== String(f.content))
      throw new InternalError(lit`ContainerFileClash`, `container ${c.name} would hold two different ${f.path}`);
    byPath.set(f.path, f);
  }
  return [...byPath.values()];
}

/**
 * One container at its addresses, resolving through its side's DNS server. No network alias: every
 * name a node routes by comes from the lab's DNS servers. A container of several launches (the
 * phone bank) gets the first address of each network from Docker and adds the others itself.
 */
async function startContainer(topology: Topology, c: ContainerLaunch, log: Log): Promise<void> {
  const first = c.launches[0];
  const attachments = c.launches.flatMap((l) => l.attachments);
  const [primary] = attachments;
  if (!first || !primary) throw new InternalError(lit`NodeWithoutAddress`, `container ${c.name} has no address`);
  const network = (role: string) => {
    const n = topology.networks.find((x) => x.role === role);
    if (!n) throw new InternalError(lit`NetworkNotInLab`, `container ${c.name} wants network ${role}, which this lab does not have`);
    return n;
  };
  // The first address on each network comes from Docker (connect); the others are secondary.
  const connects = attachments.filter((a, i) => attachments.findIndex((b) => b.role === a.role) === i);
  const secondary = attachments.filter((a) => !connects.includes(a)).map((a) => `${a.ip}/${network(a.role).subnet.split("/")[1]}`);
  const node = new LabNodeContainer(first.image, topology.instance, c.name, first.node.role)
    .withExpectedAddresses(attachments.map((a) => a.ip))
    .withConfiguration(mergedFiles(c));
  if (secondary.length > 0) node.withSecondaryAddresses(secondary);
  const resolver = resolverOf(topology, first.node);
  if (resolver) node.withResolver(resolver);
  const container = await node.withAddress(network(primary.role).name, primary.ip).start();
  const api = await dockerApi();
  for (const a of connects.slice(1)) {
    const EndpointConfig = { IPAMConfig: { IPv4Address: a.ip } };
    await api.getNetwork(network(a.role).name).connect({ Container: container.getId(), EndpointConfig });
  }
  const where = attachments.length > 3 ? `${attachments.length} addresses` : attachments.map((a) => `${a.role} ${a.ip}`).join(", ");
  log(`  ${c.name} started (${where}${resolver ? `; DNS ${resolver}` : ""})`);
}

/** A running lab: its topology and a way into its containers. Can be re-attached by instance name. */
export class StartedLocalLab {
  /**
   * @param startTimings where the start that made this lab spent its time (undefined for a lab
   *   found by `attach`)
   */
  constructor(
    readonly topology: Topology,
    readonly startTimings?: StartTimings,
  ) {}

  /**
   * Re-attaches to a running lab (for `status`, `test`, `mailbox`) from the label on its corp
   * network; the users' passwords and PINs, which no label holds, from their phones' account files.
   */
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
    return new StartedLocalLab(await withPhoneSecrets(JSON.parse(json) as Topology));
  }

  get instance(): string {
    return this.topology.instance;
  }

  /** Runs a command in a node's container (in `workingDir`, which must exist, if given). */
  async exec(node: string, command: string[], options: { workingDir?: string } = {}): Promise<{ exitCode: number; output: string }> {
    const client = await docker();
    const c = this.topology.nodes.find((n) => n.name === node);
    if (!c) throw new LabError(lit`NodeUnknown`, `node ${JSON.stringify(node)} is not in lab ${this.instance}`);
    const r = await client.container.exec(client.container.getById(c.container), command, options);
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
    const probe = kindOf(node).healthProbe(node);
    if (!probe) return;
    const deadline = Date.now() + timeoutMs;
    let last = "";
    let stopped = false;
    while (Date.now() < deadline) {
      const r = await this.exec(node.name, [...probe]).catch((e: Error) => ({ exitCode: -1, output: e.message }));
      if (r.exitCode === 0) return;
      last = r.output;
      // A node whose daemon exited (a configuration it refused) will not serve: say so now, not after the timeout.
      if (/is not running/.test(last)) {
        stopped = true;
        break;
      }
      // A probe is an exec (tens of ms); probing again soon costs little and a booted node is seen sooner.
      await new Promise((res) => setTimeout(res, HEALTH_POLL_MS));
    }
    const logs = await containerLogs(node.container, 20).catch(() => "");
    throw new LabError(
      lit`NodeUnhealthy`,
      `${node.name} (${node.container}) ${stopped ? "stopped while starting" : `was not healthy after ${timeoutMs / 1000} s`}.\nlast probe: ${last.trim().slice(-500)}\nlast log lines:\n${logs}`,
    );
  }

  async stop(): Promise<void> {
    await destroyInstance(this.instance);
  }
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
