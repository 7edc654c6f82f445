import { FrontEnd } from "../constructs/front-end.js";
import { HostedUm } from "../constructs/provider.js";
import type { RenderedFile } from "../constructs/render/index.js";
import type { NodeRole, TopologyNode } from "../constructs/topology.js";
import { phoneFiles, scenarioFiles } from "./calls/assets.js";
import { HEALTH_PROBE_PORT } from "./calls/plan.js";
import type { ImageName } from "./images/catalog.js";

/** Which side of the federation boundary a node lives on (an Azure resource group and VNet). */
export type Side = "enterprise" | "provider";

/**
 * What a kind of node is, in one place for both realizations (containerlab's node-kind registry):
 * the image it runs, how to tell it serves, whether it holds TLS material, the files it carries
 * beyond its rendered configuration, and the Azure VM that hosts it.
 */
export interface NodeKind {
  readonly image: ImageName;
  /** A command run in the node that exits 0 once it serves; none for nodes that serve nothing. */
  healthProbe(node: TopologyNode): readonly string[] | undefined;
  /** Holds a certificate from the lab CA, named after its FQDN (mutual TLS at the federation boundary). */
  readonly tlsParty: boolean;
  /** Holds mailboxes (a UM). */
  readonly um: boolean;
  /** Files the node carries besides the renderers' output (SIPp scenarios, the test tone). */
  extraFiles(): RenderedFile[];
  /**
   * Azure: the VM this node runs on (phones share one) and its side; undefined for a node of the
   * local lab only (the DNS servers: on Azure, private DNS zones serve the same records).
   */
  readonly vm: { readonly name: string; readonly side: Side } | undefined;
}

/** A SIP server serves when it answers OPTIONS sent to itself on its corporate address (front end and edge both listen on 5060 there). */
function sipOptionsProbe(node: TopologyNode): string[] {
  const ip = node.addresses.corp as string;
  const target = `${ip}:${FrontEnd.SIP.from}`;
  const sipp = ["sipp", "-sf", "/etc/umlab/sipp/options.xml", "-key", "target", `sip:${target}`];
  return [...sipp, "-i", ip, "-p", String(HEALTH_PROBE_PORT), "-m", "1", "-timeout", "2", "-timeout_error", "-nostdin", target];
}
const asteriskBooted = () => ["asterisk", "-rx", "core waitfullybooted"];

/**
 * The hosted UM serves when Asterisk is fully booted and its voice-mail pilot answers OPTIONS over
 * mutual TLS on the federation port, sent from the node with its own certificate: the provider's
 * SIP proxy takes it and hands it to Asterisk on loopback, so a 200 means both serve, end to end
 * (an OPTIONS to the proxy's own name is answered by the proxy alone, and Asterisk's first SIP
 * answer could still be seconds away under load). openssl speaks the TLS (SIPp's TLS client fails
 * its handshake against a server that demands a client certificate).
 */
function hostedUmServes(node: TopologyNode): string[] {
  const ip = node.addresses.provider as string;
  const target = `${ip}:${HostedUm.SIP_TLS.from}`;
  // Addressed to the pilot at the provider's name, as the edge addresses it (the proxy's socket takes any address).
  const uri = `sip:${HostedUm.PILOT}@${node.fqdn}:${HostedUm.SIP_TLS.from}`;
  const options = [
    `OPTIONS ${uri} SIP/2.0`,
    `Via: SIP/2.0/TLS ${ip}:${HEALTH_PROBE_PORT};branch=z9hG4bK-health`,
    `From: <sip:probe@${ip}>;tag=health`,
    `To: <${uri}>`,
    `Call-ID: health@${ip}`,
    "CSeq: 1 OPTIONS",
    "Max-Forwards: 70",
    "Content-Length: 0",
  ];
  const tls = "-cert /etc/umlab/tls/node.crt -key /etc/umlab/tls/node.key -CAfile /etc/umlab/tls/ca.crt -verify_return_error";
  const send = `printf '${options.join("\\r\\n")}\\r\\n\\r\\n' | timeout 2 openssl s_client -quiet -connect ${target} ${tls}`;
  // s_client keeps the connection open until its timeout: the answer is read as soon as it is there.
  const wait = `for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do grep -q '^SIP/2.0 200' $f && { rm -f $f; exit 0; }; sleep 0.1; done; rm -f $f; exit 1`;
  return ["sh", "-c", `asterisk -rx 'core waitfullybooted' >/dev/null || exit 1; f=$(mktemp); ${send} > $f 2>/dev/null & ${wait}`];
}

/** A DNS server serves when it answers a query (dnsmasq answers version.bind in class CHAOS). */
function dnsAnswers(node: TopologyNode): string[] {
  const ip = Object.values(node.addresses)[0] as string;
  return ["dig", `@${ip}`, "+time=1", "+tries=1", "version.bind", "CH", "TXT"];
}

export const NODE_KINDS: Readonly<Record<NodeRole, NodeKind>> = {
  frontend: {
    image: "kamailio",
    healthProbe: sipOptionsProbe,
    tlsParty: false,
    um: false,
    extraFiles: scenarioFiles,
    vm: { name: "frontend", side: "enterprise" },
  },
  "onprem-um": {
    image: "asterisk",
    healthProbe: asteriskBooted,
    tlsParty: false,
    um: true,
    extraFiles: () => [],
    vm: { name: "onprem-um", side: "enterprise" },
  },
  edge: {
    image: "kamailio",
    healthProbe: sipOptionsProbe,
    tlsParty: true,
    um: false,
    extraFiles: scenarioFiles,
    vm: { name: "edge", side: "enterprise" },
  },
  "hosted-um": {
    image: "asterisk",
    healthProbe: hostedUmServes,
    tlsParty: true,
    um: true,
    extraFiles: () => [],
    vm: { name: "hosted-um", side: "provider" },
  },
  dns: {
    image: "dns",
    healthProbe: dnsAnswers,
    tlsParty: false,
    um: false,
    extraFiles: () => [],
    vm: undefined,
  },
  phone: {
    image: "sipp",
    healthProbe: () => undefined,
    tlsParty: false,
    um: false,
    extraFiles: phoneFiles,
    vm: { name: "phones", side: "enterprise" },
  },
};

export function kindOf(node: { readonly role: NodeRole }): NodeKind {
  return NODE_KINDS[node.role];
}

/** The UM nodes of a topology (on-premises and hosted). */
export function umNodes<T extends { readonly role: NodeRole }>(nodes: readonly T[]): T[] {
  return nodes.filter((n) => kindOf(n).um);
}
