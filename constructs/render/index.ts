import { dnsRecordsOf, dnsServerSide } from "../dns.js";
import type { UmLab } from "../lab.js";
import type { Topology } from "../topology.js";
import { greetingPaths, renderAsteriskConfig, type UmRole } from "./asterisk.js";
import { sineSamples, wavFile } from "./audio.js";
import type { RenderedFile } from "./common.js";
import { renderDnsmasqFiles } from "./dnsmasq.js";
import { renderEdgeFiles } from "./kamailio-edge.js";
import { renderFrontEndFiles } from "./kamailio-frontend.js";
import { renderProviderProxyFiles } from "./kamailio-provider-proxy.js";

export * from "./asterisk.js";
export * from "./audio.js";
export * from "./common.js";
export * from "./dnsmasq.js";
export * from "./kamailio-edge.js";
export * from "./kamailio-frontend.js";
export * from "./kamailio-provider-proxy.js";

/** The lab's short greeting: half a second of two tones, so a deposit starts recording at once. */
export function greeting(): Buffer {
  const a = sineSamples(660, 0.25, 0.2);
  const b = sineSamples(880, 0.25, 0.2);
  const both = new Int16Array(a.length + b.length);
  both.set(a);
  both.set(b, a.length);
  return wavFile(both);
}

/**
 * Every configuration file of every node, by node name: the static files kept beside the
 * renderers (the daemons' logic, copied as they are) and the files rendered from the model's data
 * (which include them). Certificates are not here: they are secrets made per lab instance by the
 * realization (local runtime or Azure), not model facts.
 */
export function renderLab(lab: UmLab, topology: Topology): Map<string, RenderedFile[]> {
  const out = new Map<string, RenderedFile[]>();
  if (lab.frontEnd) out.set("frontend", renderFrontEndFiles(lab, topology));
  if (lab.edge) out.set("edge", renderEdgeFiles(lab, topology));
  const ums: UmRole[] = [];
  if (lab.onPremUm) ums.push("onprem-um");
  if (lab.hostedUm) ums.push("hosted-um");
  for (const role of ums) {
    const conf = Object.entries(renderAsteriskConfig(lab, topology, role)).map(([name, content]) => ({
      path: `asterisk/${name}`,
      content,
    }));
    const greetings = greetingPaths(lab, topology, role).map((p) => ({ path: `greetings/${p}`, content: greeting() }));
    // The hosted UM's node also runs the provider's SIP proxy in front of Asterisk.
    const proxy = role === "hosted-um" ? renderProviderProxyFiles(lab, topology) : [];
    out.set(role, [...conf, ...greetings, ...proxy]);
  }
  // Each side's DNS server (local labs): the records of that side's zones.
  const dns = topology.nodes.filter((n) => n.role === "dns");
  if (dns.length > 0) {
    const zones = dnsRecordsOf(lab, topology);
    for (const n of dns) out.set(n.name, renderDnsmasqFiles(dnsServerSide(n), zones));
  }
  return out;
}
