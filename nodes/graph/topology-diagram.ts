import { KamailioEdge } from "../../constructs/edge.js";
import { FrontEnd } from "../../constructs/front-end.js";
import { OnPremUm } from "../../constructs/onprem-um.js";
import { HostedUm } from "../../constructs/provider.js";
import { ROUTING_PARAM_ORG } from "../../constructs/render/common.js";
import type { RoutingTable } from "../../constructs/routes.js";
import { OUTSIDE_PHONE, type Topology, type TopologyNode } from "../../constructs/topology.js";
import type { Diagram, DiagramEdge, DiagramGroup, DiagramNode, DiagramTone } from "./diagram.js";

/** What each role is, in Lync's words and the lab's (a role added later is drawn by its name). */
const ROLES: Readonly<Record<string, { title: string; what: string; tone: DiagramTone }>> = {
  frontend: { title: "front end", what: "Kamailio: registrar, ExUM routing", tone: "frontend" },
  "onprem-um": { title: "on-prem UM", what: "Asterisk: Exchange UM", tone: "um" },
  edge: { title: "edge", what: "Kamailio + rtpengine (A/V edge)", tone: "edge" },
  "hosted-um": { title: "hosted UM", what: "Asterisk: hosted Exchange UM", tone: "um" },
  "provider-proxy": { title: "provider proxy", what: "Kamailio: the provider's federation proxy", tone: "proxy" },
  dns: { title: "DNS", what: "split-horizon DNS of its side", tone: "dns" },
  phone: { title: "phones", what: "SIPp", tone: "phone" },
};

/** A list of names, shortened for a label when long. */
function names(list: readonly string[], max = 5): string {
  return list.length <= max ? list.join(", ") : `${list.slice(0, max).join(", ")} +${list.length - max}`;
}

function addressLines(n: TopologyNode): string[] {
  const lines = Object.entries(n.addresses).map(([net, ip]) => `${net} ${ip}`);
  return n.publicAddress ? [...lines, `public ${n.publicAddress}`] : lines;
}

function serverNode(n: TopologyNode): DiagramNode {
  const role = ROLES[n.role] ?? { title: n.name, what: n.role, tone: "phone" };
  // The edge sits on both networks: it is drawn between them, in neither frame.
  const parent = n.role === "edge" ? undefined : `net-${Object.keys(n.addresses)[0]}`;
  return { id: n.name, title: role.title, lines: [role.what, n.fqdn, ...addressLines(n)], tone: role.tone, ...(parent ? { parent } : {}) };
}

function phoneNodes(t: Topology): DiagramNode[] {
  const phones = t.nodes.filter((n) => n.role === "phone" && n.name !== OUTSIDE_PHONE);
  const out: DiagramNode[] = [];
  if (phones.length > 0) {
    const ext = (user: string | undefined) => t.users.find((u) => u.name === user)?.extension ?? "";
    const lines = phones.map((p) => `${p.user ?? p.name} ${ext(p.user)} ${p.addresses.corp ?? ""}`);
    out.push({ id: "phones", title: "phones", lines: ["SIPp, one per user", ...lines], tone: "phone", parent: "net-corp" });
  }
  const outside = t.nodes.find((n) => n.name === OUTSIDE_PHONE);
  if (outside) {
    out.push({
      id: OUTSIDE_PHONE,
      title: "outside caller",
      lines: ["no account", outside.addresses.corp ?? ""],
      tone: "outside",
      parent: "net-corp",
    });
  }
  return out;
}

function networkGroups(t: Topology): DiagramGroup[] {
  const what = { corp: "corporate network", provider: "provider network", dmz: "DMZ" } as const;
  return t.networks.map((n) => ({
    id: `net-${n.role}`,
    title: what[n.role],
    lines: [`${n.name}  ${n.subnet}`],
    tone: n.role,
  }));
}

/** The Request-URIs the routing table shows for one UM, else umlab's general form. */
function requestUris(routes: RoutingTable | undefined, node: "onprem-um" | "hosted-um", fallback: string): string[] {
  const uris = [...new Set((routes?.users ?? []).filter((r) => r.path.at(-1)?.node === node).map((r) => r.requestUri))];
  return uris.length > 0 ? uris : [fallback];
}

function voicemailEdges(t: Topology, routes: RoutingTable | undefined): DiagramEdge[] {
  const edges: DiagramEdge[] = [];
  const onprem = t.nodes.find((n) => n.role === "onprem-um");
  const hosted = t.nodes.find((n) => n.role === "hosted-um");
  const usersOn = (node: string) => t.users.filter((u) => u.mailboxNode === node);
  if (onprem) {
    const uris = requestUris(routes, "onprem-um", `sip:${OnPremUm.PILOT}@${onprem.fqdn}`);
    const label = [...uris.map((u) => `INVITE ${u}`), `UDP ${OnPremUm.SIP.from}, Diversion names the callee`];
    edges.push({
      from: "frontend",
      to: onprem.name,
      kind: "onprem-voicemail",
      label: [...label, `mailboxes: ${names(usersOn(onprem.name).map((u) => u.name))}`],
    });
  }
  if (hosted && t.nodes.some((n) => n.role === "edge")) {
    edges.push({
      from: "frontend",
      to: "edge",
      kind: "hosted-voicemail",
      label: ["hosted voice mail", `UDP ${KamailioEdge.INTERNAL_SIP.from}, internal side`],
    });
    const uris = requestUris(routes, "hosted-um", `sip:${HostedUm.PILOT}@${hosted.fqdn};${ROUTING_PARAM_ORG}=<organization>`);
    const tenants = [...new Set(usersOn(hosted.name).map((u) => u.tenant ?? "?"))].map(
      (tenant) =>
        `${tenant}: ${names(
          usersOn(hosted.name)
            .filter((u) => u.tenant === tenant)
            .map((u) => u.name),
        )}`,
    );
    edges.push({
      from: "edge",
      to: hosted.name,
      kind: "hosted-voicemail",
      label: [`mutual TLS ${KamailioEdge.FEDERATION.from}, media via rtpengine`, ...uris.map((u) => `INVITE ${u}`), ...tenants],
    });
  }
  return edges;
}

/**
 * The lab as a picture: its networks as frames, each node with its role, FQDN and addresses, the
 * edge between the two networks, and the voice-mail paths (on premises, and through the edge to
 * the hosted UM) labelled with the Request-URIs the front end builds. Pure.
 */
export function topologyDiagram(t: Topology, routes?: RoutingTable): Diagram {
  const servers = t.nodes.filter((n) => n.role !== "phone").map(serverNode);
  const signalling: DiagramEdge[] = [];
  if (t.nodes.some((n) => n.role === "phone" && n.name !== OUTSIDE_PHONE))
    signalling.push({ from: "phones", to: "frontend", kind: "signalling", label: ["REGISTER, INVITE", `UDP ${FrontEnd.SIP.from}`] });
  const attendants = t.contacts.filter((c) => c.kind === "auto-attendant").map((c) => c.displayNumber);
  if (t.nodes.some((n) => n.name === OUTSIDE_PHONE))
    signalling.push({
      from: OUTSIDE_PHONE,
      to: "frontend",
      kind: "signalling",
      label: [`INVITE ${attendants.join(", ")}`, "auto attendant"],
    });
  return {
    title: `umlab ${t.mode} lab "${t.instance}": SIP domain ${t.sipDomain}, no-answer ${t.noAnswerSeconds} s`,
    groups: networkGroups(t),
    nodes: [...phoneNodes(t), ...servers],
    edges: [...signalling, ...voicemailEdges(t, routes)],
  };
}
