import { KamailioEdge } from "./edge.js";
import { InternalError, lit } from "./errors.js";
import type { UmLab } from "./lab.js";
import { HostedUm } from "./provider.js";
import { addressOf, edgeAddressSeenByProvider, type NodeRole, type Topology, type TopologyNode } from "./topology.js";

/**
 * Split-horizon DNS, as the real integration has it: each side resolves through its own DNS.
 * enterprise: the corporate network's internal DNS; provider: the hosting provider's network,
 * standing in for the public DNS it sees the enterprise through.
 */
export type DnsSide = "enterprise" | "provider";

/** The SRV service a Lync edge (and a federating proxy) finds a SIP domain's access edge by. */
export const FEDERATION_SRV = "_sipfederationtls._tcp";

/** An A record. `id` is stable: the Azure stack names its resources by it (`<id>-a`). */
export interface DnsARecord {
  readonly type: "A";
  readonly id: string;
  readonly fqdn: string;
  /** an address, or on Azure a Terraform reference to a public IP */
  readonly address: string;
}

/** An SRV record (RFC 2782). `id` is stable: the Azure stack names its resources by it (`<id>-srv`). */
export interface DnsSrvRecord {
  readonly type: "SRV";
  readonly id: string;
  /** the whole owner name, e.g. `_sipfederationtls._tcp.contoso.test` */
  readonly fqdn: string;
  readonly target: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

export type DnsRecord = DnsARecord | DnsSrvRecord;

/** One zone as one side sees it. `id` is stable: the Azure zone and its VNet link are named by it. */
export interface DnsZone {
  readonly id: string;
  readonly side: DnsSide;
  readonly name: string;
  readonly records: readonly DnsRecord[];
}

/** The enterprise servers that have an internal A record (the lab's own DNS servers are not looked up by name). */
const ENTERPRISE_SERVERS: readonly NodeRole[] = ["frontend", "onprem-um", "edge"];

function a(id: string, fqdn: string, address: string): DnsARecord {
  return { type: "A", id, fqdn, address };
}

/** The federation record of a domain: where its access edge (or the provider's proxy) listens for mutual TLS. */
function federationSrv(id: string, domain: string, target: string, port: number): DnsSrvRecord {
  return { type: "SRV", id, fqdn: `${FEDERATION_SRV}.${domain}`, target, port, priority: 10, weight: 10 };
}

/** The domain a host name sits in: its name without the first label. */
export function parentDomain(fqdn: string): string {
  const dot = fqdn.indexOf(".");
  if (dot < 0) throw new InternalError(lit`FqdnWithoutDomain`, `${fqdn} has no domain part`);
  return fqdn.slice(dot + 1);
}

/**
 * Every DNS record of the lab, by side and zone: the one source of both realizations (the lab's
 * dnsmasq servers locally, Azure's private DNS zones). Addresses are the ones each side reaches:
 * with public addresses in the topology (Azure), the other side's public address.
 *
 * - enterprise, `<sip domain>`: the servers' internal addresses (front end, on-prem UM, edge's
 *   internal side) and, with a provider, `_sipfederationtls._tcp` -> the access edge, port 5061;
 * - enterprise, `<provider domain>`: the provider's `proxyFqdn` (where the edge sends SIP) and its
 *   `_sipfederationtls._tcp` record;
 * - provider, `<sip domain>`: the access edge's external address and the enterprise's
 *   `_sipfederationtls._tcp` record, by which the provider finds the edge of the shared domain;
 * - provider, `<provider domain>`: the provider's own proxy at its internal address.
 */
export function dnsRecordsOf(lab: UmLab, t: Topology): DnsZone[] {
  const servers = t.nodes.filter((n) => ENTERPRISE_SERVERS.includes(n.role) && n.addresses.corp && n.fqdn.endsWith(`.${lab.sipDomain}`));
  const internal: DnsRecord[] = servers.map((n) => a(`enterprise-${n.name}`, n.fqdn, n.addresses.corp as string));
  const edge = t.nodes.find((n) => n.role === "edge");
  const hosted = t.nodes.find((n) => n.role === "hosted-um");
  if (!edge || !hosted) return [{ id: "enterprise", side: "enterprise", name: lab.sipDomain, records: internal }];
  const federation = KamailioEdge.FEDERATION.from;
  const providerDomain = parentDomain(hosted.fqdn);
  return [
    {
      id: "enterprise",
      side: "enterprise",
      name: lab.sipDomain,
      records: [...internal, federationSrv("enterprise-federation", lab.sipDomain, edge.fqdn, federation)],
    },
    {
      id: "enterprise-provider",
      side: "enterprise",
      name: providerDomain,
      records: [
        a("enterprise-hosted-um", hosted.fqdn, hosted.publicAddress ?? addressOf(t, hosted.name, "provider")),
        federationSrv("enterprise-provider-federation", providerDomain, hosted.fqdn, HostedUm.SIP_TLS.from),
      ],
    },
    {
      id: "provider-enterprise",
      side: "provider",
      name: lab.sipDomain,
      records: [
        a("provider-edge", edge.fqdn, edgeAddressSeenByProvider(t)),
        federationSrv("provider-federation", lab.sipDomain, edge.fqdn, federation),
      ],
    },
    {
      id: "provider",
      side: "provider",
      name: providerDomain,
      records: [a("provider-hosted-um", hosted.fqdn, addressOf(t, hosted.name, "provider"))],
    },
  ];
}

/** The side a DNS server node serves: the one network it sits on. */
export function dnsServerSide(node: TopologyNode): DnsSide {
  return node.addresses.provider ? "provider" : "enterprise";
}

/** The owner name of the federation SRV record of the lab's shared SIP domain. */
export function federationSrvName(lab: { readonly sipDomain: string }): string {
  return `${FEDERATION_SRV}.${lab.sipDomain}`;
}
