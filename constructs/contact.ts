import { Construct } from "constructs";
import { addModelValidation, LabModelError, lit, type Problem, shown } from "./errors.js";
import { UmLab } from "./lab.js";
import type { HostedVoicemailPolicy } from "./policy.js";
import type { MailboxLocation } from "./user.js";

/** What a contact object answers as (Lync: New-CsExUmContact -AutoAttendant $true or not). */
export type ContactKind = "subscriber-access" | "auto-attendant";
export const CONTACT_KINDS: readonly ContactKind[] = ["subscriber-access", "auto-attendant"];

export interface ExUmContactProps {
  readonly kind: ContactKind;
  /** The number users dial: 3 to 15 digits, optionally with a leading '+'. Unique in the lab. */
  readonly displayNumber: string;
  /**
   * Which UM answers. Hosted contacts are Lync's ExUM contact objects and need a hosted voice mail
   * policy with a destination; on-premises ones stand for the contacts OcsUmUtil creates for an
   * on-premises UM dial plan and carry no policy.
   * @default "hosted" when the mode has a provider, else "on-premises"
   */
  readonly location?: MailboxLocation;
  /**
   * The hosted voice mail policy granted to the contact (Grant-CsHostedVoicemailPolicy).
   * @default the global policy, if any
   */
  readonly hostedVoicemailPolicy?: HostedVoicemailPolicy;
}

/** An Exchange UM contact object: the subscriber-access or auto-attendant number. */
export class ExUmContact extends Construct {
  /** The Request-URI user part the front end sends a contact's calls to, per kind. */
  static readonly PILOTS: Record<ContactKind, string> = { "subscriber-access": "subscriber-access", "auto-attendant": "auto-attendant" };

  readonly kind: ContactKind;
  readonly displayNumber: string;
  readonly location: MailboxLocation;
  private readonly assignedPolicy?: HostedVoicemailPolicy;

  constructor(scope: UmLab, id: string, props: ExUmContactProps) {
    super(scope, id);
    const who = `contact ${shown(id)}`;
    if (!CONTACT_KINDS.includes(props.kind)) {
      throw new LabModelError(
        lit`ContactKindInvalid`,
        `${who}: kind ${shown(props.kind)} is invalid; allowed: "subscriber-access", "auto-attendant"`,
      );
    }
    if (!/^\+?[0-9]{3,15}$/.test(props.displayNumber ?? "")) {
      throw new LabModelError(
        lit`ContactDisplayNumberInvalid`,
        `${who}: displayNumber ${shown(props.displayNumber)} is invalid; allowed: 3 to 15 digits, optionally with a leading '+'`,
      );
    }
    if (props.location !== undefined && props.location !== "hosted" && props.location !== "on-premises") {
      throw new LabModelError(
        lit`ContactLocationInvalid`,
        `${who}: location ${shown(props.location)} is invalid; allowed: "on-premises", "hosted"`,
      );
    }
    this.kind = props.kind;
    this.displayNumber = props.displayNumber;
    this.location = props.location ?? (scope.mode === "on-premises" ? "on-premises" : "hosted");
    this.assignedPolicy = props.hostedVoicemailPolicy;
    addModelValidation(this, () => this.check());
  }

  /** The Request-URI user part of calls to this contact. */
  get pilot(): string {
    return ExUmContact.PILOTS[this.kind];
  }

  /** The policy in force: the one granted, else the global one. */
  get policy(): HostedVoicemailPolicy | undefined {
    return this.assignedPolicy ?? UmLab.of(this).policies.find((p) => p.scope.kind === "global");
  }

  /** Hosted contacts: the tenant whose mailboxes and users the UM serves on this number. */
  get tenant(): string | undefined {
    return this.location === "hosted" ? this.policy?.tenant : undefined;
  }

  private check(): Problem[] {
    const lab = UmLab.of(this);
    const who = `contact ${shown(this.node.id)}`;
    if (this.location === "hosted") return this.checkHosted(lab, who);
    const problems: Problem[] = [];
    if (lab.mode === "cross-premises")
      problems.push({
        code: lit`ContactLocationNotInMode`,
        message: `${who}: location "on-premises" is not allowed in mode "cross-premises"; allowed: "hosted"`,
      });
    if (this.assignedPolicy)
      problems.push({
        code: lit`OnPremContactWithPolicy`,
        message: `${who}: an on-premises contact takes no hosted voice mail policy; allowed: location "hosted", or no policy`,
      });
    return problems;
  }

  private checkHosted(lab: UmLab, who: string): Problem[] {
    const problems: Problem[] = [];
    if (lab.mode === "on-premises")
      problems.push({
        code: lit`ContactLocationNotInMode`,
        message: `${who}: location "hosted" is not allowed in mode "on-premises"; allowed: "on-premises"`,
      });
    const policy = this.policy;
    if (!policy)
      problems.push({
        code: lit`HostedWithoutPolicy`,
        message: `${who}: has no hosted voice mail policy, so it would do nothing; allowed: grant it a policy with a destination (or a global policy)`,
      });
    else if (!policy.destination)
      problems.push({
        code: lit`PolicyWithoutDestination`,
        message: `${who}: policy ${shown(policy.node.id)} has no destination, so the contact would do nothing; allowed: a policy with a destination`,
      });
    else if (lab.hostedUm && policy.destination !== lab.hostedUm.fqdn)
      problems.push({
        code: lit`PolicyDestinationNotServed`,
        message: `${who}: policy ${shown(policy.node.id)} destination ${shown(policy.destination)} is not served by this lab; allowed: ${shown(lab.hostedUm.fqdn)}`,
      });
    return problems;
  }
}
