import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  DEPLOYMENT_MODES,
  defaultLab,
  FloodLimit,
  FrontEnd,
  HostedVoicemailPolicy,
  OnPremUm,
  PolicyScope,
  topologyOf,
  UmLab,
  User,
} from "../../constructs/index.js";
import {
  asteriskValue,
  type RenderedFile,
  renderAsteriskConfig,
  renderEdgeFiles,
  renderFrontEndConfig,
  renderFrontEndFiles,
  renderKamailioDefines,
  renderLab,
  renderProviderProxyConfig,
  renderRtpengineConfig,
} from "../../constructs/render/index.js";

const mixed = () => {
  const lab = defaultLab({ mode: "mixed", noAnswerSeconds: 12 });
  return { lab, t: topologyOf(lab, { instance: "r" }) };
};

/**
 * A node's kamailio.cfg as Kamailio's pre-processor reads it: the static files it includes inlined,
 * #!ifdef / #!else / #!endif resolved and #!define names replaced by their values. (The real
 * parser runs on every mode's files in test/e2e/config-check.test.ts.)
 */
function kamailioAsRead(files: readonly RenderedFile[]): string {
  const byPath = new Map(files.map((f) => [f.path, f.content.toString()]));
  const inline = (t: string): string => t.replace(/^include_file "([^"]+)"$/gm, (_, p: string) => inline(byPath.get(p) ?? ""));
  const text = inline(byPath.get("kamailio.cfg") ?? "");
  const defines = new Map<string, string>();
  const skipping: boolean[] = [];
  const kept: string[] = [];
  for (const line of text.split("\n")) {
    const directive = /^#!(define|ifdef|ifndef|else|endif)\b ?(\w*) ?(.*)$/.exec(line);
    const active = !skipping.includes(true);
    if (!directive) {
      if (active) kept.push(line);
      continue;
    }
    const [, what, name = "", value = ""] = directive;
    if (what === "define" && active) defines.set(name, value);
    if (what === "ifdef" || what === "ifndef") skipping.push(defines.has(name) === (what === "ifndef"));
    if (what === "else") skipping.push(!skipping.pop());
    if (what === "endif") skipping.pop();
  }
  let out = kept.join("\n");
  for (const [name, value] of defines) out = out.replace(new RegExp(`\\b${name}\\b`, "g"), value);
  return out;
}

const frontEnd = (...args: Parameters<typeof renderFrontEndFiles>) => kamailioAsRead(renderFrontEndFiles(...args));

