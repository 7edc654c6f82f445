import { Construct } from "constructs";
import { addModelValidation, LabModelError, lit, type Problem, shown } from "./errors.js";
import { UmLab } from "./lab.js";
import { HostedVoicemailPolicy } from "./policy.js";

export type MailboxLocation = "on-premises" | "hosted";
export const MAILBOX_LOCATIONS: readonly MailboxLocation[] = ["on-premises", "hosted"];

export interface UserProps {
  /** The user's phone extension, also their mailbox number. 2 to 8 digits, unique in the lab. */
  readonly extension: string;
  /**
   * The user's SIP URI, in the lab's SIP domain.
   * @default "sip:<id>@<sipDomain>"
   */
  readonly sipUri?: string;
  /** Password for SIP digest authentication at the front end: 8 to 64 printable ASCII characters, no spaces, quotes, backslashes or ';'. */
  readonly password: string;
  /** Voice-mail PIN for subscriber access: 4 to 8 digits. */
  readonly pin: string;
  /**
   * Where the user's mailbox lives. Required in mixed mode.
   * @default "on-premises" in on-premises mode, "hosted" in cross-premises mode
   */
  readonly mailbox?: MailboxLocation;
  /**
   * Lync's -HostedVoiceMail flag (AD: msExchUCVoiceMailSettings CsHostedVoiceMail=1). When true the
   * user is routed to hosted UM whatever else is set (hosted wins, as in Lync).
   * @default true when mailbox is "hosted", false otherwise
   */
  readonly hostedVoiceMail?: boolean;
  /**
   * The site the user is homed on, for site-scoped policies.
   * @default "default"
   */
  readonly site?: string;
  /**
   * A per-user hosted voice mail policy (one created with PolicyScope.user()).
   * @default the site policy of the user's site, else the global policy, else none
   */
  readonly hostedVoicemailPolicy?: HostedVoicemailPolicy;
  /** @default the id, capitalized */
  readonly displayName?: string;
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 64;
/** Printable ASCII (no space, no control character), without '"', '\\' and ';'. */
const PASSWORD = new RegExp(`^[!#-:<-\\[\\]-~]{${PASSWORD_MIN},${PASSWORD_MAX}}$`);

/** A Lync user enabled for Exchange UM voice mail. The construct id is the user's name. */
export class User extends Construct {
  readonly name: string;
  readonly extension: string;
  readonly sipUri: string;
  readonly site: string;
  readonly displayName: string;
  /** The location as declared (may be undefined in mixed mode, which validation reports). */
  readonly declaredMailbox?: MailboxLocation;
  readonly declaredHostedVoiceMail?: boolean;
  readonly assignedPolicy?: HostedVoicemailPolicy;
  private secrets: { readonly password: string; readonly pin: string };

