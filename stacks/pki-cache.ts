import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeLabPki, type TlsMaterial } from "../nodes/pki.js";

/**
 * The Azure lab's TLS material, made once per lab and kept in .umlab/pki/<lab>/ (never committed):
 * cloud-init carries it to the VMs, and Azure replaces a VM whose custom_data changes, so a new
 * CA on every synth would rebuild the lab on every deploy. Delete the folder to rotate.
 */
export function cachedLabPki(labId: string, parties: Record<string, string>, root = ".umlab/pki"): Record<string, TlsMaterial> {
  // A mode without TLS parties (on premises) leaves the cache alone: switching back keeps the CA.
  if (Object.keys(parties).length === 0) return {};
  const dir = join(root, labId);
  const index = join(dir, "parties.json");
  if (existsSync(index) && readFileSync(index, "utf8") === JSON.stringify(parties)) {
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
  const pki = makeLabPki(parties, 365);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [p, m] of Object.entries(pki)) {
    writeFileSync(join(dir, "ca.crt"), m.ca);
    writeFileSync(join(dir, `${p}.crt`), m.cert);
    writeFileSync(join(dir, `${p}.key`), m.key, { mode: 0o600 });
  }
  writeFileSync(index, JSON.stringify(parties));
  return pki;
}
