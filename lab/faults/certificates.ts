import { lit } from "../../constructs/errors.js";
import { HostedUm } from "../../constructs/provider.js";
import { FAULT_CERTIFICATES, type FaultCertificate, faultTlsPaths } from "../../nodes/fault-certs.js";
import { LabError } from "../runtime/docker.js";
import { type NodeControl, nodeState, readNodeFile, restartNode, writeNodeFile } from "./lab-control.js";
import { active, type FaultScenario, hasRole, inactive, nodeNamed } from "./scenario.js";

const UMLAB = "/etc/umlab";
const NODE_CERT = `${UMLAB}/tls/node.crt`;
const NODE_KEY = `${UMLAB}/tls/node.key`;

/**
 * The nodes that hold the certificate `cert` (the hosted UM, and whatever presents the provider's
 * identity with the same files, such as a proxy on its host): found by their files, not by role.
 */
async function holdersOf(c: NodeControl, cert: Buffer): Promise<string[]> {
  const candidates = c.lab.topology.nodes.filter((n) => n.role !== "phone");
  const held = await Promise.all(candidates.map(async (n) => (await readNodeFile(c.lab, n.name, NODE_CERT))?.equals(cert) === true));
  return candidates.filter((_, i) => held[i]).map((n) => n.name);
}

/** Which fault certificate (or the node's own) the hosted UM holds now, read from its files. */
async function certificateInUse(c: NodeControl): Promise<FaultCertificate | "original" | "other"> {
  const hosted = nodeNamed(c.lab.topology, "hosted-um");
  const inUse = await readNodeFile(c.lab, hosted, NODE_CERT);
  for (const kind of ["original", ...Object.keys(FAULT_CERTIFICATES)] as (FaultCertificate | "original")[]) {
    const candidate = await readNodeFile(c.lab, hosted, `${UMLAB}/${faultTlsPaths(kind).cert}`);
    if (inUse && candidate?.equals(inUse)) return kind;
  }
  return "other";
}

/**
 * Puts one of the certificates kept in fault-tls/ in place of the one the hosted UM holds now, on
 * every node that holds that one, then restarts the hosted UM if it runs.
 */
async function present(c: NodeControl, kind: FaultCertificate | "original"): Promise<void> {
  const hosted = nodeNamed(c.lab.topology, "hosted-um");
  const paths = faultTlsPaths(kind);
  const cert = await readNodeFile(c.lab, hosted, `${UMLAB}/${paths.cert}`);
  const key = await readNodeFile(c.lab, hosted, `${UMLAB}/${paths.key}`);
  if (!cert || !key) {
    throw new LabError(
      lit`FaultCertificatesMissing`,
      `${hosted} has no ${paths.cert}: the lab was started by an umlab without fault certificates; start it again (umlab down, umlab up)`,
    );
  }
  const current = await readNodeFile(c.lab, hosted, NODE_CERT);
  const holders = current ? await holdersOf(c, current) : [hosted];
  for (const node of holders) {
    await writeNodeFile(c.lab, node, NODE_CERT, cert);
    await writeNodeFile(c.lab, node, NODE_KEY, key, 0o600);
  }
  c.log(
    `  ${holders.join(" and ")} now hold${holders.length === 1 ? "s" : ""} the ${kind === "original" ? "lab's own" : kind} certificate`,
  );
  // Given a bad certificate, the hosted UM cannot pass its own mutual-TLS health probe: then it is
  // enough that it takes connections on the federation port, where it presents that certificate.
  if ((await nodeState(c.lab, hosted)) === "running") await restartNode(c, hosted, kind === "original" ? undefined : HostedUm.SIP_TLS.from);
  else c.log(`  ${hosted} is not running: it presents this certificate once it starts`);
}

/**
 * The hosted UM presents a certificate other than its own: Asterisk (and the provider's proxy on
 * its host) load TLS files only when they start, so the swap restarts the hosted UM's node, the one
 * node it touches. One certificate fault at a time: they swap the same files.
 */
export function certificateFault(name: string, kind: FaultCertificate, text: { summary: string; symptom: string }): FaultScenario {
  return {
    name,
    summary: text.summary,
    symptom: text.symptom,
    azure: `by hand on the hosted UM's VM: put a certificate ${FAULT_CERTIFICATES[kind]} in place of /etc/umlab/tls/node.crt and node.key (the lab does not mint fault certificates on Azure), then restart its container`,
    touches: ["hosted-um"],
    clearOrder: 0,
    appliesTo: (t) => hasRole(t, "hosted-um"),
    async state(c) {
      const inUse = await certificateInUse(c);
      return inUse === kind
        ? active(`hosted-um presents the ${kind} certificate`)
        : inactive(`hosted-um presents the ${inUse} certificate`);
    },
    async inject(c) {
      const inUse = await certificateInUse(c);
      if (inUse === kind) {
        c.log(`  hosted-um already presents the ${kind} certificate`);
        return;
      }
      if (inUse === "other") {
        throw new LabError(
          lit`FaultConflict`,
          "hosted-um presents a certificate that is neither its own nor a fault certificate; start the lab again",
        );
      }
      if (inUse !== "original") {
        throw new LabError(
          lit`FaultConflict`,
          `hosted-um presents the ${inUse} certificate (another certificate fault); clear it first: umlab fault clear cert-${inUse}`,
        );
      }
      await present(c, kind);
    },
    async clear(c) {
      if ((await certificateInUse(c)) !== kind) return;
      await present(c, "original");
    },
  };
}
