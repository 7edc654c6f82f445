import { PrivateDnsARecord } from "@cdktf/provider-azurerm/lib/private-dns-a-record/index.js";
import { PrivateDnsSrvRecord } from "@cdktf/provider-azurerm/lib/private-dns-srv-record/index.js";
import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone/index.js";
import { PrivateDnsZoneVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link/index.js";
import type { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group/index.js";
import type { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network/index.js";
import type { Construct } from "constructs";
import { KamailioEdge } from "../constructs/edge.js";
import type { UmLab } from "../constructs/lab.js";
import type { Topology } from "../constructs/topology.js";
import type { LabNetwork, LabPublicIps } from "./network.js";
import type { LabPlacement } from "./placement.js";

/** A private zone, linked to one VNet, and the resource group its records go to. */
interface Zone {
  readonly zone: PrivateDnsZone;
  readonly name: string;
  readonly group: ResourceGroup;
}

function relative(fqdn: string, zone: string): string {
  if (!fqdn.endsWith(`.${zone}`)) throw new Error(`${fqdn} is not in zone ${zone}`);
  return fqdn.slice(0, -zone.length - 1);
}

/** `id` starts the construct IDs of the zone and its VNet link (`<id>-zone`, `<id>-zone-link`). */
function zone(scope: Construct, id: string, name: string, group: ResourceGroup, vnet: VirtualNetwork, tags: Record<string, string>): Zone {
  const z = new PrivateDnsZone(scope, `${id}-zone`, { name, resourceGroupName: group.name, tags });
  new PrivateDnsZoneVirtualNetworkLink(scope, `${id}-zone-link`, {
    name: `${id}-link`,
    resourceGroupName: group.name,
    privateDnsZoneName: z.name,
    virtualNetworkId: vnet.id,
    tags,
  });
  return { zone: z, name, group };
}

function aRecord(scope: Construct, id: string, z: Zone, fqdn: string, ip: string, tags: Record<string, string>): void {
  new PrivateDnsARecord(scope, `${id}-a`, {
    name: relative(fqdn, z.name),
    zoneName: z.zone.name,
    resourceGroupName: z.group.name,
    ttl: 300,
    records: [ip],
    tags,
  });
}

/** The `_sipfederationtls._tcp` record an edge routes federation by. */
function federationSrv(scope: Construct, id: string, z: Zone, target: string, tags: Record<string, string>): void {
  new PrivateDnsSrvRecord(scope, `${id}-srv`, {
    name: "_sipfederationtls._tcp",
    zoneName: z.zone.name,
    resourceGroupName: z.group.name,
    ttl: 300,
    record: [{ priority: 10, weight: 10, port: KamailioEdge.FEDERATION.from, target }],
    tags,
  });
}

/**
 * Private DNS: the enterprise resolves its own names and the provider's (A and the federation SRV
 * record the edge routes by); the provider resolves the enterprise's access edge and its SRV.
 */
export function labDns(
  scope: Construct,
  lab: UmLab,
  t: Topology,
  r: { placement: LabPlacement; network: LabNetwork; publicIps: LabPublicIps },
): void {
  const { tags, enterprise, provider } = r.placement;
  const internal = zone(scope, "enterprise", lab.sipDomain, enterprise, r.network.vnets.enterprise, tags);
  for (const n of t.nodes.filter((x) => x.role !== "phone" && x.addresses.corp && x.fqdn.endsWith(`.${lab.sipDomain}`))) {
    aRecord(scope, `enterprise-${n.name}`, internal, n.fqdn, n.addresses.corp as string, tags);
  }
  const edge = t.nodes.find((n) => n.role === "edge");
  const hosted = t.nodes.find((n) => n.role === "hosted-um");
  const fed = r.publicIps.federation;
  const providerVnet = r.network.vnets.provider;
  if (!edge || !hosted || !fed || !provider || !providerVnet) return;
  federationSrv(scope, "enterprise-federation", internal, edge.fqdn, tags);
  const providerDomain = hosted.fqdn.slice(hosted.fqdn.indexOf(".") + 1);
  const providerSeenByEnterprise = zone(scope, "enterprise-provider", providerDomain, enterprise, r.network.vnets.enterprise, tags);
  aRecord(scope, "enterprise-hosted-um", providerSeenByEnterprise, hosted.fqdn, fed["hosted-um"].ipAddress, tags);
  federationSrv(scope, "enterprise-provider-federation", providerSeenByEnterprise, hosted.fqdn, tags);
  const enterpriseSeenByProvider = zone(scope, "provider-enterprise", lab.sipDomain, provider, providerVnet, tags);
  aRecord(scope, "provider-edge", enterpriseSeenByProvider, edge.fqdn, fed.edge.ipAddress, tags);
  federationSrv(scope, "provider-federation", enterpriseSeenByProvider, edge.fqdn, tags);
}
