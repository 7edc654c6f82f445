import { KamailioEdge } from "./edge.js";
import { FrontEnd } from "./front-end.js";
import { type DeploymentMode, UmLab } from "./lab.js";
import { OnPremUm } from "./onprem-um.js";
import { HostedVoicemailPolicy, PolicyScope } from "./policy.js";
import { HostedUm, HostingProvider } from "./provider.js";
import { User } from "./user.js";

/** The provider's FQDN in the built-in lab (Exchange Online's was exap.um.outlook.com). */
export const DEFAULT_PROVIDER_FQDN = "exap.um.provider.test";

export interface DefaultLabOptions {
  readonly mode: DeploymentMode;
  /** @default "lab" */
  readonly id?: string;
  /** @default 8 */
  readonly noAnswerSeconds?: number;
}

/**
 * The built-in lab: domain contoso.test, provider um.provider.test, four users.
 * In mixed mode alice and bob keep on-premises mailboxes and carol and dave are hosted;
 * in the other modes every mailbox follows the mode.
 */
export function defaultLab(options: DefaultLabOptions): UmLab {
  const { mode } = options;
  const lab = new UmLab(undefined, options.id ?? "lab", { mode, sipDomain: "contoso.test" });
  new FrontEnd(lab, "FrontEnd", { noAnswerSeconds: options.noAnswerSeconds ?? 8 });
  if (mode !== "cross-premises") new OnPremUm(lab, "OnPremUm");
  let hostedPolicy: HostedVoicemailPolicy | undefined;
  if (mode !== "on-premises") {
    const provider = new HostingProvider(lab, "Provider", { proxyFqdn: DEFAULT_PROVIDER_FQDN });
    new HostedUm(lab, "HostedUm", { provider });
    new KamailioEdge(lab, "Edge");
    // Cross-premises: everyone is hosted, so one global policy. Mixed: only the hosted users carry one.
    hostedPolicy = new HostedVoicemailPolicy(lab, "HostedVoicemail", {
      scope: mode === "mixed" ? PolicyScope.user() : PolicyScope.global(),
      destination: DEFAULT_PROVIDER_FQDN,
      organization: "contoso.test",
    });
  }
  const people = [
    { name: "alice", extension: "1001", pin: "1111", mixedMailbox: "on-premises" },
    { name: "bob", extension: "1002", pin: "2222", mixedMailbox: "on-premises" },
    { name: "carol", extension: "1003", pin: "3333", mixedMailbox: "hosted" },
    { name: "dave", extension: "1004", pin: "4444", mixedMailbox: "hosted" },
  ] as const;
  for (const p of people) {
    const mailbox = mode === "mixed" ? p.mixedMailbox : undefined;
    new User(lab, p.name, {
      extension: p.extension,
      password: `${p.name}-Secret1`,
      pin: p.pin,
      ...(mailbox ? { mailbox } : {}),
      ...(mode === "mixed" && mailbox === "hosted" && hostedPolicy ? { hostedVoicemailPolicy: hostedPolicy } : {}),
    });
  }
  return lab;
}
