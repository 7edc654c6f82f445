import { DevTestGlobalVmShutdownSchedule } from "@cdktf/provider-azurerm/lib/dev-test-global-vm-shutdown-schedule/index.js";
import { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine/index.js";
import { NetworkInterface } from "@cdktf/provider-azurerm/lib/network-interface/index.js";
import type { Construct } from "constructs";
import type { RenderedFile } from "../constructs/render/index.js";
import type { Topology, TopologyNode } from "../constructs/topology.js";
import { kindOf, type Side } from "../nodes/kinds.js";
import { CALL_CHECKS_PATH, renderCallChecks } from "./call-checks.js";
import { Fn } from "./cdktf.js";
import { cloudInit } from "./cloud-init.js";
import type { LabNetwork, LabPublicIps } from "./network.js";
import type { LabPlacement, Placed } from "./placement.js";
import type { LabVariables } from "./variables.js";

/** The admin user on every VM (SSH key only). */
export const ADMIN_USER = "umlab";

/** The VMs of a lab: which nodes each runs and where its NICs sit. */
export interface VmPlan {
  readonly name: string;
  readonly side: Side;
  readonly nodes: readonly TopologyNode[];
}

/** One VM per server role, one for all test phones (the node kinds registry says which). */
export function vmPlans(t: Topology): VmPlan[] {
  const plans: { name: string; side: Side; nodes: TopologyNode[] }[] = [];
  for (const n of t.nodes) {
    const vm = kindOf(n).vm;
    if (!vm) continue; // a local-only node (the lab DNS: Azure's private DNS zones serve its records)
    const { name, side } = vm;
    const plan = plans.find((v) => v.name === name);
    if (plan) plan.nodes.push(n);
    else plans.push({ name, side, nodes: [n] });
  }
  return plans;
}

export interface LabVmsProps {
  readonly placement: LabPlacement;
  readonly network: LabNetwork;
  readonly publicIps: LabPublicIps;
  readonly variables: LabVariables;
  /** node name -> its rendered files, written by cloud-init */
  readonly files: ReadonlyMap<string, readonly RenderedFile[]>;
}

/**
 * Every VM of the lab with its NICs and its daily auto-shutdown. Each VM's cloud-init runs the
 * same images and the same rendered configuration as the local lab; the phones VM also gets the
 * call-check script.
 */
export function labVms(scope: Construct, t: Topology, props: LabVmsProps): void {
  const { placement, variables, publicIps } = props;
  const fed = publicIps.federation;
  const publicAddresses = fed ? { edge: fed.edge.ipAddress, "hosted-um": fed["hosted-um"].ipAddress } : {};
  for (const vm of vmPlans(t)) {
    const machine = new LinuxVirtualMachine(scope, `${vm.name}-vm`, {
      name: `${placement.prefix}-${vm.name}`,
      ...placement.at(vm.side),
      size: variables.vmSize,
      adminUsername: ADMIN_USER,
      disablePasswordAuthentication: true,
      adminSshKey: [{ username: ADMIN_USER, publicKey: variables.sshPublicKey }],
      networkInterfaceIds: nicsOf(scope, vm, props).map((n) => n.id),
      osDisk: { caching: "ReadWrite", storageAccountType: "Standard_LRS" },
      sourceImageReference: { publisher: "Debian", offer: "debian-12", sku: "12-gen2", version: "latest" },
      customData: Fn.base64encode(
        cloudInit({
          nodes: vm.nodes,
          files: props.files,
          publicAddresses,
          ...(vm.name === "phones" ? { extraFiles: [{ path: CALL_CHECKS_PATH, content: renderCallChecks(t), mode: "0755" }] } : {}),
        }),
      ),
    });
    new DevTestGlobalVmShutdownSchedule(scope, `${vm.name}-shutdown`, {
      virtualMachineId: machine.id,
      location: placement.location,
      enabled: true,
      dailyRecurrenceTime: variables.autoShutdownTime,
      timezone: "UTC",
      notificationSettings: { enabled: false },
      tags: placement.tags,
    });
  }
}

/**
 * A VM's NICs. The edge's DMZ NIC comes first: only the first NIC of an Azure VM gets the default
 * route (federation and media to the provider). The hosted UM and the phones' first address carry
 * their public IPs; every other VM has one NIC on corp, with one IP configuration per node.
 */
function nicsOf(scope: Construct, vm: VmPlan, { placement, network, publicIps }: LabVmsProps): NetworkInterface[] {
  const first = vm.nodes[0] as TopologyNode;
  const { corp, dmz, provider } = network.subnets;
  const fed = publicIps.federation;
  if (vm.name === "edge" && dmz && fed) {
    return [
      nic(scope, `${vm.name}-dmz`, placement.at("enterprise"), [
        { subnetId: dmz.id, ip: first.addresses.dmz as string, publicIpId: fed.edge.id },
      ]),
      nic(scope, `${vm.name}-corp`, placement.at("enterprise"), [{ subnetId: corp.id, ip: first.addresses.corp as string }]),
    ];
  }
  if (vm.name === "hosted-um" && provider && fed) {
    return [
      nic(scope, vm.name, placement.at("provider"), [
        { subnetId: provider.id, ip: first.addresses.provider as string, publicIpId: fed["hosted-um"].id },
      ]),
    ];
  }
  const addresses = vm.nodes.map((n, i) => ({
    subnetId: corp.id,
    ip: n.addresses.corp as string,
    // The test phone VM is the way in: its first address carries the public IP.
    ...(vm.name === "phones" && i === 0 ? { publicIpId: publicIps.phones.id } : {}),
  }));
  return [nic(scope, vm.name, placement.at(vm.side), addresses)];
}

interface NicAddress {
  readonly subnetId: string;
  readonly ip: string;
  readonly publicIpId?: string;
}

function nic(scope: Construct, name: string, placed: Placed, addresses: readonly NicAddress[]): NetworkInterface {
  return new NetworkInterface(scope, `${name}-nic`, {
    name: `${name}-nic`,
    ...placed,
    ipConfiguration: addresses.map((a, i) => ({
      name: `ip${i}`,
      primary: i === 0,
      subnetId: a.subnetId,
      privateIpAddressAllocation: "Static",
      privateIpAddress: a.ip,
      ...(a.publicIpId ? { publicIpAddressId: a.publicIpId } : {}),
    })),
  });
}
