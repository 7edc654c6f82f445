import type { UmLab } from "../../constructs/lab.js";
import { type RenderedFile, renderLab } from "../../constructs/render/index.js";
import type { Topology } from "../../constructs/topology.js";
import { phoneFiles, scenarioFiles } from "../calls/assets.js";
import type { TlsMaterial } from "./pki.js";

/** The nodes that hold TLS material, and the name on their certificate. */
export function tlsParties(topology: Topology): Record<string, string> {
  const parties: Record<string, string> = {};
  for (const n of topology.nodes) if (n.role === "edge" || n.role === "hosted-um") parties[n.name] = n.fqdn;
  return parties;
}

/**
 * Everything a node finds under /etc/umlab, by node name: the rendered configuration, its TLS
 * material, the SIPp scenarios (phones, and the SIP servers for health probes) and the test tone.
 * The local runtime copies these into containers; the Azure stack writes them with cloud-init.
 */
export function nodeFiles(lab: UmLab, topology: Topology, pki: Readonly<Record<string, TlsMaterial>>): Map<string, RenderedFile[]> {
  const files = renderLab(lab, topology);
  for (const node of topology.nodes) {
    const list = [...(files.get(node.name) ?? [])];
    const tls = pki[node.name];
    if (tls)
      list.push(
        { path: "tls/ca.crt", content: tls.ca },
        { path: "tls/node.crt", content: tls.cert },
        { path: "tls/node.key", content: tls.key },
      );
    if (node.role === "phone") list.push(...phoneFiles());
    if (node.role === "frontend" || node.role === "edge") list.push(...scenarioFiles());
    files.set(node.name, list);
  }
  return files;
}
