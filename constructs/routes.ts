import type { ContactKind, ExUmContact } from "./contact.js";
import { KamailioEdge } from "./edge.js";
import { FrontEnd } from "./front-end.js";
import type { DeploymentMode, UmLab } from "./lab.js";
import { OnPremUm } from "./onprem-um.js";
import type { HostedVoicemailPolicy } from "./policy.js";
import { HostedUm } from "./provider.js";
import { ROUTING_PARAM_ORG } from "./render/common.js";
import { addressOf, type Topology, topologyOf } from "./topology.js";
import type { MailboxLocation, User } from "./user.js";

/** A hosted voice mail policy as it applies to someone: which one, from which scope, and its values. */
export interface RoutePolicy {
  readonly name: string;
  /** "global", "site" or "user": how it came to apply (the most specific wins) */
  readonly scope: "global" | "site" | "user";
  /** the site, for a site policy */
  readonly site?: string;
  readonly destination?: string;
  readonly organization: string;
  /** false when the policy applies but the mailbox is on premises, so voice mail does not use it */
  readonly inUse: boolean;
}

/** One SIP hop of a voice-mail path: the node, its FQDN, and where the previous hop sends to. */
export interface RouteHop {
  readonly node: "frontend" | "edge" | "onprem-um" | "hosted-um";
  readonly fqdn: string;
  /** the address and port the previous hop sends to, e.g. "10.61.0.20:5060/udp" (the first hop: the front end's own) */
  readonly via: string;
}

/** Where the front end sends one user's voice mail, and why. */
export interface UserRoute {
  readonly user: string;
  readonly extension: string;
  readonly sipUri: string;
  readonly mailbox: MailboxLocation;
  /** Lync's -HostedVoiceMail flag as in force (it wins over on-premises data) */
  readonly hostedVoiceMail: boolean;
  readonly policy?: RoutePolicy;
  /** the hosted tenant (first organization domain), or "onprem" for the on-prem UM's context */
  readonly tenant: string;
  /** the Request-URI of the INVITE the front end sends to the UM (umlab's own syntax when hosted) */
  readonly requestUri: string;
  readonly path: readonly RouteHop[];
}

/** Where the front end sends calls to an ExUM contact's number. */
export interface ContactRoute {
  readonly name: string;
  readonly kind: ContactKind;
  readonly displayNumber: string;
  readonly location: MailboxLocation;
  readonly policy?: RoutePolicy;
  readonly tenant: string;
  readonly requestUri: string;
  readonly path: readonly RouteHop[];
}

/** The lab's voice-mail routing table: what Lync's ExUM routing application decides, per user and contact. */
export interface RoutingTable {
  readonly mode: DeploymentMode;
  readonly sipDomain: string;
  readonly users: readonly UserRoute[];
  readonly contacts: readonly ContactRoute[];
}

function policyOf(policy: HostedVoicemailPolicy | undefined, inUse: boolean): RoutePolicy | undefined {
  if (!policy) return undefined;
  const { kind, site } = policy.scope;
  return {
    name: policy.node.id,
    scope: kind,
    ...(site ? { site } : {}),
    ...(policy.destination ? { destination: policy.destination } : {}),
    organization: policy.organization,
    inUse,
  };
}

/** The hops to a UM: front end, then the on-prem UM, or the edge and the hosted UM. */
function pathTo(lab: UmLab, t: Topology, location: MailboxLocation): RouteHop[] {
  const fe: RouteHop = {
    node: "frontend",
    fqdn: lab.frontEnd?.fqdn ?? "",
    via: `${addressOf(t, "frontend", "corp")}:${FrontEnd.SIP.from}/udp`,
  };
  if (location === "on-premises") {
    const um = lab.onPremUm;
    return [fe, { node: "onprem-um", fqdn: um?.fqdn ?? "", via: `${addressOf(t, "onprem-um", "corp")}:${OnPremUm.SIP.from}/udp` }];
  }
  const edge: RouteHop = {
    node: "edge",
    fqdn: lab.edge?.fqdn ?? "",
    via: `${addressOf(t, "edge", "corp")}:${KamailioEdge.INTERNAL_SIP.from}/udp`,
  };
  const hosted = t.nodes.find((n) => n.role === "hosted-um");
  const hostedIp = hosted?.publicAddress ?? hosted?.addresses.provider ?? "";
  return [fe, edge, { node: "hosted-um", fqdn: lab.hostedUm?.fqdn ?? "", via: `${hostedIp}:${HostedUm.SIP_TLS.from}/tls` }];
}

/** The Request-URI the front end builds (constructs/render/kamailio/frontend.cfg, route TO_UM). */
function requestUriOf(lab: UmLab, pilot: string, location: MailboxLocation, policy: HostedVoicemailPolicy | undefined): string {
  if (location === "on-premises") return `sip:${pilot}@${lab.onPremUm?.fqdn ?? "?"}`;
  return `sip:${pilot}@${policy?.destination ?? "?"};${ROUTING_PARAM_ORG}=${encodeURIComponent(policy?.organization ?? "")}`;
}

function userRoute(lab: UmLab, t: Topology, u: User): UserRoute {
  const hosted = u.mailbox === "hosted";
  const policy = u.policy;
  return {
    user: u.name,
    extension: u.extension,
    sipUri: u.sipUri,
    mailbox: u.mailbox,
    hostedVoiceMail: u.hostedVoiceMail,
    ...(policy ? { policy: policyOf(policy, hosted) } : {}),
    tenant: hosted ? (u.tenant ?? "?") : OnPremUm.CONTEXT,
    requestUri: requestUriOf(lab, OnPremUm.PILOT, u.mailbox, policy),
    path: pathTo(lab, t, u.mailbox),
  };
}

function contactRoute(lab: UmLab, t: Topology, c: ExUmContact): ContactRoute {
  const hosted = c.location === "hosted";
  const policy = hosted ? c.policy : undefined;
  return {
    name: c.node.id,
    kind: c.kind,
    displayNumber: c.displayNumber,
    location: c.location,
    ...(policy ? { policy: policyOf(policy, true) } : {}),
    tenant: hosted ? (c.tenant ?? "?") : OnPremUm.CONTEXT,
    requestUri: requestUriOf(lab, c.pilot, c.location, policy),
    path: pathTo(lab, t, c.location),
  };
}

/**
 * The routing table of a validated lab: for every user and contact, where the front end sends
 * voice mail, under which policy (and its scope), with which Request-URI, through which hops.
 * Pure: read from the model, and from `topology` for addresses (default: the model's own plan).
 */
export function routesOf(lab: UmLab, topology: Topology = topologyOf(lab)): RoutingTable {
  lab.validateModel();
  return {
    mode: lab.mode,
    sipDomain: lab.sipDomain,
    users: lab.users.map((u) => userRoute(lab, topology, u)),
    contacts: lab.contacts.map((c) => contactRoute(lab, topology, c)),
  };
}

/** A policy as people read it: "HostedVoicemail (user)", "Sales (site:emea)". */
export function policyLabel(p: RoutePolicy | undefined): string {
  if (!p) return "none";
  return `${p.name} (${p.scope === "site" ? `site:${p.site}` : p.scope})`;
}

/** A path as people read it: "front end -> edge -> hosted UM". */
export function pathLabel(path: readonly RouteHop[]): string {
  const names: Record<RouteHop["node"], string> = {
    frontend: "front end",
    edge: "edge",
    "onprem-um": "on-prem UM",
    "hosted-um": "hosted UM",
  };
  return path.map((h) => names[h.node]).join(" -> ");
}
