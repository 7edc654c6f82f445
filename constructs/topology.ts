import type { ContactKind } from "./contact.js";
import { InternalError, lit } from "./errors.js";
import type { AddressPlan, DeploymentMode, UmLab } from "./lab.js";
import type { MailboxLocation } from "./user.js";
import { Port } from "./values.js";

/**
 * The roles a node can play; stable names, part of the JSON contract. dns: a side's DNS server
 * (local labs only: on Azure, private DNS zones serve the same records).
 */
export type NodeRole = "frontend" | "onprem-um" | "edge" | "hosted-um" | "dns" | "phone";
/**
 * corp: front end, on-prem UM, phones, the edge's internal side. provider: the hosted UM.
 * dmz (Azure only): the edge's external NIC, with a public address; locally the edge's external
 * side sits on the provider network instead.
 */
export type NetworkRole = "corp" | "provider" | "dmz";

/** Where a topology is realized: local Docker networks, or Azure VNets with public addresses. */
export type Realization = "local" | "azure";

/** Host numbers inside each network: one place decides where every role sits. */
export const HOST_NUMBERS = {
  frontend: 10,
  "onprem-um": 20,
  edge: 30,
  "hosted-um": 40,
  /** each side's DNS server, on its own network */
  dns: 53,
  /** phones take 100, 101, ... in user order */
  phone: 100,
  /** a phone outside the enterprise (no account), for the auto attendant */
  outside: 99,
} as const;

/**
 * The test phones' ports (SIPp): the registered contact, the port calls are placed from, and the
 * RTP ports of calls placed and answered. Firewalls (Azure NSGs) open exactly these. The real SIP
 * user agent (baresip) in the same phone container has a SIP port of its own, and RTP ports inside
 * `media`, so that it never clashes with a SIPp scenario.
 */
export const PHONE_PORTS = {
  sip: Port.udp(5060),
  callerSip: Port.udp(5070),
  callerMedia: Port.udp(6000),
  answerMedia: Port.udp(6100),
  media: Port.udpRange(6000, 6101),
  realPhoneSip: Port.udp(5080),
  realPhoneMedia: Port.udpRange(6050, 6059),
} as const;

/** The node name of the phone that calls from outside (no account at the front end). */
export const OUTSIDE_PHONE = "phone-outside";

/**
 * A local lab's phones share one container, each phone at an address of its own (the container
 * adds them to its interface): a container costs the engine a few hundred milliseconds to start
 * on a small machine, so a lab of 200 users starts 1 phone container, not 200. Azure's phones VM
 * runs a container per phone.
 */
export const PHONE_BANK = "phones";

export interface TopologyNetwork {
  readonly name: string;
  readonly role: NetworkRole;
  readonly subnet: string;
}
export interface TopologyNode {
  readonly name: string;
  readonly role: NodeRole;
  /** the Docker container it runs in; a local lab's phones share one (PHONE_BANK) */
  readonly container: string;
  readonly fqdn: string;
  readonly addresses: Partial<Record<NetworkRole, string>>;
  /** Azure: the public address the other side sees (edge, hosted UM); may be a Terraform reference */
  readonly publicAddress?: string;
  /** for phones: the user whose phone it is */
  readonly user?: string;
}
export interface TopologyUser {
  readonly name: string;
  readonly extension: string;
  readonly sipUri: string;
  /** the user part of the SIP URI: what the phone registers and authenticates as */
  readonly sipUser: string;
  readonly password: string;
  /** voice-mail PIN, for subscriber access */
  readonly pin: string;
  readonly mailbox: MailboxLocation;
  /** the node holding the mailbox: "onprem-um" or "hosted-um" */
  readonly mailboxNode: string;
  /** hosted users: the hosted UM tenant (first organization of the policy) */
  readonly tenant?: string;
  readonly phone: string;
}

/** An ExUM contact object: the number to dial and the UM (and tenant) that answers it. */
export interface TopologyContact {
  readonly name: string;
  readonly kind: ContactKind;
  readonly displayNumber: string;
  readonly umNode: string;
  readonly tenant?: string;
}

/** The lab as data: what `umlab up --json` and `umlab status --json` print. A stable contract. */
export interface Topology {
  readonly lab: string;
  readonly instance: string;
  readonly mode: DeploymentMode;
  readonly sipDomain: string;
  /** seconds a phone rings before the front end diverts to voice mail */
  readonly noAnswerSeconds: number;
  readonly networks: readonly TopologyNetwork[];
  readonly nodes: readonly TopologyNode[];
  readonly users: readonly TopologyUser[];
  readonly contacts: readonly TopologyContact[];
}

export interface TopologyOptions {
  /** Names Docker networks and containers, so two labs can coexist. @default the lab id */
  readonly instance?: string;
  /** @default the lab's own address plan */
  readonly plan?: AddressPlan;
  /** @default "local" */
  readonly realization?: Realization;
  /** Azure: public addresses of the edge and the hosted UM (Terraform references at synth time). */
  readonly publicAddresses?: Partial<Record<"edge" | "hosted-um", string>>;
  /**
   * A DNS server node per side (split horizon), when the lab has a provider. Azure needs none: its
   * private DNS zones serve the same records; the twin run asks for them as Azure's stand-in.
   * @default true for a local realization, false on Azure
   */
  readonly dnsServers?: boolean;
}

