import { PrivateDnsARecord } from "@cdktf/provider-azurerm/lib/private-dns-a-record/index.js";
import { PrivateDnsSrvRecord } from "@cdktf/provider-azurerm/lib/private-dns-srv-record/index.js";
import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone/index.js";
import { PrivateDnsZoneVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link/index.js";
import type { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group/index.js";
import type { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network/index.js";
import type { Construct } from "constructs";
import { type DnsARecord, type DnsSrvRecord, dnsRecordsOf } from "../constructs/dns.js";
import type { UmLab } from "../constructs/lab.js";
import { type Topology, topologyOf } from "../constructs/topology.js";
import type { LabNetwork, LabPublicIps } from "./network.js";
import type { LabPlacement } from "./placement.js";

/** Azure private DNS records live this long in resolvers' caches (the lab's own dnsmasq says 0). */
const TTL = 300;

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

function aRecord(scope: Construct, z: Zone, r: DnsARecord, tags: Record<string, string>): void {
  new PrivateDnsARecord(scope, `${r.id}-a`, {
    name: relative(r.fqdn, z.name),
    zoneName: z.zone.name,
    resourceGroupName: z.group.name,
    ttl: TTL,
    records: [r.address],
    tags,
  });
}

function srvRecord(scope: Construct, z: Zone, r: DnsSrvRecord, tags: Record<string, string>): void {
  new PrivateDnsSrvRecord(scope, `${r.id}-srv`, {
    name: relative(r.fqdn, z.name),
    zoneName: z.zone.name,
    resourceGroupName: z.group.name,
    ttl: TTL,
    record: [{ priority: r.priority, weight: r.weight, port: r.port, target: r.target }],
    tags,
  });
}

/**
 * Private DNS: the records of `dnsRecordsOf` (the same source as the local lab's DNS servers), each
 * zone in its side's resource group and linked to that side's VNet. The other side's addresses are
 * the public IPs. The enterprise resolves its servers, the provider's proxy and its SRV record; the
 * provider resolves the access edge, the enterprise's `_sipfederationtls._tcp` record, and its own proxy.
 */
export function labDns(
  scope: Construct,
  lab: UmLab,
  _t: Topology,
  r: { placement: LabPlacement; network: LabNetwork; publicIps: LabPublicIps },
): void {
  const { tags, enterprise, provider } = r.placement;
  const fed = r.publicIps.federation;
  // The same topology, with the public addresses as Terraform references (not cloud-init's placeholders).
  const seen = topologyOf(lab, {
    realization: "azure",
    ...(fed ? { publicAddresses: { edge: fed.edge.ipAddress, "hosted-um": fed["hosted-um"].ipAddress } } : {}),
  });
  for (const z of dnsRecordsOf(lab, seen)) {
    const group = z.side === "enterprise" ? enterprise : provider;
    const vnet = r.network.vnets[z.side];
    if (!group || !vnet) continue;
    const made = zone(scope, z.id, z.name, group, vnet, tags);
    for (const rec of z.records) {
      if (rec.type === "A") aRecord(scope, made, rec, tags);
      else srvRecord(scope, made, rec, tags);
    }
  }
}
