/**
 * A picture of a lab as data: boxes (nodes), nested frames (groups: networks, resource groups,
 * VNets, subnets) and arrows (edges). The local topology and the synthesized Azure stack both
 * become one of these, and the same renderers draw it as Mermaid text or as SVG.
 */

/** How a box or frame is coloured: what it is in the lab. */
export type DiagramTone =
  | "frontend"
  | "um"
  | "edge"
  | "proxy"
  | "dns"
  | "phone"
  | "outside"
  | "corp"
  | "provider"
  | "dmz"
  | "resource-group"
  | "vnet"
  | "subnet";

/** What an arrow means; each kind has its own colour and a line in the legend. */
export type EdgeKind = "signalling" | "onprem-voicemail" | "hosted-voicemail" | "opening";

export const EDGE_KIND_LEGEND: Readonly<Record<EdgeKind, string>> = {
  signalling: "SIP from the phones",
  "onprem-voicemail": "voice mail to the on-prem UM",
  "hosted-voicemail": "voice mail to the hosted UM, through the edge",
  opening: "NSG opening (inbound allow); everything else is denied",
};

/** A frame around other frames and boxes. */
export interface DiagramGroup {
  readonly id: string;
  readonly title: string;
  readonly lines: readonly string[];
  readonly tone: DiagramTone;
  /** the group it sits in; none: the top level */
  readonly parent?: string;
}

/** A box: a node of the lab (a container, a VM). */
export interface DiagramNode {
  readonly id: string;
  readonly title: string;
  readonly lines: readonly string[];
  readonly tone: DiagramTone;
  readonly parent?: string;
}

/** An arrow between two boxes or frames. */
export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  /** one or more lines written along the arrow */
  readonly label: readonly string[];
}

export interface Diagram {
  readonly title: string;
  readonly groups: readonly DiagramGroup[];
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
}

/** The edge kinds a diagram uses, in legend order. */
export function kindsIn(diagram: Diagram): EdgeKind[] {
  const used = new Set(diagram.edges.map((e) => e.kind));
  return (Object.keys(EDGE_KIND_LEGEND) as EdgeKind[]).filter((k) => used.has(k));
}