  constructor(scope: UmLab, id: string, props: UserProps) {
    super(scope, id);
    const who = `user ${shown(id)}`;
    if (!/^[a-z][a-z0-9._-]{0,31}$/.test(id)) {
      throw new LabModelError(
        lit`UserNameInvalid`,
        `${who}: name is invalid; allowed: 1 to 32 lowercase letters, digits, '.', '_' or '-', starting with a letter`,
      );
    }
    if (!/^[0-9]{2,8}$/.test(props.extension ?? "")) {
      throw new LabModelError(lit`UserExtensionInvalid`, `${who}: extension ${shown(props.extension)} is invalid; allowed: 2 to 8 digits`);
    }
    const sipUri = props.sipUri ?? `sip:${id}@${scope.sipDomain}`;
    const m = /^sip:([a-z0-9._-]{1,64})@([a-z0-9.-]+)$/.exec(sipUri);
    if (!m) {
      throw new LabModelError(
        lit`UserSipUriInvalid`,
        `${who}: sipUri ${shown(sipUri)} is invalid; allowed: "sip:<user>@<domain>" in lowercase, a user part of 1 to 64 characters, e.g. "sip:${id}@${scope.sipDomain}"`,
      );
    }
    if (m[2] !== scope.sipDomain) {
      throw new LabModelError(
        lit`UserSipUriOutsideDomain`,
        `${who}: sipUri ${shown(sipUri)} is outside the lab's SIP domain; allowed: "sip:<user>@${scope.sipDomain}"`,
      );
    }
    User.checkSecrets(who, props);
    if (props.displayName !== undefined && !/^[A-Za-z0-9][A-Za-z0-9 .'-]{0,39}$/.test(props.displayName)) {
      throw new LabModelError(
        lit`UserDisplayNameInvalid`,
        `${who}: displayName ${shown(props.displayName)} is invalid; allowed: 1 to 40 letters, digits, spaces, '.', "'" or '-'`,
      );
    }
    if (props.mailbox !== undefined && !MAILBOX_LOCATIONS.includes(props.mailbox)) {
      throw new LabModelError(
        lit`UserMailboxInvalid`,
        `${who}: mailbox ${shown(props.mailbox)} is invalid; allowed: "on-premises", "hosted"`,
      );
    }
    if (props.site !== undefined && !/^[a-z0-9][a-z0-9-]{0,30}$/.test(props.site)) {
      throw new LabModelError(
        lit`UserSiteInvalid`,
        `${who}: site ${shown(props.site)} is invalid; allowed: 1 to 31 lowercase letters, digits or '-'`,
      );
    }
    if (props.hostedVoicemailPolicy !== undefined) {
      if (!(props.hostedVoicemailPolicy instanceof HostedVoicemailPolicy)) {
        throw new LabModelError(
          lit`UserPolicyInvalid`,
          `${who}: hostedVoicemailPolicy is invalid; allowed: a HostedVoicemailPolicy of the same lab`,
        );
      }
      if (props.hostedVoicemailPolicy.scope.kind !== "user") {
        throw new LabModelError(
          lit`UserPolicyNotPerUser`,
          `${who}: hostedVoicemailPolicy ${shown(props.hostedVoicemailPolicy.node.id)} has scope ${shown(props.hostedVoicemailPolicy.scope.toString())}; allowed: a policy created with PolicyScope.user() (global and site policies apply by themselves)`,
        );
      }
    }
    this.name = id;
    this.extension = props.extension;
    this.sipUri = sipUri;
    this.secrets = { password: props.password, pin: props.pin };
    this.site = props.site ?? "default";
    this.displayName = props.displayName ?? id.charAt(0).toUpperCase() + id.slice(1);
    this.declaredMailbox =
      props.mailbox ?? (scope.mode === "on-premises" ? "on-premises" : scope.mode === "cross-premises" ? "hosted" : undefined);
    this.declaredHostedVoiceMail = props.hostedVoiceMail;
    this.assignedPolicy = props.hostedVoicemailPolicy;
    addModelValidation(this, () => this.check());
  }

  /**
   * Checks a password and a PIN (the constructor's rule, and the one secrets generated for Azure
   * follow). A password ends up in Kamailio's config, SIPp's injection file (fields split at ';') and
   * baresip's account line: printable ASCII only, bounded, none of the characters those quote with.
   */
  static checkSecrets(who: string, props: Pick<UserProps, "password" | "pin">): void {
    const { password, pin } = props;
    if (typeof password !== "string" || !PASSWORD.test(password)) {
      const what =
        typeof password !== "string"
          ? "missing"
          : `${password.length} characters${/[^\x20-\x7e]/.test(password) ? ", with control or non-ASCII characters" : ""}`;
      throw new LabModelError(
        lit`UserPasswordInvalid`,
        `${who}: password is invalid (${what}); allowed: ${PASSWORD_MIN} to ${PASSWORD_MAX} printable ASCII characters without spaces, quotes, backslashes or ';'`,
      );
    }
    if (!/^[0-9]{4,8}$/.test(pin ?? "")) {
      throw new LabModelError(lit`UserPinInvalid`, `${who}: pin ${shown(pin)} is invalid; allowed: 4 to 8 digits`);
    }
  }

  /** Password for SIP digest authentication at the front end. */
  get password(): string {
    return this.secrets.password;
  }

  /** Voice-mail PIN for subscriber access. */
  get pin(): string {
    return this.secrets.pin;
  }

  /**
   * Gives the user another password and PIN, under the same rules: the Azure app replaces the
   * documented local ones with secrets generated for each lab (stacks/lab-secrets.ts).
   */
  useSecrets(secrets: { readonly password: string; readonly pin: string }): void {
    User.checkSecrets(`user ${shown(this.name)}`, secrets);
    this.secrets = { password: secrets.password, pin: secrets.pin };
  }

  /** The SIP URI's user part (what the front end's registrar knows the user by). */
  get sipUser(): string {
    return this.sipUri.slice(4, this.sipUri.indexOf("@"));
  }

  /** Lync's -HostedVoiceMail flag as in force. */
  get hostedVoiceMail(): boolean {
    return this.declaredHostedVoiceMail ?? this.declaredMailbox === "hosted";
  }

  /** Where calls for this user's voice mail go: the hosted flag wins over on-premises data. */
  get mailbox(): MailboxLocation {
    return this.hostedVoiceMail ? "hosted" : (this.declaredMailbox ?? "on-premises");
  }

  /** The hosted voice mail policy that applies: per-user, else the user's site, else global. */
  get policy(): HostedVoicemailPolicy | undefined {
    if (this.assignedPolicy) return this.assignedPolicy;
    const policies = UmLab.of(this).policies;
    return policies.find((p) => p.scope.kind === "site" && p.scope.site === this.site) ?? policies.find((p) => p.scope.kind === "global");
  }

  /** The hosted UM tenant of a hosted user. */
  get tenant(): string | undefined {
    return this.mailbox === "hosted" ? this.policy?.tenant : undefined;
  }

  private check(): Problem[] {
    const lab = UmLab.of(this);
    const who = `user ${shown(this.name)}`;
    const problems: Problem[] = [];
    if (lab.mode === "mixed" && this.declaredMailbox === undefined) {
      problems.push({
        code: lit`UserMailboxNotSet`,
        message: `${who}: mailbox is not set; allowed in mode "mixed": "on-premises" or "hosted"`,
      });
    }
    if (lab.mode === "on-premises" && this.mailbox === "hosted") {
      problems.push({
        code: lit`UserMailboxNotInMode`,
        message: `${who}: mailbox "hosted" is not allowed in mode "on-premises"; allowed: "on-premises" (or choose mode "mixed")`,
      });
    }
    if (lab.mode === "cross-premises" && this.mailbox === "on-premises") {
      problems.push({
        code: lit`UserMailboxNotInMode`,
        message: `${who}: mailbox "on-premises" is not allowed in mode "cross-premises"; allowed: "hosted" (or choose mode "mixed")`,
      });
    }
    if (this.declaredMailbox === "hosted" && this.declaredHostedVoiceMail === false) {
      problems.push({
        code: lit`HostedFlagContradictsMailbox`,
        message: `${who}: hostedVoiceMail false contradicts mailbox "hosted"; allowed: true, or mailbox "on-premises"`,
      });
    }
    return [...problems, ...this.checkPolicy(lab, who)];
  }

  private checkPolicy(lab: UmLab, who: string): Problem[] {
    const problems: Problem[] = [];
    const policy = this.policy;
    if (this.hostedVoiceMail && lab.mode !== "on-premises") {
      if (!policy) {
        problems.push({
          code: lit`HostedWithoutPolicy`,
          message: `${who}: hostedVoiceMail true needs a hosted voice mail policy; none applies (allowed: a global policy, a policy for site ${shown(this.site)}, or a per-user policy)`,
        });
      } else if (!policy.destination) {
        problems.push({
          code: lit`PolicyWithoutDestination`,
          message: `${who}: policy ${shown(policy.node.id)} has no destination and cannot enable hosted voice mail; allowed: a destination FQDN served by the hosted UM`,
        });
      } else if (lab.hostedUm && policy.destination !== lab.hostedUm.fqdn) {
        problems.push({
          code: lit`PolicyDestinationNotServed`,
          message: `${who}: policy ${shown(policy.node.id)} destination ${shown(policy.destination)} is not served by this lab; allowed: ${shown(lab.hostedUm.fqdn)}`,
        });
      }
    }
    if (this.declaredHostedVoiceMail === false && policy?.destination && policy.scope.kind === "user") {
      problems.push({
        code: lit`HostedFlagContradictsPolicy`,
        message: `${who}: hostedVoiceMail false while policy ${shown(policy.node.id)} is assigned to the user; allowed: remove the policy assignment first`,
      });
    }
    return problems;
  }
}
