import type { Diagram, DiagramEdge, DiagramGroup, DiagramNode } from "../nodes/graph/diagram.js";
import type { SynthJson } from "./rules/types.js";

// The Azure picture is read from the synthesized Terraform JSON itself (cdk.tf.json), not from
// the model: it shows what `cdktf deploy` would create. Pure, and it imports nothing of cdktf.

// biome-ignore lint/suspicious/noExplicitAny: Terraform JSON is untyped by nature
type Body = any;

interface SecurityRule {
  readonly name: string;
  readonly access: string;
  readonly direction: string;
  readonly protocol: string;
  readonly source_address_prefix?: string;
  readonly destination_address_prefix?: string;
  readonly destination_port_range?: string;
  readonly destination_port_ranges?: readonly string[];
}

function bodies(json: SynthJson, type: string): [string, Body][] {
  return Object.entries(json.resource?.[type] ?? {});
}

/** The resource key a "${azurerm_x.key.attr}" reference points at. */
function refKey(ref: unknown, type: string): string | undefined {
  return new RegExp(`^\\$\\{${type}\\.([^.}]+)\\.`).exec(String(ref ?? ""))?.[1];
}

const ADMIN = "admin-range";
const INTERNET = "internet";

/** Where an NSG rule's address prefix points: a subnet frame, a VM, the admin range or the internet. */
class Endpoints {
  readonly subnetByPrefix = new Map<string, string>();
  readonly vmByPrivateIp = new Map<string, string>();
  readonly vmByPublicIp = new Map<string, string>();

  resolve(prefix: string | undefined): string {
    const p = prefix ?? "*";
    if (p.includes("var.ssh_source_range")) return ADMIN;
    const pip = refKey(p, "azurerm_public_ip");
    if (pip) return this.vmByPublicIp.get(pip) ?? INTERNET;
    return this.subnetByPrefix.get(p) ?? this.vmByPrivateIp.get(p) ?? INTERNET;
  }
}

function ports(r: SecurityRule): string {
  const proto = r.protocol === "*" ? "any" : r.protocol.toUpperCase();
  return `${proto} ${r.destination_port_range ?? (r.destination_port_ranges ?? []).join(",")}`;
}

/** Resource groups, VNets (address spaces) and subnets (prefix, NSG) as nested frames. */
function frames(json: SynthJson, ends: Endpoints): { groups: DiagramGroup[]; nsgOfSubnet: Map<string, string> } {
  const groups: DiagramGroup[] = [];
  for (const [key, rg] of bodies(json, "azurerm_resource_group")) {
    groups.push({ id: `rg-${key}`, title: `resource group ${rg.name}`, lines: [], tone: "resource-group" });
  }
  for (const [key, vnet] of bodies(json, "azurerm_virtual_network")) {
    const rg = refKey(vnet.resource_group_name, "azurerm_resource_group");
    groups.push({
      id: `vnet-${key}`,
      title: `VNet ${vnet.name}`,
      lines: [(vnet.address_space ?? []).join(", ")],
      tone: "vnet",
      ...(rg ? { parent: `rg-${rg}` } : {}),
    });
  }
  const nsgOfSubnet = new Map<string, string>();
  for (const [, a] of bodies(json, "azurerm_subnet_network_security_group_association")) {
    const subnet = refKey(a.subnet_id, "azurerm_subnet");
    const nsg = refKey(a.network_security_group_id, "azurerm_network_security_group");
    if (subnet && nsg) nsgOfSubnet.set(subnet, nsg);
  }
  for (const [key, subnet] of bodies(json, "azurerm_subnet")) {
    const vnet = refKey(subnet.virtual_network_name, "azurerm_virtual_network");
    for (const prefix of subnet.address_prefixes ?? []) ends.subnetByPrefix.set(prefix, `subnet-${key}`);
    const nsg = nsgOfSubnet.get(key);
    groups.push({
      id: `subnet-${key}`,
      title: `subnet ${subnet.name}`,
      lines: [(subnet.address_prefixes ?? []).join(", "), nsg ? `NSG ${nsg}, deny-all last` : "no NSG"],
      tone: "subnet",
      ...(vnet ? { parent: `vnet-${vnet}` } : {}),
    });
  }
  return { groups, nsgOfSubnet };
}

