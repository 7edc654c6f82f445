import { describe, expect, it } from "vitest";
import { defaultLab, HostedVoicemailPolicy, PolicyScope, topologyOf, User } from "../../constructs/index.js";
import {
  renderAsteriskConfig,
  renderEdgeConfig,
  renderFrontEndConfig,
  renderLab,
  renderRtpengineConfig,
} from "../../constructs/render/index.js";

const mixed = () => {
  const lab = defaultLab({ mode: "mixed", noAnswerSeconds: 12 });
  return { lab, t: topologyOf(lab, { instance: "r" }) };
};

describe("front end (Kamailio)", () => {
  it("diverts after the model's no-answer time and when unregistered or asked directly", () => {
    const { lab, t } = mixed();
    const cfg = renderFrontEndConfig(lab, t);
    expect(cfg).toContain("t_set_fr(12000, 3000);");
    expect(cfg).toContain('uri_param("opaque", "app:voicemail")');
    expect(cfg).toMatch(/if \(!lookup\("location"\)\) \{\s+\$avp\(divreason\) = "unavailable";\s+route\(VOICEMAIL\);/);
  });

  it("removes existing Diversion headers and adds one naming the callee", () => {
    const { lab, t } = mixed();
    const cfg = renderFrontEndConfig(lab, t);
    const vm = cfg.slice(cfg.indexOf("route[VOICEMAIL]"));
    expect(vm.indexOf('remove_hf("Diversion")')).toBeLessThan(vm.indexOf('append_hf("Diversion: <$avp(callee_uri)>'));
  });

  it("routes each user to their own UM: on-prem directly, hosted through the edge with destination and organization", () => {
    const { lab, t } = mixed();
    const cfg = renderFrontEndConfig(lab, t);
    expect(cfg).toContain('$sht(loc=>alice) = "on-premises";');
    expect(cfg).toContain('$sht(loc=>carol) = "hosted";');
    expect(cfg).toContain('$sht(dest=>carol) = "exap.um.provider.test";');
    expect(cfg).toContain('$sht(org=>carol) = "contoso.test";');
    expect(cfg).toContain('$sht(org=>erin) = "fabrikam.test";');
    expect(cfg).not.toContain("$sht(dest=>alice)");
    expect(cfg).toContain('$du = "sip:10.61.0.30:5060";');
    expect(cfg).toContain('$du = "sip:10.61.0.20:5060";');
  });

  it("has no hosted route in on-premises mode", () => {
    const lab = defaultLab({ mode: "on-premises" });
    const cfg = renderFrontEndConfig(lab, topologyOf(lab));
    expect(cfg).not.toContain("10.61.0.30");
    expect(cfg).toContain("Hosted voice mail is not available in this mode");
  });

  it("escapes a multi-domain organization for the Request-URI", () => {
    const lab = defaultLab({ mode: "mixed" });
    const p = new HostedVoicemailPolicy(lab, "Two", {
      scope: PolicyScope.user(),
      destination: "exap.um.provider.test",
      organization: "fabrikam.test,contoso.test",
    });
    new User(lab, "erin2", { extension: "1005", password: "Secret-123", pin: "5555", mailbox: "hosted", hostedVoicemailPolicy: p });
    expect(renderFrontEndConfig(lab, topologyOf(lab))).toContain('$sht(org=>erin2) = "fabrikam.test%2Ccontoso.test";');
  });
});

describe("edge (Kamailio + rtpengine)", () => {
  it("accepts the front end on UDP and the provider only over verified mutual TLS on 5061", () => {
    const { lab, t } = mixed();
    const cfg = renderEdgeConfig(lab, t);
    expect(cfg).toContain("listen=tls:10.62.0.30:5061");
    expect(cfg).toContain('$si == "10.61.0.10" && $proto == "udp"');
    expect(cfg).toContain("$tls_peer_verified != 1");
    expect(cfg).toContain('$du = "sip:exap.um.provider.test:5061;transport=tls";');
  });

  it("anchors media in rtpengine on the model's port range, one interface per network", () => {
    const { lab, t } = mixed();
    const conf = renderRtpengineConfig(lab, t);
    expect(conf).toContain("interface = internal/10.61.0.30;external/10.62.0.30");
    expect(conf).toContain("port-min = 50000");
    expect(conf).toContain("port-max = 50199");
  });
});

describe("UMs (Asterisk)", () => {
  it("puts on-prem mailboxes in the on-prem UM and hosted ones in their tenant on the hosted UM", () => {
    const { lab, t } = mixed();
    const onprem = renderAsteriskConfig(lab, t, "onprem-um");
    const hosted = renderAsteriskConfig(lab, t, "hosted-um");
    expect(onprem["voicemail.conf"]).toMatch(/\[onprem\]\n1001 => 1111,Alice,,,\n1002 => 2222,Bob,,,/);
    expect(onprem["voicemail.conf"]).not.toContain("1003");
    expect(hosted["voicemail.conf"]).toMatch(/\[contoso\.test\]\n1003 => 3333,Carol,,,\n1004 => 4444,Dave,,,/);
  });

  it("hosted UM listens for mutual TLS only and takes the tenant from the Request-URI", () => {
    const { lab, t } = mixed();
    const hosted = renderAsteriskConfig(lab, t, "hosted-um");
    expect(hosted["pjsip.conf"]).toContain("protocol=tls");
    expect(hosted["pjsip.conf"]).toContain("require_client_cert=yes");
    expect(hosted["pjsip.conf"]).not.toContain("protocol=udp");
    expect(hosted["pjsip.conf"]).toContain("match=10.62.0.30");
    expect(hosted["extensions.conf"]).toContain("CHANNEL(pjsip,request_uri)");
    expect(hosted["extensions.conf"]).toContain('"umlab-org"');
  });

  it("loads modules explicitly (autoload half-loads app_voicemail_odbc)", () => {
    const { lab, t } = mixed();
    const modules = renderAsteriskConfig(lab, t, "onprem-um")["modules.conf"] as string;
    expect(modules).toContain("autoload=no");
    expect(modules).toContain("load = app_voicemail.so");
    expect(modules).not.toContain("odbc");
  });

  it("gives every mailbox a short greeting", () => {
    const { lab, t } = mixed();
    const files = renderLab(lab, t);
    const greetings = (files.get("hosted-um") ?? []).filter((f) => f.path.startsWith("greetings/"));
    expect(greetings.map((g) => g.path)).toEqual([
      "greetings/contoso.test/1003/unavail.wav",
      "greetings/contoso.test/1004/unavail.wav",
      "greetings/fabrikam.test/1003/unavail.wav",
    ]);
    expect((greetings[0]?.content as Buffer | undefined)?.length ?? Infinity).toBeLessThan(16_000); // under a second of audio
  });
});

describe("multi-tenant hosted UM and contacts", () => {
  it("keeps two tenants' mailboxes with the same number apart, and makes the shared number ambiguous to dial", () => {
    const { lab, t } = mixed();
    const hosted = renderAsteriskConfig(lab, t, "hosted-um");
    expect(hosted["voicemail.conf"]).toMatch(/\[fabrikam\.test\]\n1003 => 5555,Erin,,,/);
    expect(hosted["extensions.conf"]).toContain("MBX_contosotest_carol=1003");
    expect(hosted["extensions.conf"]).toContain("MBX_fabrikamtest_erin=1003");
    const fe = renderFrontEndConfig(lab, t);
    expect(fe).toContain('$sht(amb=>1003) = "1";');
    expect(fe).not.toContain("$sht(ext=>1003)");
    expect(fe).toContain('sl_send_reply("485", "Ambiguous: dial the user by name");');
  });

  it("routes contact numbers to their UM's pilot; only the auto attendant takes unauthenticated callers", () => {
    const { lab, t } = mixed();
    const fe = renderFrontEndConfig(lab, t);
    expect(fe).toContain('$sht(contact=>1900) = "subscriber-access";');
    expect(fe).toContain('$sht(contact=>1801) = "auto-attendant";');
    expect(fe).toContain('$sht(loc=>1800) = "hosted";');
    expect(fe).toContain('$sht(anyone=>1901) = "1";');
    expect(fe).not.toContain("$sht(anyone=>1900)");
  });

  it("sends message waiting for every mailbox to the user's SIP URI through the UM's peer", () => {
    const { lab, t } = mixed();
    const onprem = renderAsteriskConfig(lab, t, "onprem-um")["pjsip.conf"] as string;
    const hosted = renderAsteriskConfig(lab, t, "hosted-um")["pjsip.conf"] as string;
    expect(onprem).toMatch(/\[mwi-alice\]\ntype=endpoint\n[^[]*mailboxes=1001@onprem\noutbound_proxy=sip:10\.61\.0\.10:5060\\;lr/);
    expect(onprem).toContain("contact=sip:alice@contoso.test");
    expect(hosted).toMatch(/mailboxes=1003@fabrikam\.test\noutbound_proxy=sip:sip\.contoso\.test:5061\\;lr\\;transport=tls/);
  });
});

describe("one fact, one place", () => {
  it("renders only the nodes of the mode", () => {
    for (const [mode, nodes] of [
      ["on-premises", ["frontend", "onprem-um"]],
      ["cross-premises", ["frontend", "edge", "hosted-um"]],
      ["mixed", ["frontend", "edge", "onprem-um", "hosted-um"]],
    ] as const) {
      const lab = defaultLab({ mode });
      expect([...renderLab(lab, topologyOf(lab)).keys()]).toEqual(nodes);
    }
  });
});
