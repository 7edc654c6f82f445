// A lab of your own: `umlab up --mode mixed --config examples/lab.config.mts`.
// The default export is a function of the mode, so one file describes the lab in every mode.
import {
  type DeploymentMode,
  FrontEnd,
  HostedUm,
  HostedVoicemailPolicy,
  HostingProvider,
  KamailioEdge,
  OnPremUm,
  PolicyScope,
  UmLab,
  User,
} from "../constructs/index.js";

export default function fabrikamLab({ mode }: { mode: DeploymentMode }): UmLab {
  const lab = new UmLab(undefined, "fabrikam", {
    mode,
    sipDomain: "fabrikam.test",
    addressPlan: { corp: "10.71.0.0/24", provider: "10.72.0.0/24" },
  });
  new FrontEnd(lab, "FrontEnd", { noAnswerSeconds: 5 });
  if (mode !== "cross-premises") new OnPremUm(lab, "OnPremUm");
  if (mode !== "on-premises") {
    const provider = new HostingProvider(lab, "Provider", { proxyFqdn: "exap.um.hoster.test" });
    new HostedUm(lab, "HostedUm", { provider });
    new KamailioEdge(lab, "Edge");
    // Users homed on site "cloud" are hosted; in cross-premises mode everybody is.
    new HostedVoicemailPolicy(lab, "CloudSite", {
      scope: mode === "mixed" ? PolicyScope.site("cloud") : PolicyScope.global(),
      destination: "exap.um.hoster.test",
      organization: "fabrikam.test",
    });
  }
  const mixed = mode === "mixed";
  new User(lab, "ann", { extension: "2001", password: "ann-Secret1", pin: "2468", ...(mixed ? { mailbox: "on-premises" } : {}) });
  new User(lab, "ben", { extension: "2002", password: "ben-Secret1", pin: "1357", ...(mixed ? { mailbox: "hosted", site: "cloud" } : {}) });
  return lab;
}