/** A VM sits in the subnet of its first NIC (the one with the default route); its other NICs are lines. */
function vmNodes(json: SynthJson, ends: Endpoints): DiagramNode[] {
  const nics = new Map(bodies(json, "azurerm_network_interface"));
  const subnetName = new Map(bodies(json, "azurerm_subnet").map(([key, s]) => [key, String(s.name)]));
  return bodies(json, "azurerm_linux_virtual_machine").map(([key, vm]) => {
    const id = `vm-${key}`;
    const subnets: string[] = [];
    const lines = [`${vm.name}, ${String(vm.size).replace(/^\$\{var\.(.+)\}$/, "var.$1")}`];
    for (const ref of vm.network_interface_ids ?? []) {
      const nic = nics.get(refKey(ref, "azurerm_network_interface") ?? "");
      const ips: string[] = [];
      let subnet = "?";
      for (const ip of nic?.ip_configuration ?? []) {
        subnet = refKey(ip.subnet_id, "azurerm_subnet") ?? "?";
        ends.vmByPrivateIp.set(ip.private_ip_address, id);
        const pip = refKey(ip.public_ip_address_id, "azurerm_public_ip");
        if (pip) ends.vmByPublicIp.set(pip, id);
        ips.push(`${ip.private_ip_address}${pip ? " + public IP" : ""}`);
      }
      subnets.push(subnet);
      // A NIC with many addresses (the phones) takes a line per three.
      for (let i = 0; i < ips.length; i += 3)
        lines.push(`${i === 0 ? `${subnetName.get(subnet) ?? subnet} NIC:` : "   "} ${ips.slice(i, i + 3).join(", ")}`);
    }
    return { id, title: key.replace(/-vm$/, ""), lines, tone: vmTone(key), ...(subnets[0] ? { parent: `subnet-${subnets[0]}` } : {}) };
  });
}

function vmTone(key: string): DiagramNode["tone"] {
  if (key.startsWith("frontend")) return "frontend";
  if (key.startsWith("edge")) return "edge";
  if (key.includes("um")) return "um";
  return "phone";
}

/** Inbound allow rules: between two places an arrow; inside one subnet a line on its frame. */
function openings(json: SynthJson, ends: Endpoints, groups: DiagramGroup[]): DiagramEdge[] {
  const between = new Map<string, string[]>();
  const inside = new Map<string, string[]>();
  for (const [, nsg] of bodies(json, "azurerm_network_security_group")) {
    for (const r of (nsg.security_rule ?? []) as SecurityRule[]) {
      if (r.access !== "Allow" || r.direction !== "Inbound") continue;
      const from = ends.resolve(r.source_address_prefix);
      const to = ends.resolve(r.destination_address_prefix);
      const key = `${from} ${to}`;
      const map = from === to ? inside : between;
      map.set(from === to ? from : key, [...(map.get(from === to ? from : key) ?? []), ports(r)]);
    }
  }
  for (const [id, list] of inside) {
    const i = groups.findIndex((g) => g.id === id);
    const g = groups[i];
    if (g) groups[i] = { ...g, lines: [...g.lines, `open inside: ${list.join(", ")}`] };
  }
  return [...between].map(([key, list]) => {
    const [from = "", to = ""] = key.split(" ");
    return { from, to, kind: "opening", label: list };
  });
}

/**
 * The synthesized Azure lab as a picture: resource groups, VNets and subnets as frames, the VMs
 * with their private and public addresses, and every NSG opening (inbound allow) as an arrow
 * between the places it joins.
 */
export function azureDiagram(json: SynthJson, title = "umlab on Azure (synthesized stack)"): Diagram {
  const ends = new Endpoints();
  const { groups } = frames(json, ends);
  const nodes = vmNodes(json, ends);
  const edges = openings(json, ends, groups);
  const used = new Set(edges.flatMap((e) => [e.from, e.to]));
  if (used.has(ADMIN)) nodes.push({ id: ADMIN, title: "admin range", lines: ["var.ssh_source_range", "SSH only"], tone: "outside" });
  if (used.has(INTERNET)) nodes.push({ id: INTERNET, title: "internet", lines: ["any other source"], tone: "outside" });
  return { title, groups, nodes, edges };
}
