import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeLabPki, type TlsMaterial } from "../nodes/pki.js";

/** How long the Azure lab's certificates are valid, and how long before expiry the cache renews them. */
export const PKI_DAYS = 365;
export const RENEW_DAYS_BEFORE_EXPIRY = 30;

/** Whether every certificate of `pki` (CA included) stays valid for `days` more days from `now`. */
export function validFor(pki: Record<string, TlsMaterial>, days: number, now = new Date()): boolean {
  const until = now.getTime() + days * 86_400_000;
  return Object.values(pki).every((m) =>
    [m.ca, m.cert].every((pem) => {
      try {
        return new Date(new X509Certificate(pem).validTo).getTime() > until;
      } catch {
        return false;
      }
    }),
  );
}

function readCached(dir: string, parties: Record<string, string>): Record<string, TlsMaterial> | undefined {
  const index = join(dir, "parties.json");
  if (!existsSync(index) || readFileSync(index, "utf8") !== JSON.stringify(parties)) return undefined;
  const files = Object.keys(parties).flatMap((p) => [join(dir, `${p}.crt`), join(dir, `${p}.key`)]);
  if (![join(dir, "ca.crt"), ...files].every(existsSync)) return undefined;
  return Object.fromEntries(
    Object.keys(parties).map((p) => [
      p,
      {
        ca: readFileSync(join(dir, "ca.crt"), "utf8"),
        cert: readFileSync(join(dir, `${p}.crt`), "utf8"),
        key: readFileSync(join(dir, `${p}.key`), "utf8"),
      },
    ]),
  );
}

/**
 * The Azure lab's TLS material, made once per lab and kept in .umlab/pki/<lab>/ (never committed):
 * cloud-init carries it to the VMs, and Azure replaces a VM whose custom_data changes, so a new
 * CA on every synth would rebuild the lab on every deploy. Delete the folder to rotate. A CA or
 * certificate that expires within RENEW_DAYS_BEFORE_EXPIRY days is renewed (a new CA and new
 * certificates, so the next deploy replaces the VMs that hold them) rather than left to lapse.
 */
export function cachedLabPki(
  labId: string,
  parties: Record<string, string>,
  root = ".umlab/pki",
  now = new Date(),
): Record<string, TlsMaterial> {
  // A mode without TLS parties (on premises) leaves the cache alone: switching back keeps the CA.
  if (Object.keys(parties).length === 0) return {};
  const dir = join(root, labId);
  const index = join(dir, "parties.json");
  const cached = readCached(dir, parties);
  if (cached && validFor(cached, RENEW_DAYS_BEFORE_EXPIRY, now)) return cached;
  const pki = makeLabPki(parties, PKI_DAYS);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [p, m] of Object.entries(pki)) {
    writeFileSync(join(dir, "ca.crt"), m.ca);
    writeFileSync(join(dir, `${p}.crt`), m.cert);
    writeFileSync(join(dir, `${p}.key`), m.key, { mode: 0o600 });
  }
  writeFileSync(index, JSON.stringify(parties));
  return pki;
}
