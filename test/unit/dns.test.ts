import { describe, expect, it } from "vitest";
import { type DnsRecord, type DnsZone, dnsRecordsOf } from "../../constructs/dns.js";
import { defaultLab, topologyOf } from "../../constructs/index.js";
import { recordFileOf, renderDnsmasqFiles, renderLab } from "../../constructs/render/index.js";

const show = (r: DnsRecord) =>
  r.type === "A" ? `A ${r.fqdn} ${r.address}` : `SRV ${r.fqdn} ${r.priority} ${r.weight} ${r.port} ${r.target}`;
const view = (zones: readonly DnsZone[]) => zones.map((z) => ({ side: z.side, zone: z.name, records: z.records.map(show) }));

describe("DNS records, one source for the lab's DNS servers and Azure's private zones", () => {
  it("split horizon: the enterprise sees the edge inside, the provider sees its external side and the SRV record", () => {
    const lab = defaultLab({ mode: "mixed" });
    expect(view(dnsRecordsOf(lab, topologyOf(lab)))).toEqual([
      {
        side: "enterprise",
        zone: "contoso.test",
        records: [
          "A pool.contoso.test 10.61.0.10",
          "A um.contoso.test 10.61.0.20",
          "A sip.contoso.test 10.61.0.30",
          "SRV _sipfederationtls._tcp.contoso.test 10 10 5061 sip.contoso.test",
        ],
      },
      {
        side: "enterprise",
        zone: "um.provider.test",
        records: ["A exap.um.provider.test 10.62.0.40", "SRV _sipfederationtls._tcp.um.provider.test 10 10 5061 exap.um.provider.test"],
      },
      {
        side: "provider",
        zone: "contoso.test",
        records: ["A sip.contoso.test 10.62.0.30", "SRV _sipfederationtls._tcp.contoso.test 10 10 5061 sip.contoso.test"],
      },
      { side: "provider", zone: "um.provider.test", records: ["A exap.um.provider.test 10.62.0.40"] },
    ]);
  });

  it("on Azure the other side's names resolve to public addresses; the provider's own name stays private", () => {
    const lab = defaultLab({ mode: "cross-premises" });
    const t = topologyOf(lab, { realization: "azure", publicAddresses: { edge: "198.51.100.30", "hosted-um": "198.51.100.40" } });
    const a = (id: string) =>
      dnsRecordsOf(lab, t)
        .flatMap((z) => z.records)
        .find((r) => r.id === id);
    expect(a("provider-edge")).toMatchObject({ fqdn: "sip.contoso.test", address: "198.51.100.30" });
    expect(a("enterprise-hosted-um")).toMatchObject({ fqdn: "exap.um.provider.test", address: "198.51.100.40" });
    expect(a("provider-hosted-um")).toMatchObject({ fqdn: "exap.um.provider.test", address: "10.62.0.40" });
    expect(a("enterprise-edge")).toMatchObject({ fqdn: "sip.contoso.test", address: "10.61.0.30" });
  });

  it("on premises: only the enterprise's servers, no federation record", () => {
    const lab = defaultLab({ mode: "on-premises" });
    expect(view(dnsRecordsOf(lab, topologyOf(lab)))).toEqual([
      { side: "enterprise", zone: "contoso.test", records: ["A pool.contoso.test 10.61.0.10", "A um.contoso.test 10.61.0.20"] },
    ]);
  });

  it("record ids are unique: the Azure stack names its resources by them", () => {
    const lab = defaultLab({ mode: "mixed" });
    const zones = dnsRecordsOf(lab, topologyOf(lab));
    const ids = zones.flatMap((z) => z.records.map((r) => `${r.id}-${r.type}`));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(zones.map((z) => z.id)).size).toBe(zones.length);
  });

  it("each side's dnsmasq serves only its zones, authoritatively, one file per name (an SRV record can be taken out alone)", () => {
    const lab = defaultLab({ mode: "cross-premises" });
    const files = renderDnsmasqFiles("provider", dnsRecordsOf(lab, topologyOf(lab)));
    const text = (path: string) => String(files.find((f) => f.path === path)?.content ?? "");
    expect(text("dnsmasq.conf")).toMatch(/^no-resolv$/m);
    expect(text("dnsmasq.conf")).toMatch(/^local=\/contoso\.test\/\nlocal=\/um\.provider\.test\/$/m);
    expect(text("dnsmasq.conf")).toContain("conf-dir=/etc/umlab/dns,*.conf");
    expect(text(recordFileOf("_sipfederationtls._tcp.contoso.test"))).toBe(
      "srv-host=_sipfederationtls._tcp.contoso.test,sip.contoso.test,5061,10,10\n",
    );
    expect(text(recordFileOf("sip.contoso.test"))).toBe("host-record=sip.contoso.test,10.62.0.30\n");
    // The provider's DNS does not know the enterprise's inside: no front end, no internal edge address.
    expect(files.map((f) => f.path)).not.toContain(recordFileOf("pool.contoso.test"));
  });

  it("a lab without a provider has no DNS server; with one, a server per side on its own network", () => {
    const onPrem = defaultLab({ mode: "on-premises" });
    expect(topologyOf(onPrem).nodes.filter((n) => n.role === "dns")).toEqual([]);
    const mixed = defaultLab({ mode: "mixed" });
    const t = topologyOf(mixed);
    expect(t.nodes.filter((n) => n.role === "dns").map((n) => [n.name, n.addresses])).toEqual([
      ["dns-enterprise", { corp: "10.61.0.53" }],
      ["dns-provider", { provider: "10.62.0.53" }],
    ]);
    expect([...renderLab(mixed, t).keys()]).toEqual(expect.arrayContaining(["dns-enterprise", "dns-provider"]));
    // Azure has none: its private DNS zones serve the same records.
    expect(topologyOf(mixed, { realization: "azure" }).nodes.some((n) => n.role === "dns")).toBe(false);
  });
});
