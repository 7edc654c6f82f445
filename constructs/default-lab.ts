import { ExUmContact } from "./contact.js";
import { KamailioEdge, type KamailioEdgeProps } from "./edge.js";
import type { FloodLimit } from "./flood-limit.js";
import { FrontEnd } from "./front-end.js";
import { type AddressPlanProps, type DeploymentMode, UmLab } from "./lab.js";
import { OnPremUm, type OnPremUmProps } from "./onprem-um.js";
import { HostedVoicemailPolicy, PolicyScope } from "./policy.js";
import { HostedUm, type HostedUmProps, HostingProvider, type VerificationLevel } from "./provider.js";
import { User } from "./user.js";

/** The provider's FQDN in the built-in lab (Exchange Online's was exap.um.outlook.com). */
export const DEFAULT_PROVIDER_FQDN = "exap.um.provider.test";

export interface DefaultLabOptions {
  readonly mode: DeploymentMode;
  /**
   * The edge's props (capacity, media ports, ...), e.g. a small capacity to show its limit.
   * @default KamailioEdge's own defaults
   */
  readonly edge?: Omit<KamailioEdgeProps, "fqdn">;
  /**
   * The on-premises UM's props (capacity, RTP ports, mailbox limits).
   * @default OnPremUm's own defaults
   */
  readonly onPremUm?: Omit<OnPremUmProps, "fqdn">;
  /**
   * The hosted UM's props (capacity, RTP ports, mailbox limits).
   * @default HostedUm's own defaults
   */
  readonly hostedUm?: Omit<HostedUmProps, "provider" | "fqdn">;
  /** @default "lab" */
  readonly id?: string;
  /** @default 8 */
  readonly noAnswerSeconds?: number;
  /**
   * How the edge treats requests from the provider (Lync: -VerificationLevel); ignored on premises.
   * @default "UseSourceVerification"
   */
  readonly verificationLevel?: VerificationLevel;
  /**
   * The networks' subnets, e.g. to run several labs side by side at fixed addresses.
   * @default UmLab's own plan (corp 10.61.0.0/24, provider 10.62.0.0/24, dmz 10.63.0.0/24)
   */
  readonly addressPlan?: AddressPlanProps;
  /**
   * The front end's anti-flood limit per source address, e.g. raised for a load benchmark whose
   * one SIPp caller sends thousands of requests a second.
   * @default FloodLimit.of() — 64 requests in 2 s, then banned for 60 s
   */
  readonly frontEndFloodLimit?: FloodLimit;
}

/**
 * The built-in lab: domain contoso.test, provider exap.um.provider.test.
 * - alice, bob (1001, 1002): on-premises mailboxes in mixed mode.
 * - carol, dave (1003, 1004): hosted in tenant contoso.test in mixed mode.
 * - erin (1003 too): hosted in a second tenant, fabrikam.test, wherever there is a provider; the
 *   shared number shows that tenants do not collide (erin is dialled by name).
 * In on-premises and cross-premises modes every mailbox follows the mode.
 * Contacts: subscriber access 1900 and auto attendant 1901 on the on-prem UM; 1800 and 1801 on the
 * hosted UM (tenant contoso.test).
 */
export function defaultLab(options: DefaultLabOptions): UmLab {
  const { mode } = options;
  const lab = new UmLab(undefined, options.id ?? "lab", {
    mode,
    sipDomain: "contoso.test",
    ...(options.addressPlan && { addressPlan: options.addressPlan }),
  });
  new FrontEnd(lab, "FrontEnd", {
    noAnswerSeconds: options.noAnswerSeconds ?? 8,
    ...(options.frontEndFloodLimit && { floodLimit: options.frontEndFloodLimit }),
  });
  if (mode !== "cross-premises") {
    new OnPremUm(lab, "OnPremUm", options.onPremUm);
    new ExUmContact(lab, "OnPremSubscriberAccess", { kind: "subscriber-access", displayNumber: "1900", location: "on-premises" });
    new ExUmContact(lab, "OnPremAutoAttendant", { kind: "auto-attendant", displayNumber: "1901", location: "on-premises" });
  }
  let contoso: HostedVoicemailPolicy | undefined;
  let fabrikam: HostedVoicemailPolicy | undefined;
  if (mode !== "on-premises") {
    const provider = new HostingProvider(lab, "Provider", {
      proxyFqdn: DEFAULT_PROVIDER_FQDN,
      ...(options.verificationLevel && { verificationLevel: options.verificationLevel }),
    });
    new HostedUm(lab, "HostedUm", { ...options.hostedUm, provider });
    new KamailioEdge(lab, "Edge", options.edge);
    // Cross-premises: everyone is hosted, so one global policy. Mixed: only the hosted users carry one.
    contoso = new HostedVoicemailPolicy(lab, "HostedVoicemail", {
      scope: mode === "mixed" ? PolicyScope.user() : PolicyScope.global(),
      destination: DEFAULT_PROVIDER_FQDN,
      organization: "contoso.test",
    });
    fabrikam = new HostedVoicemailPolicy(lab, "FabrikamVoicemail", {
      scope: PolicyScope.user(),
      destination: DEFAULT_PROVIDER_FQDN,
      organization: "fabrikam.test",
    });
    new ExUmContact(lab, "HostedSubscriberAccess", { kind: "subscriber-access", displayNumber: "1800", hostedVoicemailPolicy: contoso });
    new ExUmContact(lab, "HostedAutoAttendant", { kind: "auto-attendant", displayNumber: "1801", hostedVoicemailPolicy: contoso });
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
      ...(mode === "mixed" && mailbox === "hosted" && contoso ? { hostedVoicemailPolicy: contoso } : {}),
    });
  }
  if (fabrikam) {
    new User(lab, "erin", { extension: "1003", password: "erin-Secret1", pin: "5555", mailbox: "hosted", hostedVoicemailPolicy: fabrikam });
  }
  return lab;
}
