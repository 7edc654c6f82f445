import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultLab, topologyOf } from "../../constructs/index.js";
import { faultRequest } from "../../lab/cli/commands/fault.js";
import { certificateCause } from "../../lab/faults/diagnosis.js";
import { parseTlsProbe } from "../../lab/faults/evidence.js";
import { FAULTS, faultNamed, faultsFor } from "../../lab/faults/registry.js";
import { finalResponse, parseSippLog } from "../../lab/faults/sip-log.js";
import { type FAULT_CERTIFICATES, faultCertificateFiles, WRONG_NAME } from "../../nodes/fault-certs.js";
import { LabCa } from "../../nodes/pki.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe("fault scenario registry", () => {
  it("has the scenarios the issue asks for, each named once in kebab-case and described for list, README and Azure", () => {
    const names = FAULTS.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "hosted-um-down",
        "onprem-um-down",
        "edge-down",
        "srv-missing",
        "cert-untrusted",
        "cert-wrong-name",
        "cert-expired",
        "provider-unverified",
        "media-blocked",
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
    for (const f of FAULTS) {
      expect(f.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      for (const text of [f.summary, f.symptom, f.azure]) expect(text.length, f.name).toBeGreaterThan(10);
      if (!f.pending) expect(f.touches.length, f.name).toBeGreaterThan(0);
    }
  });

  it("clears every fault in an order that works: files first (also on a stopped node), then node starts, then edge switches", () => {
    const order = (name: string) => faultNamed(name).clearOrder;
    expect(order("cert-expired")).toBeLessThan(order("hosted-um-down"));
    expect(order("edge-down")).toBeLessThan(order("media-blocked"));
    expect(order("edge-down")).toBeLessThan(order("provider-unverified"));
  });

  it("refuses an unknown scenario with FaultUnknown, naming the scenarios there are", () => {
    expect(codeOf(() => faultNamed("dns-down"))).toBe("FaultUnknown");
    expect(() => faultNamed("dns-down")).toThrow(/allowed: hosted-um-down, onprem-um-down/);
  });

  it("offers an on-premises lab only what it has: no edge, no hosted UM, no DNS to break", () => {
    const onPrem = faultsFor(topologyOf(defaultLab({ mode: "on-premises" }))).map((f) => f.name);
    expect(onPrem).toEqual(["onprem-um-down"]);
    const mixed = faultsFor(topologyOf(defaultLab({ mode: "mixed" }))).map((f) => f.name);
    expect(mixed).toEqual(expect.arrayContaining(["hosted-um-down", "onprem-um-down", "edge-down", "cert-expired", "media-blocked"]));
  });
});

describe("umlab fault: action and scenario", () => {
  it.each([
    [[], false, "ArgumentMissing"],
    [["break"], false, "FaultActionUnknown"],
    [["list", "edge-down"], false, "ArgumentUnexpected"],
    [["list"], true, "OptionInvalid"],
    [["inject"], false, "ArgumentMissing"],
    [["inject", "edge-down"], true, "OptionInvalid"],
    [["inject", "edge-gone"], false, "FaultUnknown"],
    [["clear"], false, "ArgumentMissing"],
    [["clear", "edge-down"], true, "OptionInvalid"],
  ] as const)("refuses %j (--all %s) with %s", (positionals, all, code) => {
    expect(codeOf(() => faultRequest(positionals, all))).toBe(code);
  });

  it("reads list, inject <scenario>, clear <scenario> and clear --all", () => {
    expect(faultRequest(["list"], false)).toEqual({ action: "list", all: false });
    expect(faultRequest(["inject", "cert-expired"], false)).toEqual({ action: "inject", all: false, scenario: "cert-expired" });
    expect(faultRequest(["clear", "media-blocked"], false)).toEqual({ action: "clear", all: false, scenario: "media-blocked" });
    expect(faultRequest(["clear"], true)).toEqual({ action: "clear", all: true });
  });
});

const SIPP_LOG = `----------------------------------------------- 2026-11-29 20:49:51.970000
UDP message sent (654 bytes):

INVITE sip:carol@contoso.test SIP/2.0
Call-ID: umlab-1@10.61.0.100
CSeq: 1 INVITE

----------------------------------------------- 2026-11-29 20:49:51.971661
UDP message received [445] bytes :

SIP/2.0 407 Proxy Authentication Required
CSeq: 1 INVITE

----------------------------------------------- 2026-11-29 20:49:51.973000
UDP message sent (846 bytes):

INVITE sip:carol@contoso.test SIP/2.0
CSeq: 2 INVITE

----------------------------------------------- 2026-11-29 20:49:51.973643
UDP message received [302] bytes :

SIP/2.0 100 trying -- your call is important to us
CSeq: 2 INVITE

----------------------------------------------- 2026-11-29 20:49:54.974855
UDP message received [343] bytes :

SIP/2.0 504 Hosted UM unreachable via edge: no answer from exap.um.provider.test:5061
CSeq: 2 INVITE
Retry-After: 30
Content-Length: 0

-----------------------------------------------
`;

