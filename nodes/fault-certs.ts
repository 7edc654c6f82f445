import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RenderedFile } from "../constructs/render/index.js";
import type { Topology } from "../constructs/topology.js";
import { LAB_KEY, type LabCa, partyExtensions, type TlsMaterial } from "./pki.js";

/**
 * Certificates the fault scenarios cert-untrusted, cert-wrong-name and cert-expired make the hosted
 * UM present instead of its own. They are minted when the lab starts, while the lab CA is at hand
 * (its key is never kept), and wait in the hosted UM's /etc/umlab/fault-tls/ beside a copy of its
 * own certificate, which `umlab fault clear` puts back. They sit beside tls/, not in it: the
 * Asterisk entrypoint installs every file of tls/.
 */
export const FAULT_TLS_DIR = "fault-tls";

/** The name the wrong-name certificate carries: issued by the lab CA, to a host that is not the provider. */
export const WRONG_NAME = "um.wrong-name.test";

/** The subject of the CA that issues the untrusted certificate: not the lab CA. */
export const OTHER_CA = "Other Provider Root CA";

/** Each fault certificate, and what is wrong with it (the README and `umlab fault list` say this). */
export const FAULT_CERTIFICATES = {
  untrusted: `issued to the hosted UM's FQDN by "${OTHER_CA}", a CA the edge does not trust`,
  "wrong-name": `issued by the lab CA to ${WRONG_NAME}, not to the hosted UM's FQDN`,
  expired: "issued by the lab CA to the hosted UM's FQDN, expired the second it was issued",
} as const;
export type FaultCertificate = keyof typeof FAULT_CERTIFICATES;

/** Key and certificate paths of a fault certificate (or "original"), relative to /etc/umlab. */
export function faultTlsPaths(kind: FaultCertificate | "original"): { cert: string; key: string } {
  return { cert: `${FAULT_TLS_DIR}/${kind}.crt`, key: `${FAULT_TLS_DIR}/${kind}.key` };
}

/**
 * A certificate for `fqdn` from a CA of its own, made for this and thrown away: the lab's key type
 * and the same extensions as the lab's own certificates, so that only the issuer is wrong.
 */
function untrustedCertificate(fqdn: string): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), "umlab-fault-ca-"));
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  try {
    ssl("req", "-x509", ...LAB_KEY, "-keyout", "ca.key", "-out", "ca.crt", "-days", "30", "-subj", `/CN=${OTHER_CA}`);
    ssl("req", ...LAB_KEY, "-keyout", "party.key", "-out", "party.csr", "-subj", `/CN=${fqdn}`);
    writeFileSync(join(dir, "party.ext"), partyExtensions(fqdn));
    const sign = ["x509", "-req", "-in", "party.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "party.crt"];
    ssl(...sign, "-days", "30", "-extfile", "party.ext");
    const read = (f: string) => readFileSync(join(dir, f), "utf8");
    return { ca: read("ca.crt"), cert: read("party.crt"), key: read("party.key") };
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`could not make the untrusted fault certificate with openssl: ${stderr || String(err)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The files of the fault certificates for a hosted UM named `fqdn` whose own TLS material is `own`. */
export function faultCertificateFiles(ca: LabCa, fqdn: string, own: TlsMaterial): RenderedFile[] {
  const material: Record<FaultCertificate | "original", TlsMaterial> = {
    original: own,
    untrusted: untrustedCertificate(fqdn),
    "wrong-name": ca.issue(WRONG_NAME),
    // Valid for zero days: its notAfter is the moment it was issued (openssl x509 -days 0).
    expired: ca.issue(fqdn, 0),
  };
  return Object.entries(material).flatMap(([kind, m]) => {
    const paths = faultTlsPaths(kind as FaultCertificate | "original");
    return [
      { path: paths.cert, content: m.cert },
      { path: paths.key, content: m.key },
    ];
  });
}

/**
 * Adds the fault certificates to the hosted UM's files, if the topology has a hosted UM with TLS
 * material in `pki`. Called by the local runtime when a lab starts.
 */
export function withFaultCertificates(
  files: Map<string, RenderedFile[]>,
  topology: Topology,
  ca: LabCa,
  pki: Readonly<Record<string, TlsMaterial>>,
): Map<string, RenderedFile[]> {
  const hosted = topology.nodes.find((n) => n.role === "hosted-um");
  const own = hosted ? pki[hosted.name] : undefined;
  if (!hosted || !own) return files;
  files.set(hosted.name, [...(files.get(hosted.name) ?? []), ...faultCertificateFiles(ca, hosted.fqdn, own)]);
  return files;
}
