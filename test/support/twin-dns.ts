import type { DnsRecord, DnsSide, DnsZone } from "../../constructs/dns.js";
import { dnsServerSide } from "../../constructs/dns.js";
import { renderDnsmasqFiles } from "../../constructs/render/dnsmasq.js";
import type { Topology } from "../../constructs/topology.js";
import { ensureImage } from "../../lab/runtime/images.js";
import type { Log, NodeLaunch } from "../../lab/runtime/local-lab.js";
import type { SynthJson } from "../../stacks/rules/types.js";

/** `<name>` of a Terraform reference `${<type>.<name>.<attribute>}`. */
function refName(ref: unknown, type: string): string | undefined {
  return new RegExp(`^\\$\\{${type}\\.([^.}]+)\\.`).exec(String(ref))?.[1];
}

/**
 * Azure's private DNS as the synthesized stack declares it: each zone, the side of the VNet it is
 * linked to, and its A and SRV records. Public addresses (Terraform references to public IPs) become
 * the twin's stand-ins, as start.sh fills them in on a VM with Azure's.
 */
export function azureDnsZones(synth: SynthJson, standIns: Readonly<Record<string, string>>): DnsZone[] {
  const r = synth.resource ?? {};
  const links = Object.values(r.azurerm_private_dns_zone_virtual_network_link ?? {});
  const address = (value: unknown): string => {
    const ip = refName(value, "azurerm_public_ip");
    if (ip === undefined) return String(value);
    const standIn = standIns[ip.replace(/-public-ip$/, "")];
    if (!standIn) throw new Error(`DNS record ${String(value)}: the twin has no stand-in for public IP ${ip}`);
    return standIn;
  };
  return Object.entries(r.azurerm_private_dns_zone ?? {}).map(([key, zone]) => {
    const link = links.find((l) => refName(l.private_dns_zone_name, "azurerm_private_dns_zone") === key);
    const vnet = r.azurerm_virtual_network?.[refName(link?.virtual_network_id, "azurerm_virtual_network") ?? ""];
    const side = refName(vnet?.resource_group_name, "azurerm_resource_group") as DnsSide | undefined;
    if (side !== "enterprise" && side !== "provider") throw new Error(`private DNS zone ${key} is linked to no side's VNet`);
    const name = String(zone.name);
    const inZone = (rec: { zone_name?: unknown }) => refName(rec.zone_name, "azurerm_private_dns_zone") === key;
    const records: DnsRecord[] = [
      ...Object.entries(r.azurerm_private_dns_a_record ?? {})
        .filter(([, a]) => inZone(a))
        .map(([id, a]): DnsRecord => ({ type: "A", id, fqdn: `${a.name}.${name}`, address: address(a.records?.[0]) })),
      ...Object.entries(r.azurerm_private_dns_srv_record ?? {})
        .filter(([, s]) => inZone(s))
        .map(([id, s]): DnsRecord => ({ type: "SRV", id, fqdn: `${s.name}.${name}`, ...s.record?.[0] })),
    ];
    return { id: key, side, name, records };
  });
}

/**
 * The twin's stand-in for Azure's private DNS: the lab's DNS server nodes (one per side, as a local
 * lab has), serving exactly the records the synthesized zones hold. Azure needs no such VM: its
 * resolver serves the zones linked to each VNet.
 */
export async function dnsStandIns(t: Topology, zones: readonly DnsZone[], log: Log): Promise<NodeLaunch[]> {
  const servers = t.nodes.filter((n) => n.role === "dns");
  if (servers.length === 0) return [];
  const { tag } = await ensureImage("dns", log);
  return servers.map((node) => ({
    node,
    image: tag,
    files: renderDnsmasqFiles(dnsServerSide(node), zones),
    attachments: Object.entries(node.addresses).map(([role, ip]) => ({ role: role as "corp" | "provider", ip: ip as string })),
  }));
}