/** Places a validated lab on its networks. Pure: the same model and options give the same topology. */
export function topologyOf(lab: UmLab, options: TopologyOptions = {}): Topology {
  lab.validateModel();
  const instance = options.instance ?? lab.node.id;
  const plan = options.plan ?? lab.addressPlan;
  const prefix = `umlab-${instance}`;
  const azure = options.realization === "azure";
  const networks: TopologyNetwork[] = [{ name: `${prefix}-corp`, role: "corp", subnet: plan.corp.toString() }];
  if (lab.usesProvider && azure) networks.push({ name: `${prefix}-dmz`, role: "dmz", subnet: plan.dmz.toString() });
  if (lab.usesProvider) networks.push({ name: `${prefix}-provider`, role: "provider", subnet: plan.provider.toString() });
  const publicOf = (node: "edge" | "hosted-um") => {
    const ip = options.publicAddresses?.[node];
    return ip ? { publicAddress: ip } : {};
  };

  const corp = (n: number) => plan.corp.host(n);
  const nodes: TopologyNode[] = [];
  const add = (name: string, role: NodeRole, fqdn: string, addresses: TopologyNode["addresses"], extra: Partial<TopologyNode> = {}) =>
    nodes.push({ name, role, container: `${prefix}-${role === "phone" && !azure ? PHONE_BANK : name}`, fqdn, addresses, ...extra });

  const fe = lab.frontEnd;
  if (fe) add("frontend", "frontend", fe.fqdn, { corp: corp(HOST_NUMBERS.frontend) });
  if (lab.onPremUm) add("onprem-um", "onprem-um", lab.onPremUm.fqdn, { corp: corp(HOST_NUMBERS["onprem-um"]) });
  if (lab.edge) {
    const external = azure ? { dmz: plan.dmz.host(HOST_NUMBERS.edge) } : { provider: plan.provider.host(HOST_NUMBERS.edge) };
    add("edge", "edge", lab.edge.fqdn, { corp: corp(HOST_NUMBERS.edge), ...external }, publicOf("edge"));
  }
  if (lab.hostedUm) {
    add("hosted-um", "hosted-um", lab.hostedUm.fqdn, { provider: plan.provider.host(HOST_NUMBERS["hosted-um"]) }, publicOf("hosted-um"));
  }
  if (lab.hostedUm && (options.dnsServers ?? !azure)) {
    const providerDomain = lab.hostedUm.fqdn.slice(lab.hostedUm.fqdn.indexOf(".") + 1);
    add("dns-enterprise", "dns", `dns.${lab.sipDomain}`, { corp: corp(HOST_NUMBERS.dns) });
    add("dns-provider", "dns", `dns.${providerDomain}`, { provider: plan.provider.host(HOST_NUMBERS.dns) });
  }
  lab.users.forEach((u, i) => {
    add(`phone-${u.name}`, "phone", `phone-${u.name}.${lab.sipDomain}`, { corp: corp(HOST_NUMBERS.phone + i) }, { user: u.name });
  });
  if (lab.contacts.some((c) => c.kind === "auto-attendant")) {
    add(OUTSIDE_PHONE, "phone", "phone.outside.test", { corp: corp(HOST_NUMBERS.outside) });
  }

  const users: TopologyUser[] = lab.users.map((u) => ({
    name: u.name,
    extension: u.extension,
    sipUri: u.sipUri,
    sipUser: u.sipUser,
    password: u.password,
    pin: u.pin,
    mailbox: u.mailbox,
    mailboxNode: u.mailbox === "hosted" ? "hosted-um" : "onprem-um",
    ...(u.tenant ? { tenant: u.tenant } : {}),
    phone: `phone-${u.name}`,
  }));

  const contacts: TopologyContact[] = lab.contacts.map((c) => ({
    name: c.node.id,
    kind: c.kind,
    displayNumber: c.displayNumber,
    umNode: c.location === "hosted" ? "hosted-um" : "onprem-um",
    ...(c.tenant ? { tenant: c.tenant } : {}),
  }));

  return {
    lab: lab.node.id,
    instance,
    mode: lab.mode,
    sipDomain: lab.sipDomain,
    noAnswerSeconds: fe?.noAnswerSeconds ?? 0,
    networks,
    nodes,
    users,
    contacts,
  };
}

/** Looks a node up by name; throws when the mode does not have it. */
export function nodeOf(topology: Topology, name: string): TopologyNode {
  const node = topology.nodes.find((n) => n.name === name);
  if (!node)
    throw new InternalError(
      lit`NodeNotInLab`,
      `node ${JSON.stringify(name)} is not in this ${topology.mode} lab; nodes: ${topology.nodes.map((n) => n.name).join(", ")}`,
    );
  return node;
}

/** The address the edge's external side listens on: the DMZ NIC on Azure, the provider network locally. */
export function edgeExternalAddress(topology: Topology): string {
  const edge = nodeOf(topology, "edge");
  const ip = edge.addresses.dmz ?? edge.addresses.provider;
  if (!ip) throw new InternalError(lit`EdgeWithoutExternalAddress`, "the edge has no external address");
  return ip;
}

/** How the provider reaches the edge: its public address on Azure, its provider-network address locally. */
export function edgeAddressSeenByProvider(topology: Topology): string {
  const edge = nodeOf(topology, "edge");
  return edge.publicAddress ?? edgeExternalAddress(topology);
}

/** The address of a node on one network; throws when it is not attached there. */
export function addressOf(topology: Topology, name: string, network: NetworkRole): string {
  const ip = nodeOf(topology, name).addresses[network];
  if (!ip)
    throw new InternalError(lit`NodeNotOnNetwork`, `node ${JSON.stringify(name)} has no address on network ${JSON.stringify(network)}`);
  return ip;
}
