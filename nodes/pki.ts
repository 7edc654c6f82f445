import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PEM files of one TLS party: its key and certificate, and the lab CA both sides trust. */
export interface TlsMaterial {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/**
 * ECDSA P-256 keys: a lab start makes a CA, its parties' certificates and the fault certificates,
 * and an RSA 2048 key takes openssl 100 to 300 ms to draw on this machine, a P-256 key under 10 ms.
 * Kamailio's TLS (OpenSSL) and the openssl health probe speak ECDSA as well as RSA.
 */
export const LAB_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"] as const;

/** What every party certificate carries (an ECDSA key signs; it never enciphers a key, so no keyEncipherment). */
export function partyExtensions(fqdn: string): string {
  return `subjectAltName=DNS:${fqdn}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature\n`;
}

/** Runs `fn` with openssl in a throw-away directory (removed afterwards, keys included). */
function withOpenssl<T>(fn: (ssl: (...args: string[]) => void, dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "umlab-pki-"));
  const ssl = (...args: string[]) => {
    execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  };
  try {
    return fn(ssl, dir);
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`could not make the lab's TLS certificates with openssl (is it installed?): ${stderr || String(err)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A throw-away lab CA, held in memory for as long as its owner keeps it: it signs the parties'
 * certificates when the lab starts and, later, extra certificates for names the lab does not
 * know (a test's "other certificate from the lab CA"). Its key never reaches a node or a file
 * that outlives one openssl call.
 */
export class LabCa {
  private constructor(
    readonly cert: string,
    private readonly key: string,
    readonly days: number,
  ) {}

  /** A new CA (ECDSA P-256, CN "umlab lab CA"), valid `days` days. */
  static create(days = 30): LabCa {
    return withOpenssl((ssl, dir) => {
      ssl("req", "-x509", ...LAB_KEY, "-keyout", "ca.key", "-out", "ca.crt", "-days", String(days), "-subj", "/CN=umlab lab CA");
      return new LabCa(readFileSync(join(dir, "ca.crt"), "utf8"), readFileSync(join(dir, "ca.key"), "utf8"), days);
    });
  }

  /**
   * A key and certificate naming `fqdn` (CN and subjectAltName), for both TLS server and client
   * use (mutual TLS), signed by this CA.
   */
  issue(fqdn: string, days = this.days): TlsMaterial {
    if (!/^[A-Za-z0-9.-]+$/.test(fqdn)) throw new Error(`cannot issue a certificate for ${JSON.stringify(fqdn)}: not a host name`);
    return withOpenssl((ssl, dir) => {
      writeFileSync(join(dir, "ca.crt"), this.cert);
      writeFileSync(join(dir, "ca.key"), this.key, { mode: 0o600 });
      writeFileSync(join(dir, "party.ext"), partyExtensions(fqdn));
      ssl("req", ...LAB_KEY, "-keyout", "party.key", "-out", "party.csr", "-subj", `/CN=${fqdn}`);
      const sign = ["x509", "-req", "-in", "party.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "party.crt"];
      ssl(...sign, "-days", String(days), "-extfile", "party.ext");
      return { ca: this.cert, cert: readFileSync(join(dir, "party.crt"), "utf8"), key: readFileSync(join(dir, "party.key"), "utf8") };
    });
  }
}

/**
 * Makes one certificate per party (edge, hosted UM), with the party's FQDN as CN and
 * subjectAltName, signed by `ca` (by default a new throw-away lab CA valid `days` days).
 */
export function makeLabPki(parties: Record<string, string>, days = 30, ca: LabCa = LabCa.create(days)): Record<string, TlsMaterial> {
  return Object.fromEntries(Object.entries(parties).map(([name, fqdn]) => [name, ca.issue(fqdn, days)]));
}
