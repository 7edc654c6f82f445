import type { NetworkSecurityGroupSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-group/index.js";
import { KamailioEdge } from "../constructs/edge.js";
import { FrontEnd } from "../constructs/front-end.js";
import type { UmLab } from "../constructs/lab.js";
import { HostedUm } from "../constructs/provider.js";
import { PHONE_PORTS, type Topology } from "../constructs/topology.js";
import { Port } from "../constructs/values.js";
import { subnetOf } from "./network.js";

type Rule = NetworkSecurityGroupSecurityRule;

/** Where the rules of an NSG may come from: Terraform references, known at deploy time. */
export interface RulePeers {
  /** the admin range (`ssh_source_range`) */
  readonly sshFrom: string;
  /** the edge's public IP; only with a provider */
  readonly edgePublic?: string | undefined;
  /** the hosted UM's public IP; only with a provider */
  readonly hostedPublic?: string | undefined;
}

const DENY_EVERYTHING_ELSE: Rule = {
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

function allow(name: string, port: Port, source: string, destination: string): Omit<Rule, "priority"> {
  return {
    name,
    direction: "Inbound",
    access: "Allow",
    protocol: port.ipProtocol === "udp" ? "Udp" : "Tcp",
    sourceAddressPrefix: source,
    sourcePortRange: "*",
    destinationAddressPrefix: destination,
    destinationPortRange: port.isRange ? `${port.from}-${port.to}` : String(port.from),
  };
}

const ssh = (sshFrom: string, destination: string) => allow("ssh-from-admin-range", Port.tcp(22), sshFrom, destination);

/** One NSG's rules: the allows in order, numbered from 100, then the deny of everything else. */
function nsgRules(allows: Omit<Rule, "priority">[]): Rule[] {
  return [...allows.map((r, i) => ({ ...r, priority: 100 + i })), DENY_EVERYTHING_ELSE];
}

/**
 * The NSG rules of each subnet, from the model's ports: SIP 5060 and RTP only inside the
 * enterprise, federation (5061) and the media ranges only between the two public addresses, SSH
 * only from the configured range, everything else denied. Without a provider, DMZ and provider
 * have no rules (and no subnets).
 */
export function securityRules(lab: UmLab, t: Topology, peers: RulePeers): Record<"corp" | "dmz" | "provider", Rule[]> {
  const corp = subnetOf(t, "corp");
  const corpRules = nsgRules([
    allow("sip-udp-inside-enterprise", FrontEnd.SIP, corp, corp),
    allow("sip-tcp-inside-enterprise", FrontEnd.SIP_TCP, corp, corp),
    allow("phones-sip-caller", PHONE_PORTS.callerSip, corp, corp),
    allow("phones-rtp", PHONE_PORTS.media, corp, corp),
    ...(lab.onPremUm ? [allow("onprem-um-rtp", lab.onPremUm.rtpPorts, corp, corp)] : []),
    ...(lab.edge ? [allow("edge-media-internal", lab.edge.mediaPorts, corp, corp)] : []),
    ssh(peers.sshFrom, corp),
  ]);
  if (!(lab.edge && lab.hostedUm && peers.edgePublic && peers.hostedPublic)) return { corp: corpRules, dmz: [], provider: [] };
  const edgeDmz = t.nodes.find((n) => n.role === "edge")?.addresses.dmz;
  const hostedIp = t.nodes.find((n) => n.role === "hosted-um")?.addresses.provider;
  if (!edgeDmz || !hostedIp)
    throw new Error("security rules: the topology places no edge on the DMZ or no hosted UM on the provider network");
  return {
    corp: corpRules,
    dmz: nsgRules([
      allow("federation-from-provider", KamailioEdge.FEDERATION, peers.hostedPublic, edgeDmz),
      allow("media-from-provider", lab.edge.mediaPorts, peers.hostedPublic, edgeDmz),
      ssh(peers.sshFrom, edgeDmz),
    ]),
    provider: nsgRules([
      allow("federation-from-edge", HostedUm.SIP_TLS, peers.edgePublic, hostedIp),
      allow("media-from-edge", lab.hostedUm.rtpPorts, peers.edgePublic, hostedIp),
      ssh(peers.sshFrom, hostedIp),
    ]),
  };
}