/** An Asterisk file with the files it `#include`s inlined, as Asterisk reads it. */
function asteriskAsRead(files: Record<string, string>, name: string): string {
  return (files[name] ?? "").replace(/^#include "([^"]+)"$/gm, (_, p: string) => files[p] ?? "");
}

describe("front end (Kamailio)", () => {
  it("diverts after the model's no-answer time and when unregistered or asked directly", () => {
    const { lab, t } = mixed();
    const cfg = frontEnd(lab, t);
    expect(cfg).toContain("t_set_fr(12000, 3000);");
    expect(cfg).toContain('uri_param("opaque", "app:voicemail")');
    expect(cfg).toMatch(/if \(!lookup\("location"\)\) \{\s+\$avp\(divreason\) = "unavailable";\s+route\(VOICEMAIL\);/);
  });

  it("removes existing Diversion headers and adds one naming the callee", () => {
    const { lab, t } = mixed();
    const cfg = frontEnd(lab, t);
    const vm = cfg.slice(cfg.indexOf("route[VOICEMAIL]"));
    expect(vm.indexOf('remove_hf("Diversion")')).toBeLessThan(vm.indexOf('append_hf("Diversion: <$avp(callee_uri)>'));
    // CRLF as Kamailio escapes inside the string, not as raw control characters in the file
    expect(vm).toContain(';counter=1\\r\\n");');
  });

  it("routes each user to their own UM: on-prem directly, hosted through the edge with destination and organization", () => {
    const { lab, t } = mixed();
    const cfg = frontEnd(lab, t);
    expect(cfg).toContain('$sht(loc=>alice) = "on-premises";');
    expect(cfg).toContain('$sht(loc=>carol) = "hosted";');
    expect(cfg).toContain('$sht(dest=>carol) = "exap.um.provider.test";');
    expect(cfg).toContain('$sht(org=>carol) = "contoso.test";');
    expect(cfg).toContain('$sht(org=>erin) = "fabrikam.test";');
    expect(cfg).not.toContain("$sht(dest=>alice)");
    expect(cfg).toContain('$du = "sip:10.61.0.30:5060";');
    expect(cfg).toContain('$du = "sip:10.61.0.20:5060";');
    expect(cfg).toContain('+ ";" + "umlab-org" + "=" + $sht(org=>$var(key));');
  });

  it("trusts the UMs and the edge by transport, source address and port; everybody else authenticates", () => {
    const { lab, t } = mixed();
    const cfg = frontEnd(lab, t);
    expect(cfg).toContain('$sht(trusted=>udp:10.61.0.20:5060) = "1";');
    expect(cfg).toContain('$sht(trusted=>udp:10.61.0.30:5060) = "1";');
    expect(cfg).not.toMatch(/\$sht\(trusted=>\$si\)/);
    expect(cfg).toMatch(/if \(\$sht\(trusted=>\$proto:\$si:\$sp\) == \$null\) \{\s+route\(AUTH\);/);
  });

  it("believes the edge's trust header from the edge only, and refuses what it marks unverified with the level named", () => {
    const { lab, t } = mixed();
    const cfg = kamailioAsRead(renderFrontEndFiles(lab, t));
    // Before anything is routed, in-dialog requests included: a phone's copy of the header goes.
    expect(cfg).toMatch(/sl_send_reply\("200", "Front end ready"\);\n\t\texit;\n\t\}\n\troute\(TRUST_CHECK\);\n\tif \(has_totag\(\)\)/);
    const check = cfg.slice(cfg.indexOf("route[TRUST_CHECK] {"));
    expect(check).toContain('if ($si == "10.61.0.30") {');
    expect(check).toContain('sl_send_reply("403", "Unverified source ($var(level))");');
    expect(check).toMatch(/\n\t\}\n\tremove_hf\("ms-edge-proxy-message-trust"\);\n\}/);
  });

  it("strips the trust header from everybody in on-premises mode, where there is no edge", () => {
    const lab = defaultLab({ mode: "on-premises" });
    const cfg = kamailioAsRead(renderFrontEndFiles(lab, topologyOf(lab)));
    const check = cfg.slice(cfg.indexOf("route[TRUST_CHECK] {"), cfg.indexOf("route[RELAY] {"));
    expect(check).not.toContain("$si ==");
    expect(check).toContain('remove_hf("ms-edge-proxy-message-trust");');
  });

  it("has no hosted route in on-premises mode", () => {
    const lab = defaultLab({ mode: "on-premises" });
    const cfg = frontEnd(lab, topologyOf(lab));
    expect(cfg).not.toContain("10.61.0.30");
    expect(cfg).toContain("Hosted voice mail is not available in this mode");
    expect(cfg).not.toContain("On-premises voice mail is not available in this mode");
  });

  it("has no on-premises route in cross-premises mode", () => {
    const lab = defaultLab({ mode: "cross-premises" });
    const cfg = frontEnd(lab, topologyOf(lab));
    expect(cfg).toContain("On-premises voice mail is not available in this mode");
    expect(cfg).not.toContain("Hosted voice mail is not available in this mode");
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
    const cfg = kamailioAsRead(renderEdgeFiles(lab, t));
    expect(cfg).toContain("listen=tls:10.62.0.30:5061");
    expect(cfg).toContain('$si == "10.61.0.10" && $proto == "udp" && $Rp == 5060');
    expect(cfg).toContain("$tls_peer_verified != 1");
    expect(cfg).toContain('$du = "sip:exap.um.provider.test:5061;transport=tls";');
    expect(cfg).toContain('$du = "sip:10.61.0.10:5060";');
    expect(cfg).toContain('modparam("rtpengine", "rtpengine_sock", "udp:127.0.0.1:2223")');
  });

  it("marks every request from the provider with the trust header, and strips any other copy first", () => {
    const { lab, t } = mixed();
    const cfg = kamailioAsRead(renderEdgeFiles(lab, t));
    const trust = cfg.slice(cfg.indexOf("route[TRUST] {"));
    // Called for every request once its side is known, before any routing.
    expect(cfg).toMatch(/\$var\(side\) = "provider";\n\t\} else \{[\s\S]*?\n\t\}\n\troute\(TRUST\);\n/);
    expect(trust).toMatch(
      /^route\[TRUST\] \{\n\tremove_hf\("ms-edge-proxy-message-trust"\);\n\tif \(\$var\(side\) != "provider"\) \{\n\t\treturn;/,
    );
    expect(trust).toContain(
      'append_hf("ms-edge-proxy-message-trust: ms-source-type=AuthorizedServer;ms-ep-fqdn=$var(ep);ms-source-verified-user=$var(verified);ms-source-network=federation;ms-remote-fqdn=$var(peer);umlab-verification-level=$var(level)\\r\\n");',
    );
    expect(trust).toContain('$var(ep) = "sip.contoso.test";');
    // UseSourceVerification: only the provider's names on the certificate; anything else is refused.
    expect(trust).toContain('$var(peer) != "exap.um.provider.test"');
    expect(trust).toContain('sl_send_reply("403", "Certificate does not name the hosting provider (UseSourceVerification)");');
  });

  it("takes the verification level from the model, overridable at run time through the trust htable", () => {
    for (const level of ["UseSourceVerification", "AlwaysVerifiable", "AlwaysUnverifiable"] as const) {
      const lab = defaultLab({ mode: "cross-premises", verificationLevel: level });
      const files = renderEdgeFiles(lab, topologyOf(lab));
      expect(files.find((f) => f.path === "kamailio.cfg")?.content).toContain(`#!define VERIFICATION_LEVEL "${level}"`);
      const cfg = kamailioAsRead(files);
      expect(cfg).toContain(`$var(level) = "${level}";`);
      expect(cfg).toContain('modparam("htable", "htable", "trust=>size=2;")');
      expect(cfg).toContain('loadmodule "ctl.so"');
      expect(cfg).toMatch(
        /if \(\$sht\(trust=>level\) =~ "\^\(UseSourceVerification\|AlwaysVerifiable\|AlwaysUnverifiable\)\$"\) \{\n\t+\$var\(level\) = \$sht\(trust=>level\);/,
      );
    }
  });

  it("anchors media in rtpengine on the model's port range, one interface per network", () => {
    const { lab, t } = mixed();
    const conf = renderRtpengineConfig(lab, t);
    expect(conf).toContain("interface = internal/10.61.0.30;external/10.62.0.30");
    expect(conf).toContain("port-min = 50000");
    expect(conf).toContain("port-max = 50199");
    expect(conf).toContain("delete-delay = 0");
  });
});

describe("UMs (Asterisk)", () => {
  it("puts on-prem mailboxes in the on-prem UM and hosted ones in their tenant on the hosted UM", () => {
    const { lab, t } = mixed();
    const onprem = asteriskAsRead(renderAsteriskConfig(lab, t, "onprem-um"), "voicemail.conf");
    const hosted = asteriskAsRead(renderAsteriskConfig(lab, t, "hosted-um"), "voicemail.conf");
    expect(onprem).toMatch(/\[onprem\]\n1001 => 1111,Alice,,,\n1002 => 2222,Bob,,,/);
    expect(onprem).not.toContain("1003");
    expect(hosted).toMatch(/\[contoso\.test\]\n1003 => 3333,Carol,,,\n1004 => 4444,Dave,,,/);
  });

  it("hosted UM: Asterisk on loopback behind the provider's SIP proxy, which holds the mutual TLS; the tenant from the Request-URI", () => {
    const { lab, t } = mixed();
    const hosted = renderAsteriskConfig(lab, t, "hosted-um");
    const pjsip = asteriskAsRead(hosted, "pjsip.conf");
    expect(pjsip).toMatch(/^\[transport-udp\]\(umlab-transport-udp\)\nbind=127\.0\.0\.1:5062$/m);
    expect(pjsip).not.toMatch(/transport-tls|protocol=tls/);
    expect(pjsip).toContain("match=127.0.0.1");
    // SDP names the UM's own address, where the edge's media relay sends RTP.
    expect(pjsip).toMatch(/^\[edge\]\(umlab-peer\)\naors=edge\n[^[]*media_address=10\.62\.0\.40$/m);
    // No endpoint is pinned to the loopback transport: RTP would be bound to loopback with it.
    expect(pjsip).not.toMatch(/^transport=/m);
    // Asterisk names no edge: its proxy finds the edge of a domain by DNS SRV.
    expect(pjsip).not.toContain("sip.contoso.test");
    const proxy = renderProviderProxyConfig(lab, t);
    expect(proxy).toContain("listen=tls:0.0.0.0:5061 advertise 10.62.0.40:5061\nlisten=udp:127.0.0.1:5060");
    expect(proxy).toContain('#!define FEDERATION_SRV "_sipfederationtls._tcp"');
    expect(proxy).toContain('#!define UM_URI "sip:127.0.0.1:5062"');
    const dialplan = asteriskAsRead(hosted, "extensions.conf");
    expect(dialplan).toContain("UMLAB_TENANT_FROM=request-uri");
    expect(dialplan).toContain("exten => request-uri,1,Set(RURI=${CHANNEL(pjsip,request_uri)})");
    expect(dialplan).toContain("UMLAB_ORG_PARAM=umlab-org");
  });

  it("on-prem UM files every mailbox under one context and answers only the pilots of its contacts", () => {
    const lab = defaultLab({ mode: "on-premises" });
    const onprem = renderAsteriskConfig(lab, topologyOf(lab), "onprem-um");
    expect(onprem["extensions.conf"]).toContain("UMLAB_TENANT_FROM=fixed\nUMLAB_CONTEXT=onprem\n");
    expect(onprem["extensions.conf"]).toMatch(
      /\[um-inbound\]\nexten => voicemail,1,Goto\(umlab-deposit,s,1\)\nexten => subscriber-access,1,Goto\(umlab-subscriber-access,s,1\)\nexten => auto-attendant,1,Goto\(umlab-auto-attendant,s,1\)\n$/,
    );
    expect(onprem["pjsip.conf"]).toMatch(/^\[transport-udp\]\(umlab-transport-udp\)\nbind=0\.0\.0\.0:5060$/m);
  });

  it("loads modules explicitly (autoload half-loads app_voicemail_odbc)", () => {
    const { lab, t } = mixed();
    const modules = renderAsteriskConfig(lab, t, "onprem-um")["modules.conf"] as string;
    expect(modules).toContain("autoload=no");
    expect(modules).toContain("load = app_voicemail.so");
    expect(modules).not.toMatch(/^load = .*odbc/m);
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
    expect(asteriskAsRead(hosted, "voicemail.conf")).toMatch(/\[fabrikam\.test\]\n1003 => 5555,Erin,,,/);
    const dialplan = asteriskAsRead(hosted, "extensions.conf");
    expect(dialplan).toContain("MBX_contosotest_carol=1003");
    expect(dialplan).toContain("MBX_fabrikamtest_erin=1003");
    const fe = frontEnd(lab, t);
    expect(fe).toContain('$sht(amb=>1003) = "1";');
    expect(fe).not.toContain("$sht(ext=>1003)");
    expect(fe).toContain('sl_send_reply("485", "Ambiguous: dial the user by name");');
  });

  it("routes contact numbers to their UM's pilot; only the auto attendant takes unauthenticated callers", () => {
    const { lab, t } = mixed();
    const fe = frontEnd(lab, t);
    expect(fe).toContain('$sht(contact=>1900) = "subscriber-access";');
    expect(fe).toContain('$sht(contact=>1801) = "auto-attendant";');
    expect(fe).toContain('$sht(loc=>1800) = "hosted";');
    expect(fe).toContain('$sht(anyone=>1901) = "1";');
    expect(fe).not.toContain("$sht(anyone=>1900)");
  });

  it("sends message waiting for every mailbox to the user's SIP URI through the UM's peer", () => {
    const { lab, t } = mixed();
    const onprem = asteriskAsRead(renderAsteriskConfig(lab, t, "onprem-um"), "pjsip.conf");
    const hosted = asteriskAsRead(renderAsteriskConfig(lab, t, "hosted-um"), "pjsip.conf");
    expect(onprem).toMatch(/^\[umlab-mwi\]\(!\)\ntype=endpoint$/m);
    expect(onprem).toMatch(/\[mwi-alice\]\(umlab-mwi\)\n[^[]*mailboxes=1001@onprem\noutbound_proxy=sip:10\.61\.0\.10:5060\\;lr\n/);
    expect(onprem).toContain("contact=sip:alice@contoso.test");
    expect(hosted).toMatch(/mailboxes=1003@fabrikam\.test\noutbound_proxy=sip:127\.0\.0\.1:5060\\;lr\n/);
  });
});

describe("configs as files, the model's data rendered", () => {
  const staticFile = (path: string) => readFileSync(new URL(`../../constructs/render/${path}`, import.meta.url), "utf8");

  it("copies the static files to the nodes as they are", () => {
    const { lab, t } = mixed();
    const files = renderLab(lab, t);
    const content = (node: string, path: string) => files.get(node)?.find((f) => f.path === path)?.content;
    expect(content("frontend", "frontend.cfg")).toBe(staticFile("kamailio/frontend.cfg"));
    expect(content("edge", "edge.cfg")).toBe(staticFile("kamailio/edge.cfg"));
    expect(content("edge", "tls.cfg")).toBe(staticFile("kamailio/tls.cfg"));
    for (const name of [
      "modules.conf",
      "logger.conf",
      "umlab-dialplan.conf",
      "umlab-pjsip-templates.conf",
      "umlab-voicemail-options.conf",
    ]) {
      expect(content("onprem-um", `asterisk/${name}`), name).toBe(staticFile(`asterisk/${name}`));
      expect(content("hosted-um", `asterisk/${name}`), name).toBe(staticFile(`asterisk/${name}`));
    }
  });

  it("renders data only: no routing logic in the rendered Kamailio files, no raw CR or LF inside a config string", () => {
    for (const mode of DEPLOYMENT_MODES) {
      const lab = defaultLab({ mode });
      for (const [node, files] of renderLab(lab, topologyOf(lab))) {
        const main = files.find((f) => f.path === "kamailio.cfg")?.content.toString() ?? "";
        expect(main, node).not.toMatch(/^(request_|failure_|onreply_)?route\[/m);
        for (const f of files.filter((x) => typeof x.content === "string"))
          expect(f.content, `${mode} ${node} ${f.path}`).not.toContain("\r");
      }
    }
  });

  it("refuses values that would break out of their config syntax", () => {
    expect(() => renderKamailioDefines({ SIP_DOMAIN: 'contoso.test"\nrequest_route {' })).toThrow(
      /cannot be written into a Kamailio string/,
    );
    expect(() => renderKamailioDefines({ "bad name": 1 })).toThrow(/define name/);
    expect(() => asteriskValue("1001;[evil]")).toThrow(/cannot be written into an Asterisk config/);
  });
});

describe("one fact, one place", () => {
  it("renders only the nodes of the mode", () => {
    for (const [mode, nodes] of [
      ["on-premises", ["frontend", "onprem-um"]],
      ["cross-premises", ["frontend", "edge", "hosted-um", "dns-enterprise", "dns-provider"]],
      ["mixed", ["frontend", "edge", "onprem-um", "hosted-um", "dns-enterprise", "dns-provider"]],
    ] as const) {
      const lab = defaultLab({ mode });
      expect([...renderLab(lab, topologyOf(lab)).keys()]).toEqual(nodes);
    }
  });
});

describe("message waiting by subscription (RFC 3842)", () => {
  it("front end: SUBSCRIBE has its own route; other event packages get 489 with Allow-Events before any challenge", () => {
    const { lab, t } = mixed();
    const fe = frontEnd(lab, t);
    expect(fe).toMatch(
      /sl_send_reply\("403", "Relaying forbidden"\);\n\t\texit;\n\t\}\n\tif \(is_method\("SUBSCRIBE"\)\) \{\n\t\troute\(SUBSCRIBE\);/,
    );
    const sub = fe.slice(fe.indexOf("route[SUBSCRIBE] {"));
    expect(sub.indexOf('sl_send_reply("489", "Bad Event");')).toBeGreaterThan(0);
    expect(sub.indexOf('append_to_reply("Allow-Events: message-summary\\r\\n");')).toBeLessThan(sub.indexOf("489"));
    expect(sub.indexOf("route(AUTH);")).toBeGreaterThan(sub.indexOf("489"));
  });

  it("front end: a user subscribes to their own mailbox only, record-routed to their UM with the SIP user as resource", () => {
    const { lab, t } = mixed();
    const sub = frontEnd(lab, t).split("route[SUBSCRIBE] {")[1]?.split("\n}\n")[0] ?? "";
    expect(sub).toContain('if ($avp(callee) != $fU) {\n\t\tsl_send_reply("403", "Message waiting only for your own mailbox");');
    expect(sub).toMatch(/record_route\(\);\n\t\$var\(key\) = \$avp\(callee\);\n\t\$var\(pilot\) = \$avp\(callee\);\n\troute\(TO_UM\);/);
  });

  it("UMs: one subscription AOR per mailbox, named by the SIP user, holding the mailbox in its tenant", () => {
    const { lab, t } = mixed();
    const onprem = asteriskAsRead(renderAsteriskConfig(lab, t, "onprem-um"), "pjsip.conf");
    const hosted = asteriskAsRead(renderAsteriskConfig(lab, t, "hosted-um"), "pjsip.conf");
    expect(onprem).toMatch(/^\[umlab-mwi-subscription\]\(!\)\ntype=aor$/m);
    expect(onprem).toMatch(/^\[alice\]\(umlab-mwi-subscription\)\nmailboxes=1001@onprem$/m);
    expect(onprem).not.toMatch(/^\[carol\]/m);
    // Two tenants share 1003: the SIP user tells them apart.
    expect(hosted).toMatch(/^\[carol\]\(umlab-mwi-subscription\)\nmailboxes=1003@contoso\.test$/m);
    expect(hosted).toMatch(/^\[erin\]\(umlab-mwi-subscription\)\nmailboxes=1003@fabrikam\.test$/m);
  });

  it("UMs: a SIP user that would name the UM's own peer is refused with a code", () => {
    const lab = defaultLab({ mode: "on-premises" });
    new User(lab, "frontend", { extension: "1009", password: "frontend-Secret1", pin: "9999" });
    expect(() => renderAsteriskConfig(lab, topologyOf(lab), "onprem-um")).toThrow(
      expect.objectContaining({ code: "UserSipNameReservedOnUm" }),
    );
  });

  it("edge: the provider side names the edge by its certificate's FQDN, so in-dialog NOTIFYs from the hosted UM verify it", () => {
    const { lab, t } = mixed();
    const main =
      renderEdgeFiles(lab, t)
        .find((f) => f.path === "kamailio.cfg")
        ?.content.toString() ?? "";
    expect(main).toContain("listen=tls:10.62.0.30:5061 advertise sip.contoso.test:5061");
    expect(main).toContain('alias="sip.contoso.test"');
  });
});

describe("SIP-layer protection (issue 8)", () => {
  const kamailioFile = (name: string) => readFileSync(new URL(`../../constructs/render/kamailio/${name}`, import.meta.url), "utf8");
  const routeBody = (cfg: string, route: string) => cfg.slice(cfg.indexOf(`route[${route}] {`)).split("\n}\n")[0] ?? "";
  const main = (files: readonly RenderedFile[]) => files.find((f) => f.path === "kamailio.cfg")?.content.toString() ?? "";

  it("front end and edge: the anti-flood limit comes first, from the model, with the lab's own nodes exempt", () => {
    const { lab, t } = mixed();
    const exempt = { frontend: ["10.61.0.20", "10.61.0.30"], edge: ["10.61.0.10", "10.62.0.40"] };
    for (const [node, files] of [
      ["frontend", renderFrontEndFiles(lab, t)],
      ["edge", renderEdgeFiles(lab, t)],
    ] as const) {
      expect(files.find((f) => f.path === "antiflood.cfg")?.content, node).toBe(kamailioFile("antiflood.cfg"));
      expect(files.find((f) => f.path === "dialog-mark.cfg")?.content, node).toBe(kamailioFile("dialog-mark.cfg"));
      const cfg = kamailioAsRead(files);
      expect(cfg, node).toMatch(/^request_route \{\n\troute\(ANTIFLOOD\);\n/m);
      expect(cfg).toContain('modparam("pike", "sampling_time_unit", 2)');
      expect(cfg).toContain('modparam("pike", "reqs_density_per_unit", 64)');
      expect(cfg).toContain("$shtex(ipban=>$si) = 60;");
      for (const ip of exempt[node]) expect(cfg, node).toContain(`$sht(floodexempt=>${ip}) = "1";`);
      expect(routeBody(cfg, "ANTIFLOOD")).toContain("if (src_ip == myself || $sht(floodexempt=>$si) != $null) {");
    }
  });

  it("a model's own flood limit and contact limit reach the front end's config; bad values are refused with a code", () => {
    const lab = new UmLab(undefined, "t", { mode: "on-premises", sipDomain: "contoso.test" });
    const floodLimit = FloodLimit.of({ requests: 200, windowSeconds: 4, banSeconds: 600 });
    new FrontEnd(lab, "FrontEnd", { floodLimit, maxContactsPerUser: 2 });
    new OnPremUm(lab, "OnPremUm");
    new User(lab, "alice", { extension: "1001", password: "Secret-123", pin: "1234" });
    const cfg = renderFrontEndConfig(lab, topologyOf(lab));
    for (const define of ["FLOOD_REQUESTS 200", "FLOOD_WINDOW_S 4", "FLOOD_BAN_S 600", "MAX_CONTACTS 2"])
      expect(cfg).toContain(`#!define ${define}`);
    expect(String(floodLimit)).toBe("200 requests per 4 s, then banned for 600 s");
    for (const bad of [{ requests: 0 }, { windowSeconds: 1.5 }, { banSeconds: -1 }]) {
      expect(() => FloodLimit.of(bad)).toThrow(expect.objectContaining({ code: "FloodLimitInvalid" }));
    }
    const other = new UmLab(undefined, "u", { mode: "on-premises", sipDomain: "contoso.test" });
    expect(() => new FrontEnd(other, "FrontEnd", { maxContactsPerUser: 0 })).toThrow(
      expect.objectContaining({ code: "MaxContactsInvalid" }),
    );
  });

  it("front end: within a dialog, the dialog's mark is checked before loose_route and the next hop must be in the corporate subnet", () => {
    const { lab, t } = mixed();
    const cfg = frontEnd(lab, t);
    expect(cfg).toMatch(/\tt_check_trans\(\);\n\troute\(DIALOG_MARK\);\n/);
    expect(routeBody(cfg, "WITHINDLG")).toMatch(
      /^route\[WITHINDLG\] \{\n\troute\(DIALOG_CHECK\);\n\tif \(loose_route\(\)\) \{\n\t\troute\(INDIALOG_NEXT_HOP\);\n\t\troute\(RELAY\);/,
    );
    expect(t.networks.find((n) => n.role === "corp")?.subnet).toBe("10.61.0.0/24");
    expect(routeBody(cfg, "INDIALOG_NEXT_HOP")).toContain('if (!is_in_subnet("$var(hop)", "10.61.0.0/24")) {');
    expect(routeBody(cfg, "DIALOG_MAC")).toContain('crypto_hmac_sha256("$ci;$var(dlgtag)", "$env(UMLAB_DIALOG_KEY)", "$var(dlgmac)");');
  });

  it("edge: within a dialog, the corporate side reaches only the hosting provider (its address on Azure), the provider only the front end", () => {
    const { lab, t } = mixed();
    const cfg = kamailioAsRead(renderEdgeFiles(lab, t));
    expect(cfg).toMatch(
      /if \(has_totag\(\)\) \{\n\t\troute\(DIALOG_CHECK\);\n\t\tif \(loose_route\(\)\) \{\n\t\t\troute\(INDIALOG_NEXT_HOP\);/,
    );
    expect(cfg).toMatch(/\tt_check_trans\(\);\n\troute\(DIALOG_MARK\);\n/);
    const hop = routeBody(cfg, "INDIALOG_NEXT_HOP");
    expect(hop).toContain('$var(hop) != "exap.um.provider.test" && $var(hop) != "exap.um.provider.test" && $var(hop) != "10.62.0.40"');
    expect(hop).toContain('} else if ($var(hop) != "10.61.0.10") {');
    const azure = topologyOf(lab, { realization: "azure", publicAddresses: { "hosted-um": "@@HOSTED_UM_PUBLIC_IP@@" } });
    const onAzure = main(renderEdgeFiles(lab, azure));
    expect(onAzure).toContain('#!define HOSTED_UM_ADDRESS "@@HOSTED_UM_PUBLIC_IP@@"');
    expect(onAzure).toContain('$sht(floodexempt=>@@HOSTED_UM_PUBLIC_IP@@) = "1";');
  });

  it("front end: digest with qop=auth and nonce counting; the registrar's checks come once the REGISTER is authenticated", () => {
    const { lab, t } = mixed();
    const cfg = frontEnd(lab, t);
    for (const param of ['"qop", "auth"', '"nonce_count", 1', '"nonce_expire", 300']) expect(cfg).toContain(`modparam("auth", ${param})`);
    expect(cfg).toContain('modparam("registrar", "max_contacts", 4)');
    expect(cfg).not.toContain('auth_challenge("$td", "0")');
    expect(cfg).not.toContain('auth_challenge("$fd", "0")');
    expect(routeBody(cfg, "REGISTRAR")).toMatch(/consume_credentials\(\);\n\troute\(REGISTER_CHECKS\);\n\tif \(!save\("location"\)\)/);
    const checks = routeBody(cfg, "REGISTER_CHECKS");
    expect(checks).toContain('if ($rd != "contoso.test" || $td != "contoso.test") {');
    expect(checks).toContain("if ($(ct{tobody.host}) != $si) {");
  });

  it("Kamailio reads its TLS files relative to its configuration, so the entrypoint's private copy is what it loads", () => {
    const { lab, t } = mixed();
    expect(kamailioFile("tls.cfg")).not.toMatch(/^[a-z_]+ = \//m);
    expect(kamailioAsRead(renderEdgeFiles(lab, t))).toContain('modparam("tls", "config", "tls.cfg")');
    const entrypoint = readFileSync(new URL("../../nodes/images/kamailio/entrypoint.sh", import.meta.url), "utf8");
    expect(entrypoint).toContain("exec kamailio -DD -E -u kamailio -g kamailio -f /run/umlab/kamailio.cfg");
    expect(entrypoint).toContain("setpriv --reuid=rtpengine --regid=rtpengine --init-groups");
  });
});
