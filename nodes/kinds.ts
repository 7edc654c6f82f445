import { FrontEnd } from "../constructs/front-end.js";
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
  /** Azure: the VM this node runs on (phones share one) and its side. */
  readonly vm: { readonly name: string; readonly side: Side };
}

/** A SIP server serves when it answers OPTIONS sent to itself on its corporate address (front end and edge both listen on 5060 there). */
function sipOptionsProbe(node: TopologyNode): string[] {
  const ip = node.addresses.corp as string;
  const target = `${ip}:${FrontEnd.SIP.from}`;
  const sipp = ["sipp", "-sf", "/etc/umlab/sipp/options.xml", "-key", "target", `sip:${target}`];
  return [...sipp, "-i", ip, "-p", String(HEALTH_PROBE_PORT), "-m", "1", "-timeout", "2", "-timeout_error", "-nostdin", target];
}
const asteriskBooted = () => ["asterisk", "-rx", "core waitfullybooted"];

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
    healthProbe: asteriskBooted,
    tlsParty: true,
    um: true,
    extraFiles: () => [],
    vm: { name: "hosted-um", side: "provider" },
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
