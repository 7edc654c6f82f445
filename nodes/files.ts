import type { UmLab } from "../constructs/lab.js";
import { type RenderedFile, renderLab } from "../constructs/render/index.js";
import type { Topology } from "../constructs/topology.js";
import { accountFile } from "./calls/plan.js";
import { kindOf } from "./kinds.js";
import type { TlsMaterial } from "./pki.js";

/** The nodes that hold TLS material, and the name on their certificate. */
export function tlsParties(topology: Topology): Record<string, string> {
  return Object.fromEntries(topology.nodes.filter((n) => kindOf(n).tlsParty).map((n) => [n.name, n.fqdn]));
}

/**
 * Files only their owner may read, wherever they are written (a container's /etc/umlab, a VM's
 * cloud-init): private keys, and what sits under secrets/ (a phone's account: password and PIN).
 */
export function isSecretFile(path: string): boolean {
  return path.endsWith(".key") || path.startsWith("secrets/");
}

/**
 * Everything a node finds under /etc/umlab, by node name: the rendered configuration, its TLS
 * material and what its kind carries besides (SIPp scenarios, the test tone).
 * The local runtime copies these into containers; the Azure stack writes them with cloud-init.
 */
export function nodeFiles(lab: UmLab, topology: Topology, pki: Readonly<Record<string, TlsMaterial>>): Map<string, RenderedFile[]> {
  const files = renderLab(lab, topology);
  for (const node of topology.nodes) {
    const list = [...(files.get(node.name) ?? []), ...kindOf(node).extraFiles()];
    // A user's phone holds the user's account (password and PIN), as a real phone does.
    const user = node.user ? topology.users.find((u) => u.name === node.user) : undefined;
    if (user) list.push(accountFile(user, node.name));
    const tls = pki[node.name];
    if (tls)
      list.push(
        { path: "tls/ca.crt", content: tls.ca },
        { path: "tls/node.crt", content: tls.cert },
        { path: "tls/node.key", content: tls.key },
      );
    files.set(node.name, list);
  }
  return files;
}
