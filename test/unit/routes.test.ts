import { describe, expect, it } from "vitest";
import {
  defaultLab,
  FrontEnd,
  HostedUm,
  HostedVoicemailPolicy,
  HostingProvider,
  KamailioEdge,
  OnPremUm,
  PolicyScope,
  topologyOf,
  UmLab,
  User,
} from "../../constructs/index.js";
import { renderFrontEndConfig } from "../../constructs/render/kamailio-frontend.js";
import { pathLabel, policyLabel, routesOf } from "../../constructs/routes.js";
import fabrikamLab from "../../examples/lab.config.mjs";

const row = (lab: UmLab, user: string) => {
  const r = routesOf(lab).users.find((u) => u.user === user);
  if (!r) throw new Error(`no route for ${user}`);
  return r;
};

describe("routing table (umlab routes)", () => {
  it("on premises: every user goes front end -> on-prem UM, with the on-prem UM's FQDN as Request-URI and no policy", () => {
    const routes = routesOf(defaultLab({ mode: "on-premises" }));
    expect(routes.users.map((u) => [u.user, pathLabel(u.path), u.requestUri, u.policy])).toEqual([
      ["alice", "front end -> on-prem UM", "sip:voicemail@um.contoso.test", undefined],
      ["bob", "front end -> on-prem UM", "sip:voicemail@um.contoso.test", undefined],
      ["carol", "front end -> on-prem UM", "sip:voicemail@um.contoso.test", undefined],
      ["dave", "front end -> on-prem UM", "sip:voicemail@um.contoso.test", undefined],
    ]);
    expect(routes.users[0]?.path.map((h) => h.via)).toEqual(["10.61.0.10:5060/udp", "10.61.0.20:5060/udp"]);
  });

  it("cross premises: the global policy applies to everyone but erin, whose per-user policy names her tenant", () => {
    const lab = defaultLab({ mode: "cross-premises" });
    expect(policyLabel(row(lab, "alice").policy)).toBe("HostedVoicemail (global)");
    expect(row(lab, "alice")).toMatchObject({
      mailbox: "hosted",
      tenant: "contoso.test",
      requestUri: "sip:voicemail@exap.um.provider.test;umlab-org=contoso.test",
      policy: { scope: "global", destination: "exap.um.provider.test", organization: "contoso.test", inUse: true },
    });
    expect(row(lab, "erin")).toMatchObject({ tenant: "fabrikam.test", policy: { name: "FabrikamVoicemail", scope: "user" } });
    expect(row(lab, "erin").path.map((h) => [h.node, h.via])).toEqual([
      ["frontend", "10.61.0.10:5060/udp"],
      ["edge", "10.61.0.30:5060/udp"],
      ["hosted-um", "10.62.0.40:5061/tls"],
    ]);
  });

  it("mixed: per user, on-prem users keep no policy and hosted users go through the edge", () => {
    const lab = defaultLab({ mode: "mixed" });
    expect(routesOf(lab).users.map((u) => [u.user, pathLabel(u.path), policyLabel(u.policy)])).toEqual([
      ["alice", "front end -> on-prem UM", "none"],
      ["bob", "front end -> on-prem UM", "none"],
      ["carol", "front end -> edge -> hosted UM", "HostedVoicemail (user)"],
      ["dave", "front end -> edge -> hosted UM", "HostedVoicemail (user)"],
      ["erin", "front end -> edge -> hosted UM", "FabrikamVoicemail (user)"],
    ]);
  });

  it("a site policy applies to the site's users; elsewhere a global one would (lab file example)", () => {
    const lab = fabrikamLab({ mode: "mixed" });
    expect(row(lab, "ben").policy).toMatchObject({ name: "CloudSite", scope: "site", site: "cloud", inUse: true });
    expect(row(lab, "ann").policy).toBeUndefined();
  });

  it("a policy that applies to an on-premises mailbox is shown as unused", () => {
    const mixed = new UmLab(undefined, "x", { mode: "mixed", sipDomain: "contoso.test" });
    new FrontEnd(mixed, "FrontEnd");
    new OnPremUm(mixed, "OnPremUm");
    const provider = new HostingProvider(mixed, "Provider", { proxyFqdn: "exap.um.provider.test" });
    new HostedUm(mixed, "HostedUm", { provider });
    new KamailioEdge(mixed, "Edge");
    new HostedVoicemailPolicy(mixed, "Global", { destination: "exap.um.provider.test" });
    new User(mixed, "ann", { extension: "2001", password: "ann-Secret1", pin: "2468", mailbox: "on-premises" });
    expect(row(mixed, "ann")).toMatchObject({ mailbox: "on-premises", policy: { name: "Global", scope: "global", inUse: false } });
  });

  it("the hosted flag wins over on-premises data, and a comma in the organization is percent-encoded", () => {
    const lab = new UmLab(undefined, "x", { mode: "mixed", sipDomain: "contoso.test" });
    new FrontEnd(lab, "FrontEnd");
    new OnPremUm(lab, "OnPremUm");
    const provider = new HostingProvider(lab, "Provider", { proxyFqdn: "exap.um.provider.test" });
    new HostedUm(lab, "HostedUm", { provider });
    new KamailioEdge(lab, "Edge");
    new HostedVoicemailPolicy(lab, "Both", {
      scope: PolicyScope.global(),
      destination: "exap.um.provider.test",
      organization: "contoso.test,fabrikam.test",
    });
    new User(lab, "ann", { extension: "2001", password: "ann-Secret1", pin: "2468", mailbox: "on-premises", hostedVoiceMail: true });
    expect(row(lab, "ann")).toMatchObject({
      mailbox: "hosted",
      hostedVoiceMail: true,
      tenant: "contoso.test",
      requestUri: "sip:voicemail@exap.um.provider.test;umlab-org=contoso.test%2Cfabrikam.test",
    });
  });

  it("says what the front end's rendered configuration routes: the same destination and organization per hosted user", () => {
    const lab = defaultLab({ mode: "mixed" });
    const cfg = renderFrontEndConfig(lab, topologyOf(lab));
    for (const u of routesOf(lab).users.filter((r) => r.mailbox === "hosted")) {
      const [, host, org] = /^sip:voicemail@([^;]+);umlab-org=(.+)$/.exec(u.requestUri) ?? [];
      const sipUser = u.sipUri.slice(4, u.sipUri.indexOf("@"));
      expect(cfg).toContain(`$sht(dest=>${sipUser}) = "${host}";`);
      expect(cfg).toContain(`$sht(org=>${sipUser}) = "${org}";`);
    }
  });

  it("contacts: number, UM, policy and the Request-URI user of their kind", () => {
    const routes = routesOf(defaultLab({ mode: "mixed" }));
    expect(routes.contacts.map((c) => [c.displayNumber, c.requestUri, policyLabel(c.policy)])).toEqual([
      ["1900", "sip:subscriber-access@um.contoso.test", "none"],
      ["1901", "sip:auto-attendant@um.contoso.test", "none"],
      ["1800", "sip:subscriber-access@exap.um.provider.test;umlab-org=contoso.test", "HostedVoicemail (user)"],
      ["1801", "sip:auto-attendant@exap.um.provider.test;umlab-org=contoso.test", "HostedVoicemail (user)"],
    ]);
  });
});
