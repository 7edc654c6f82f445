import { DevTestGlobalVmShutdownSchedule } from "@cdktf/provider-azurerm/lib/dev-test-global-vm-shutdown-schedule/index.js";
import { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine/index.js";
import { NetworkInterface } from "@cdktf/provider-azurerm/lib/network-interface/index.js";
import { NetworkSecurityGroup, type NetworkSecurityGroupSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-group/index.js";
import { PrivateDnsARecord } from "@cdktf/provider-azurerm/lib/private-dns-a-record/index.js";
import { PrivateDnsSrvRecord } from "@cdktf/provider-azurerm/lib/private-dns-srv-record/index.js";
import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone/index.js";
import { PrivateDnsZoneVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link/index.js";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider/index.js";
import { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip/index.js";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group/index.js";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet/index.js";
import { SubnetNetworkSecurityGroupAssociation } from "@cdktf/provider-azurerm/lib/subnet-network-security-group-association/index.js";
import { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network/index.js";
import type { Construct } from "constructs";
import { KamailioEdge } from "../constructs/edge.js";
import { FrontEnd } from "../constructs/front-end.js";
import type { UmLab } from "../constructs/lab.js";
import { HostedUm } from "../constructs/provider.js";
import { PHONE_PORTS, type Topology, type TopologyNode, topologyOf } from "../constructs/topology.js";
import type { Port } from "../constructs/values.js";
import { nodeFiles, tlsParties } from "../nodes/files.js";
import { kindOf } from "../nodes/kinds.js";
import type { TlsMaterial } from "../nodes/pki.js";
import { CALL_CHECKS_PATH, renderCallChecks } from "./call-checks.js";
import { Fn, TerraformOutput, TerraformStack, TerraformVariable } from "./cdktf.js";
import { cloudInit, PUBLIC_PLACEHOLDERS } from "./cloud-init.js";
import { cachedLabPki } from "./pki-cache.js";

export interface LabStackProps {
  readonly lab: UmLab;
  /**
   * TLS material of the edge and the hosted UM.
   * @default made once and kept in .umlab/pki/<lab>/
   */
  readonly pki?: Record<string, TlsMaterial>;
}

/** The VMs of a lab: which nodes each runs and where its NICs sit. */
interface VmPlan {
  readonly name: string;
  readonly side: "enterprise" | "provider";
  readonly nodes: TopologyNode[];
}

const ADMIN = "umlab";

/**
 * `cdktf deploy lab`: the same UmLab on Azure. The enterprise (front end, on-prem UM, phones, edge)
 * and the provider (hosted UM) each get a resource group and a VNet with the model's address
 * plan; the edge has an internal NIC and a DMZ NIC with a Standard static public IP, the hosted UM
 * a public IP of its own. Each VM's cloud-init runs the same images and the same rendered
 * configuration as the local lab. Only the roles of the lab's mode exist.
 */
export class LabStack extends TerraformStack {
  readonly topology: Topology;

  constructor(scope: Construct, id: string, props: LabStackProps) {
    super(scope, id);
    const lab = props.lab.validateModel();
    new AzurermProvider(this, "azurerm", { features: [{}] });

    const location = new TerraformVariable(this, "location", {
      type: "string",
      default: "westeurope",
      description: "Azure region of the lab",
    });
    const sshKey = new TerraformVariable(this, "ssh_public_key", {
      type: "string",
      description: "OpenSSH public key for the VMs' admin user (no passwords)",
    });
    const sshFrom = new TerraformVariable(this, "ssh_source_range", {
      type: "string",
      description: "the only address range SSH is allowed from (CIDR), e.g. your office's public address /32",
      validation: [
        {
          condition: '${can(cidrhost(var.ssh_source_range, 0)) && !contains(["0.0.0.0/0", "::/0"], var.ssh_source_range)}',
          errorMessage: "ssh_source_range must be one CIDR range that is not the whole internet, e.g. 198.51.100.7/32.",
        },
      ],
    });
    const vmSize = new TerraformVariable(this, "vm_size", {
      type: "string",
      default: "Standard_B1ms",
      description: "size of every lab VM",
    });
    const shutdown = new TerraformVariable(this, "auto_shutdown_time", {
      type: "string",
      default: "1900",
      description: "daily shutdown time (HHMM, UTC)",
    });

    const tags = { "umlab-lab": lab.node.id, "umlab-mode": lab.mode, "managed-by": "umlab" };
    const prefix = `umlab-${lab.node.id}`;
    const rg = {
      enterprise: new ResourceGroup(this, "enterprise", { name: `${prefix}-enterprise`, location: location.stringValue, tags }),
      provider: lab.usesProvider
        ? new ResourceGroup(this, "provider", { name: `${prefix}-provider`, location: location.stringValue, tags })
        : undefined,
    };
    const rgOf = (side: "enterprise" | "provider") => (side === "provider" ? (rg.provider as ResourceGroup) : rg.enterprise);
    const common = (side: "enterprise" | "provider") => ({ location: location.stringValue, resourceGroupName: rgOf(side).name, tags });

    const publicIp = (name: "edge" | "hosted-um", side: "enterprise" | "provider") =>
      new PublicIp(this, `${name}-public-ip`, {
        name: `${prefix}-${name}-pip`,
        ...common(side),
        sku: "Standard",
        allocationMethod: "Static",
      });
    const pips = lab.usesProvider ? { edge: publicIp("edge", "enterprise"), "hosted-um": publicIp("hosted-um", "provider") } : undefined;
    // The test phone VM is the way in (SSH from the admin range only) to run the call checks.
    const phonesPip = new PublicIp(this, "phones-public-ip", {
      name: `${prefix}-phones-pip`,
      ...common("enterprise"),
      sku: "Standard",
      allocationMethod: "Static",
    });

    this.topology = topologyOf(lab, { realization: "azure", ...(pips ? { publicAddresses: PUBLIC_PLACEHOLDERS } : {}) });
    const t = this.topology;
    const subnetOf = (role: "corp" | "dmz" | "provider") => t.networks.find((n) => n.role === role)?.subnet as string;
    const files = nodeFiles(lab, t, props.pki ?? cachedLabPki(lab.node.id, tlsParties(t)));

    // Networks: the enterprise VNet holds corp and DMZ (all NICs of a VM sit in one VNet).
    const vnet = {
      enterprise: new VirtualNetwork(this, "enterprise-vnet", {
        name: `${prefix}-enterprise-vnet`,
        ...common("enterprise"),
        addressSpace: [subnetOf("corp"), ...(lab.usesProvider ? [subnetOf("dmz")] : [])],
      }),
      provider: lab.usesProvider
        ? new VirtualNetwork(this, "provider-vnet", {
            name: `${prefix}-provider-vnet`,
            ...common("provider"),
            addressSpace: [subnetOf("provider")],
          })
        : undefined,
    };
    const anyVnet = (side: "enterprise" | "provider") => (side === "provider" ? (vnet.provider as VirtualNetwork) : vnet.enterprise);

    const rules = securityRules(lab, t, {
      sshFrom: sshFrom.stringValue,
      edgePublic: pips?.edge.ipAddress,
      hostedPublic: pips?.["hosted-um"].ipAddress,
    });
    const subnet = (role: "corp" | "dmz" | "provider", side: "enterprise" | "provider") => {
      const s = new Subnet(this, `${role}-subnet`, {
        name: role,
        resourceGroupName: rgOf(side).name,
        virtualNetworkName: anyVnet(side).name,
        addressPrefixes: [subnetOf(role)],
        // Package installs (Debian archive, base images) need egress; new subnets may have none by default.
        defaultOutboundAccessEnabled: true,
      });
      const nsg = new NetworkSecurityGroup(this, `${role}-nsg`, {
        name: `${prefix}-${role}-nsg`,
        ...common(side),
        securityRule: rules[role],
      });
      new SubnetNetworkSecurityGroupAssociation(this, `${role}-nsg-association`, { subnetId: s.id, networkSecurityGroupId: nsg.id });
      return s;
    };
    const subnets = {
      corp: subnet("corp", "enterprise"),
      dmz: lab.usesProvider ? subnet("dmz", "enterprise") : undefined,
      provider: lab.usesProvider ? subnet("provider", "provider") : undefined,
    };

    // VMs: one per server role, one for all test phones (one IP configuration per phone).
    const vms: VmPlan[] = [];
    for (const n of t.nodes) {
      const { name, side } = kindOf(n).vm;
      const vm = vms.find((v) => v.name === name);
      if (vm) vm.nodes.push(n);
      else vms.push({ name, side, nodes: [n] });
    }

    const vmIds: Record<string, string> = {};
    for (const vm of vms) {
      const nics: NetworkInterface[] = [];
      const first = vm.nodes[0] as TopologyNode;
      if (vm.name === "edge" && subnets.dmz && pips) {
        // The DMZ NIC first: only the first NIC gets the default route (federation and media to the provider).
        nics.push(
          nic(this, `${vm.name}-dmz`, common("enterprise"), [
            { subnetId: subnets.dmz.id, ip: first.addresses.dmz as string, publicIpId: pips.edge.id },
          ]),
        );
        nics.push(nic(this, `${vm.name}-corp`, common("enterprise"), [{ subnetId: subnets.corp.id, ip: first.addresses.corp as string }]));
      } else if (vm.name === "hosted-um" && subnets.provider && pips) {
        nics.push(
          nic(this, vm.name, common("provider"), [
            { subnetId: subnets.provider.id, ip: first.addresses.provider as string, publicIpId: pips["hosted-um"].id },
          ]),
        );
      } else {
        nics.push(
          nic(
            this,
            vm.name,
            common(vm.side),
            vm.nodes.map((n, i) => ({
              subnetId: subnets.corp.id,
              ip: n.addresses.corp as string,
              // The test phone VM is the way in: its first address carries the public IP.
              ...(vm.name === "phones" && i === 0 ? { publicIpId: phonesPip.id } : {}),
            })),
          ),
        );
      }
      const publicAddresses = pips ? { edge: pips.edge.ipAddress, "hosted-um": pips["hosted-um"].ipAddress } : {};
      const machine = new LinuxVirtualMachine(this, `${vm.name}-vm`, {
        name: `${prefix}-${vm.name}`,
        ...common(vm.side),
        size: vmSize.stringValue,
        adminUsername: ADMIN,
        disablePasswordAuthentication: true,
        adminSshKey: [{ username: ADMIN, publicKey: sshKey.stringValue }],
        networkInterfaceIds: nics.map((n) => n.id),
        osDisk: { caching: "ReadWrite", storageAccountType: "Standard_LRS" },
        sourceImageReference: { publisher: "Debian", offer: "debian-12", sku: "12-gen2", version: "latest" },
        customData: Fn.base64encode(
          cloudInit({
            nodes: vm.nodes,
            files,
            publicAddresses,
            ...(vm.name === "phones" ? { extraFiles: [{ path: CALL_CHECKS_PATH, content: renderCallChecks(t), mode: "0755" }] } : {}),
          }),
        ),
      });
      vmIds[vm.name] = machine.id;
      new DevTestGlobalVmShutdownSchedule(this, `${vm.name}-shutdown`, {
        virtualMachineId: machine.id,
        location: location.stringValue,
        enabled: true,
        dailyRecurrenceTime: shutdown.stringValue,
        timezone: "UTC",
        notificationSettings: { enabled: false },
        tags,
      });
    }

    dns(this, lab, t, { rg, vnet, pips, tags });

    new TerraformOutput(this, "mode", { value: lab.mode });
    new TerraformOutput(this, "fqdns", {
      value: Object.fromEntries(t.nodes.filter((n) => n.role !== "phone").map((n) => [n.name, n.fqdn])),
    });
    new TerraformOutput(this, "users", {
      value: t.users.map((u) => ({ name: u.name, extension: u.extension, sipUri: u.sipUri, mailbox: u.mailbox })),
    });
    new TerraformOutput(this, "phones_public_ip", { value: phonesPip.ipAddress });
    new TerraformOutput(this, "call_checks", { value: `ssh ${ADMIN}@${phonesPip.ipAddress} sudo bash ${CALL_CHECKS_PATH}` });
    if (pips) {
      new TerraformOutput(this, "edge_public_ip", { value: pips.edge.ipAddress });
      new TerraformOutput(this, "hosted_um_public_ip", { value: pips["hosted-um"].ipAddress });
    }
  }
}

interface NicAddress {
  readonly subnetId: string;
  readonly ip: string;
  readonly publicIpId?: string;
}

function nic(
  scope: Construct,
  name: string,
  common: { location: string; resourceGroupName: string; tags: Record<string, string> },
  addrs: NicAddress[],
): NetworkInterface {
  return new NetworkInterface(scope, `${name}-nic`, {
    name: `${name}-nic`,
    ...common,
    ipConfiguration: addrs.map((a, i) => ({
      name: `ip${i}`,
      primary: i === 0,
      subnetId: a.subnetId,
      privateIpAddressAllocation: "Static",
      privateIpAddress: a.ip,
      ...(a.publicIpId ? { publicIpAddressId: a.publicIpId } : {}),
    })),
  });
}

/**
 * The NSG rules of each subnet, from the model's ports: SIP 5060 and RTP only inside the
 * enterprise, federation (5061) and the media ranges only between the two public addresses, SSH
 * only from the configured range, everything else denied.
 */
export function securityRules(
  lab: UmLab,
  t: Topology,
  peers: { sshFrom: string; edgePublic?: string | undefined; hostedPublic?: string | undefined },
): Record<"corp" | "dmz" | "provider", NetworkSecurityGroupSecurityRule[]> {
  const corp = t.networks.find((n) => n.role === "corp")?.subnet as string;
  let priority = 100;
  const allow = (name: string, port: Port, source: string, destination: string): NetworkSecurityGroupSecurityRule => ({
    name,
    priority: priority++,
    direction: "Inbound",
    access: "Allow",
    protocol: port.ipProtocol === "udp" ? "Udp" : "Tcp",
    sourceAddressPrefix: source,
    sourcePortRange: "*",
    destinationAddressPrefix: destination,
    destinationPortRange: port.isRange ? `${port.from}-${port.to}` : String(port.from),
  });
  const ssh = (dest: string) =>
    allow("ssh-from-admin-range", { ipProtocol: "tcp", isRange: false, from: 22, to: 22 } as Port, peers.sshFrom, dest);
  const denyRest: NetworkSecurityGroupSecurityRule = {
    name: "deny-everything-else",
    priority: 4000,
    direction: "Inbound",
    access: "Deny",
    protocol: "*",
    sourceAddressPrefix: "*",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "*",
  };

  const corpRules = [
    allow("sip-udp-inside-enterprise", FrontEnd.SIP, corp, corp),
    allow("sip-tcp-inside-enterprise", FrontEnd.SIP_TCP, corp, corp),
    allow("phones-sip-caller", PHONE_PORTS.callerSip, corp, corp),
    allow("phones-rtp", PHONE_PORTS.media, corp, corp),
    ...(lab.onPremUm ? [allow("onprem-um-rtp", lab.onPremUm.rtpPorts, corp, corp)] : []),
    ...(lab.edge ? [allow("edge-media-internal", lab.edge.mediaPorts, corp, corp)] : []),
    ssh(corp),
    denyRest,
  ];
  priority = 100;
  const dmzRules: NetworkSecurityGroupSecurityRule[] = [];
  const providerRules: NetworkSecurityGroupSecurityRule[] = [];
  if (lab.edge && lab.hostedUm && peers.edgePublic && peers.hostedPublic) {
    const edgeDmz = t.nodes.find((n) => n.role === "edge")?.addresses.dmz as string;
    const hostedIp = t.nodes.find((n) => n.role === "hosted-um")?.addresses.provider as string;
    dmzRules.push(
      allow("federation-from-provider", KamailioEdge.FEDERATION, peers.hostedPublic, edgeDmz),
      allow("media-from-provider", lab.edge.mediaPorts, peers.hostedPublic, edgeDmz),
      ssh(edgeDmz),
      denyRest,
    );
    priority = 100;
    providerRules.push(
      allow("federation-from-edge", HostedUm.SIP_TLS, peers.edgePublic, hostedIp),
      allow("media-from-edge", lab.hostedUm.rtpPorts, peers.edgePublic, hostedIp),
      ssh(hostedIp),
      denyRest,
    );
  }
  return { corp: corpRules, dmz: dmzRules, provider: providerRules };
}

function relative(fqdn: string, zone: string): string {
  if (!fqdn.endsWith(`.${zone}`)) throw new Error(`${fqdn} is not in zone ${zone}`);
  return fqdn.slice(0, -zone.length - 1);
}

/**
 * Private DNS: the enterprise resolves its own names and the provider's (A and the federation SRV
 * record the edge routes by); the provider resolves the enterprise's access edge and its SRV.
 */
function dns(
  scope: Construct,
  lab: UmLab,
  t: Topology,
  r: {
    rg: { enterprise: ResourceGroup; provider: ResourceGroup | undefined };
    vnet: { enterprise: VirtualNetwork; provider: VirtualNetwork | undefined };
    pips: { edge: PublicIp; "hosted-um": PublicIp } | undefined;
    tags: Record<string, string>;
  },
): void {
  const zone = (id: string, name: string, rg: ResourceGroup, vnet: VirtualNetwork) => {
    const z = new PrivateDnsZone(scope, `${id}-zone`, { name, resourceGroupName: rg.name, tags: r.tags });
    new PrivateDnsZoneVirtualNetworkLink(scope, `${id}-zone-link`, {
      name: `${id}-link`,
      resourceGroupName: rg.name,
      privateDnsZoneName: z.name,
      virtualNetworkId: vnet.id,
      tags: r.tags,
    });
    return { zone: z, name };
  };
  type Zone = ReturnType<typeof zone>;
  const a = (id: string, z: Zone, rg: ResourceGroup, fqdn: string, ip: string) =>
    new PrivateDnsARecord(scope, `${id}-a`, {
      name: relative(fqdn, z.name),
      zoneName: z.zone.name,
      resourceGroupName: rg.name,
      ttl: 300,
      records: [ip],
      tags: r.tags,
    });
  const srv = (id: string, z: Zone, rg: ResourceGroup, target: string) =>
    new PrivateDnsSrvRecord(scope, `${id}-srv`, {
      name: "_sipfederationtls._tcp",
      zoneName: z.zone.name,
      resourceGroupName: rg.name,
      ttl: 300,
      record: [{ priority: 10, weight: 10, port: KamailioEdge.FEDERATION.from, target }],
      tags: r.tags,
    });

  const internal = zone("enterprise", lab.sipDomain, r.rg.enterprise, r.vnet.enterprise);
  for (const n of t.nodes.filter((x) => x.role !== "phone" && x.addresses.corp && x.fqdn.endsWith(`.${lab.sipDomain}`))) {
    a(`enterprise-${n.name}`, internal, r.rg.enterprise, n.fqdn, n.addresses.corp as string);
  }
  const edge = t.nodes.find((n) => n.role === "edge");
  const hosted = t.nodes.find((n) => n.role === "hosted-um");
  if (!edge || !hosted || !r.pips || !r.rg.provider || !r.vnet.provider) return;
  srv("enterprise-federation", internal, r.rg.enterprise, edge.fqdn);
  const providerDomain = hosted.fqdn.slice(hosted.fqdn.indexOf(".") + 1);
  const providerSeenByEnterprise = zone("enterprise-provider", providerDomain, r.rg.enterprise, r.vnet.enterprise);
  a("enterprise-hosted-um", providerSeenByEnterprise, r.rg.enterprise, hosted.fqdn, r.pips["hosted-um"].ipAddress);
  srv("enterprise-provider-federation", providerSeenByEnterprise, r.rg.enterprise, hosted.fqdn);
  const enterpriseSeenByProvider = zone("provider-enterprise", lab.sipDomain, r.rg.provider, r.vnet.provider);
  a("provider-edge", enterpriseSeenByProvider, r.rg.provider, edge.fqdn, r.pips.edge.ipAddress);
  srv("provider-federation", enterpriseSeenByProvider, r.rg.provider, edge.fqdn);
}
