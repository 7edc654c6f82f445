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
 * Makes a throw-away lab CA and one certificate per party (edge, hosted UM), with the party's FQDN
 * as CN and subjectAltName, for both TLS server and client use (mutual TLS). Uses the openssl CLI;
 * keys live only in a temporary directory and the containers that get them.
 */
export function makeLabPki(parties: Record<string, string>, days = 30): Record<string, TlsMaterial> {
  const dir = mkdtempSync(join(tmpdir(), "umlab-pki-"));
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  try {
    ssl(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      String(days),
      "-subj",
      "/CN=umlab lab CA",
    );
    const ca = readFileSync(join(dir, "ca.crt"), "utf8");
    const out: Record<string, TlsMaterial> = {};
    for (const [name, fqdn] of Object.entries(parties)) {
      writeFileSync(
        join(dir, `${name}.ext`),
        `subjectAltName=DNS:${fqdn}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n`,
      );
      ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${fqdn}`);
      ssl(
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        `${name}.crt`,
        "-days",
        String(days),
        "-extfile",
        `${name}.ext`,
      );
      out[name] = { ca, cert: readFileSync(join(dir, `${name}.crt`), "utf8"), key: readFileSync(join(dir, `${name}.key`), "utf8") };
    }
    return out;
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`could not make the lab's TLS certificates with openssl (is it installed?): ${stderr || String(err)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