describe("what a caller got, from SIPp's message log", () => {
  it("finds the final response to the authenticated INVITE, its reason and its delay, past the 407 and the 100", () => {
    const final = finalResponse(parseSippLog(SIPP_LOG), "INVITE");
    expect(final).toMatchObject({ status: 504, reason: "Hosted UM unreachable via edge: no answer from exap.um.provider.test:5061" });
    expect(final?.afterMs).toBe(3002);
    expect(final?.headers["retry-after"]).toBe("30");
  });

  it("says there was none when the caller heard nothing final", () => {
    expect(finalResponse(parseSippLog(SIPP_LOG.split("-- 2026-11-29 20:49:54")[0] as string), "INVITE")).toBeUndefined();
  });
});

describe("a TLS handshake from the edge, read back", () => {
  const connected = (code: string, text: string, subject = "CN=exap.um.provider.test", issuer = "CN=umlab lab CA") =>
    `CONNECTED(00000003)\n   v:NotBefore: Nov 29 20:43:48 2026 GMT; NotAfter: Nov 29 20:43:48 2026 GMT\nsubject=${subject}\nissuer=${issuer}\n    Verify return code: ${code} (${text})\n`;

  it.each([
    [connected("10", "certificate has expired"), "certificate has expired (notAfter Nov 29 20:43:48 2026 GMT)"],
    [
      connected("21", "unable to verify the first certificate", undefined, "CN=Other Provider Root CA"),
      "certificate not issued by the lab CA (issuer CN=Other Provider Root CA",
    ],
    [connected("62", "hostname mismatch", `CN=${WRONG_NAME}`), `certificate names CN=${WRONG_NAME}, not exap.um.provider.test`],
  ])("names what is wrong with the certificate", (output, cause) => {
    expect(certificateCause(parseTlsProbe(output, 4), "exap.um.provider.test")).toContain(cause);
  });

  it("finds nothing wrong with a certificate that verifies, and says why no connection opened", () => {
    expect(certificateCause(parseTlsProbe(connected("0", "ok"), 4), "exap.um.provider.test")).toBeUndefined();
    expect(parseTlsProbe("connect:errno=113\n", 4)).toEqual({ outcome: "no-connection", error: "no route to host" });
    expect(parseTlsProbe("", 4)).toEqual({ outcome: "no-connection", error: "no answer within 4 s" });
  });
});

describe("fault certificates, minted when a lab starts", () => {
  const fqdn = "exap.um.provider.test";
  const ca = LabCa.create(1);
  const files = faultCertificateFiles(ca, fqdn, ca.issue(fqdn));

  function verify(kind: keyof typeof FAULT_CERTIFICATES | "original"): string {
    const dir = mkdtempSync(join(tmpdir(), "umlab-fault-test-"));
    try {
      writeFileSync(join(dir, "ca.crt"), ca.cert);
      writeFileSync(join(dir, "party.crt"), files.find((f) => f.path === `fault-tls/${kind}.crt`)?.content ?? "");
      // A minute from now: the expired certificate's notAfter is the second it was issued.
      const at = String(Math.floor(Date.now() / 1000) + 60);
      const args = ["verify", "-attime", at, "-CAfile", "ca.crt", "-verify_hostname", fqdn, "party.crt"];
      try {
        return execFileSync("openssl", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      } catch (err) {
        return String((err as { stdout?: string }).stdout ?? "") + String((err as { stderr?: string }).stderr ?? "");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("keep the node's own certificate, which verifies, and one of each fault, each wrong in its own way only", () => {
    expect(files.map((f) => f.path).sort()).toEqual(
      ["expired", "original", "untrusted", "wrong-name"].flatMap((k) => [`fault-tls/${k}.crt`, `fault-tls/${k}.key`]).sort(),
    );
    expect(verify("original")).toMatch(/: OK/);
    expect(verify("expired")).toMatch(/certificate has expired/);
    expect(verify("untrusted")).toMatch(/unable to get local issuer certificate/);
    expect(verify("wrong-name")).toMatch(/hostname mismatch/);
  });
});
