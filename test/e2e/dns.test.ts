import { describe, expect, it } from "vitest";
import { addressOf, federationSrvName, nodeOf } from "../../constructs/index.js";
import { type CheckResult, checkDirectDepositAndMwi } from "../../lab/calls/checks.js";
import { call, register, waitForNotify } from "../../lab/calls/driver.js";
import { logText } from "../../lab/runtime/container-logs.js";
import { dnsQueryLog, removeSrvRecord, restoreDnsRecords } from "../../lab/runtime/dns.js";
import { dockerApi } from "../../lab/runtime/docker.js";
import type { StartedLocalLab } from "../../lab/runtime/local-lab.js";
import { NO_ANSWER_SECONDS, useLab } from "./fixture.js";

function expectSuccess(r: CheckResult): void {
  expect(r.result, `${r.check} ${r.target}: ${r.diagnosis}`).toBe("Success");
}

/** What a node's container wrote since `sinceMs` (Kamailio's and Asterisk's logs). */
async function logSince(lab: StartedLocalLab, node: string, sinceMs: number): Promise<string> {
  const raw = await (await dockerApi())
    .getContainer(nodeOf(lab.topology, node).container)
    .logs({ stdout: true, stderr: true, follow: false, since: Math.floor(sinceMs / 1000) });
  return logText(Buffer.isBuffer(raw) ? raw : Buffer.from(raw));
}

/**
 * Real DNS in the local lab: split horizon (one dnsmasq per side), and the provider reaching the
 * enterprise as a hosting provider does, by the `_sipfederationtls._tcp.<sip domain>` SRV record.
 * The proof is the provider DNS's own query log, and what happens without the record.
 */
describe("lab DNS: the provider finds the enterprise's edge by _sipfederationtls._tcp (cross-premises)", () => {
  const lab = useLab("cross-premises");
  const user = (name: string) => {
    const u = lab().topology.users.find((x) => x.name === name);
    if (!u) throw new Error(`no user ${name}`);
    return u;
  };
  const options = { noAnswerSeconds: NO_ANSWER_SECONDS };

  it("the daemons' own parsers accept the rendered files: dnsmasq on each side, the provider proxy's Kamailio", async () => {
    for (const node of ["dns-enterprise", "dns-provider"]) {
      const r = await lab().exec(node, ["dnsmasq", "--test", "--conf-file=/etc/umlab/dnsmasq.conf"]);
      expect(r.exitCode, `${node}: ${r.output}`).toBe(0);
    }
    const proxy = await lab().exec("hosted-um", ["kamailio", "-c", "-f", "/etc/umlab/kamailio.cfg"]);
    expect(proxy.exitCode, proxy.output.slice(-2000)).toBe(0);
  });

  it("the hosted UM's MWI NOTIFY reaches the phone through the edge its proxy found by the SRV record, which the provider's DNS answered", async () => {
    const t = lab().topology;
    const srv = federationSrvName(t);
    const since = Date.now();
    expectSuccess(await checkDirectDepositAndMwi(lab(), user("alice"), options));
    const hosted = addressOf(t, "hosted-um", "provider");
    const provider = (await dnsQueryLog(lab(), since)).filter((l) => l.node === "dns-provider").map((l) => l.text);
    expect(provider).toContain(`query[SRV] ${srv} from ${hosted}`);
    expect(provider).toContain(`config ${srv} is <SRV>`);
    expect(provider).toContain(`query[A] sip.contoso.test from ${hosted}`);
    expect(provider).toContain(`config sip.contoso.test is ${addressOf(t, "edge", "provider")}`);
    // The proxy logged the route it took, by that record.
    expect(await logSince(lab(), "hosted-um", since)).toMatch(
      new RegExp(`NOTIFY sip:alice@contoso\\.test -> sip\\.contoso\\.test:5061 \\(\\S+\\) by SRV ${srv.replace(/\./g, "\\.")}`),
    );
    // The other way, the edge reaches the provider by its proxyFqdn's A record, from the enterprise's DNS.
    const enterprise = (await dnsQueryLog(lab())).filter((l) => l.node === "dns-enterprise").map((l) => l.text);
    expect(enterprise).toContain(`query[A] exap.um.provider.test from ${addressOf(t, "edge", "corp")}`);
    expect(enterprise).toContain(`config exap.um.provider.test is ${hosted}`);
  });

  it("without the SRV record, the deposit still lands but its NOTIFY never reaches the edge: the provider's proxy refuses it at once", async () => {
    const t = lab().topology;
    const srv = federationSrvName(t);
    expect(await removeSrvRecord(lab())).toEqual(["dns-enterprise", "dns-provider"]);
    try {
      const since = Date.now();
      const reg = await register(lab(), "alice");
      expect(reg.ok, reg.output).toBe(true);
      const notified = waitForNotify(lab(), "alice", 10);
      await new Promise((r) => setTimeout(r, 300));
      const placed = await call(lab(), {
        from: "bob",
        to: user("alice").sipUser,
        params: ";opaque=app:voicemail",
        media: { tone: true },
        holdSeconds: 3,
        timeoutSeconds: 20,
      });
      const mwi = await notified;
      await register(lab(), "alice", 0);
      expect(placed.ok, `the deposit itself goes edge -> provider by A record: ${placed.output}`).toBe(true);
      expect(mwi.summary, "the phone got a NOTIFY without the SRV record").toBeUndefined();
      const provider = (await dnsQueryLog(lab(), since)).filter((l) => l.node === "dns-provider").map((l) => l.text);
      expect(provider).toContain(`config ${srv} is NXDOMAIN`);
      expect(await logSince(lab(), "hosted-um", since)).toContain(
        `umlab provider proxy: NOTIFY sip:alice@contoso.test refused: no DNS SRV record ${srv}`,
      );
      expect(await logSince(lab(), "edge", since)).not.toMatch(/NOTIFY from/);
    } finally {
      expect(await restoreDnsRecords(lab())).toEqual(["dns-enterprise", "dns-provider"]);
    }
  });

  it("with the record put back, the next NOTIFY reaches the phone again, with every message counted", async () => {
    expectSuccess(await checkDirectDepositAndMwi(lab(), user("alice"), options));
  });
});
