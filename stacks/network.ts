import { NetworkSecurityGroup, type NetworkSecurityGroupSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-group/index.js";
import { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip/index.js";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet/index.js";
import { SubnetNetworkSecurityGroupAssociation } from "@cdktf/provider-azurerm/lib/subnet-network-security-group-association/index.js";
import { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network/index.js";
import type { Construct } from "constructs";
import type { UmLab } from "../constructs/lab.js";
import type { NetworkRole, Topology } from "../constructs/topology.js";
import type { Side } from "../nodes/kinds.js";
import type { LabPlacement } from "./placement.js";

/** Standard static public IPs (Basic ones are retired). */
export interface LabPublicIps {
  /** the edge's and the hosted UM's, between which federation and media flow; only with a provider */
  readonly federation: { readonly edge: PublicIp; readonly "hosted-um": PublicIp } | undefined;
  /** the test phone VM's: the way in (SSH from the admin range only) to run the call checks */
  readonly phones: PublicIp;
}

export function labPublicIps(scope: Construct, lab: UmLab, placement: LabPlacement): LabPublicIps {
  const publicIp = (name: "edge" | "hosted-um" | "phones", side: Side) =>
    new PublicIp(scope, `${name}-public-ip`, {
      name: `${placement.prefix}-${name}-pip`,
      ...placement.at(side),
      sku: "Standard",
      allocationMethod: "Static",
    });
  const federation = lab.usesProvider
    ? { edge: publicIp("edge", "enterprise"), "hosted-um": publicIp("hosted-um", "provider") }
    : undefined;
  return { federation, phones: publicIp("phones", "enterprise") };
}

export interface LabNetwork {
  readonly vnets: { readonly enterprise: VirtualNetwork; readonly provider: VirtualNetwork | undefined };
  /** DMZ and provider subnets exist only with a provider */
  readonly subnets: { readonly corp: Subnet; readonly dmz: Subnet | undefined; readonly provider: Subnet | undefined };
}

/** The subnet (CIDR) of a network role in the topology. */
export function subnetOf(t: Topology, role: NetworkRole): string {
  const subnet = t.networks.find((n) => n.role === role)?.subnet;
  if (!subnet) throw new Error(`network ${role}: the topology has no such network`);
  return subnet;
}

/**
 * VNets with the model's address plan: the enterprise VNet holds corp and DMZ (all NICs of a VM
 * sit in one VNet), the provider has its own. Each subnet gets its NSG with `rules[role]`.
 */
export function labNetwork(
  scope: Construct,
  lab: UmLab,
  t: Topology,
  placement: LabPlacement,
  rules: Record<"corp" | "dmz" | "provider", NetworkSecurityGroupSecurityRule[]>,
): LabNetwork {
  const vnets = {
    enterprise: new VirtualNetwork(scope, "enterprise-vnet", {
      name: `${placement.prefix}-enterprise-vnet`,
      ...placement.at("enterprise"),
      addressSpace: [subnetOf(t, "corp"), ...(lab.usesProvider ? [subnetOf(t, "dmz")] : [])],
    }),
    provider: lab.usesProvider
      ? new VirtualNetwork(scope, "provider-vnet", {
          name: `${placement.prefix}-provider-vnet`,
          ...placement.at("provider"),
          addressSpace: [subnetOf(t, "provider")],
        })
      : undefined,
  };
  const subnet = (role: "corp" | "dmz" | "provider", side: Side) => {
    const vnet = side === "provider" ? vnets.provider : vnets.enterprise;
    if (!vnet) throw new Error(`subnet ${role}: the ${side} side has no VNet in this mode`);
    const s = new Subnet(scope, `${role}-subnet`, {
      name: role,
      resourceGroupName: placement.group(side).name,
      virtualNetworkName: vnet.name,
      addressPrefixes: [subnetOf(t, role)],
      // Package installs (Debian archive, base images) need egress; new subnets may have none by default.
      defaultOutboundAccessEnabled: true,
    });
    const nsg = new NetworkSecurityGroup(scope, `${role}-nsg`, {
      name: `${placement.prefix}-${role}-nsg`,
      ...placement.at(side),
      securityRule: rules[role],
    });
    new SubnetNetworkSecurityGroupAssociation(scope, `${role}-nsg-association`, { subnetId: s.id, networkSecurityGroupId: nsg.id });
    return s;
  };
  return {
    vnets,
    subnets: {
      corp: subnet("corp", "enterprise"),
      dmz: lab.usesProvider ? subnet("dmz", "enterprise") : undefined,
      provider: lab.usesProvider ? subnet("provider", "provider") : undefined,
    },
  };
}
