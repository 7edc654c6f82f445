import { Construct } from "constructs";
import { LabModelError, lit, shown } from "./errors.js";
import type { UmLab } from "./lab.js";
import { assertFqdn } from "./values.js";

/** Where a hosted voice mail policy applies; the most specific wins (user, then site, then global). */
export class PolicyScope {
  static global(): PolicyScope {
    return new PolicyScope("global");
  }
  static site(name: string): PolicyScope {
    if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(name ?? "")) {
      throw new LabModelError(
        lit`PolicyScopeSiteInvalid`,
        `policy scope site ${shown(name)} is invalid; allowed: 1 to 31 lowercase letters, digits or '-'`,
      );
    }
    return new PolicyScope("site", name);
  }
  /** Applies only to users that name the policy in their `hostedVoicemailPolicy` prop. */
  static user(): PolicyScope {
    return new PolicyScope("user");
  }
  private constructor(
    readonly kind: "global" | "site" | "user",
    readonly site?: string,
  ) {}
  toString(): string {
    return this.kind === "site" ? `site:${this.site}` : this.kind;
  }
}

/** Bounds of a policy's organization value (comma-separated tenant domains). */
export const ORGANIZATION_MAX_DOMAINS = 8;
export const ORGANIZATION_MAX_LENGTH = 255;

export interface HostedVoicemailPolicyProps {
  /** @default PolicyScope.global() */
  readonly scope?: PolicyScope;
  /**
   * FQDN of the hosted UM service (Exchange Online used exap.um.outlook.com).
   * A policy without one cannot enable anybody for hosted voice mail.
   * @default none
   */
  readonly destination?: string;
  /**
   * Comma-separated tenant domains; the first is the tenant whose mailboxes the hosted UM uses.
   * At most 8 domains and 255 characters.
   * @default the lab's SIP domain
   */
  readonly organization?: string;
}

/** Lync's hosted voice mail policy (New-CsHostedVoicemailPolicy). */
export class HostedVoicemailPolicy extends Construct {
  readonly scope: PolicyScope;
  readonly destination?: string;
  readonly organizations: readonly string[];

  constructor(scope: UmLab, id: string, props: HostedVoicemailPolicyProps = {}) {
    super(scope, id);
    this.scope = props.scope ?? PolicyScope.global();
    if (props.destination !== undefined) this.destination = assertFqdn(`policy ${shown(id)}: destination`, props.destination);
    const org = props.organization ?? scope.sipDomain;
    // It travels in every hosted INVITE's Request-URI (URI-escaped) and in the front end's tables.
    if (typeof org !== "string" || org.length > ORGANIZATION_MAX_LENGTH || org.split(",").length > ORGANIZATION_MAX_DOMAINS) {
      throw new LabModelError(
        lit`PolicyOrganizationTooLong`,
        `policy ${shown(id)}: organization is too long (${typeof org === "string" ? `${org.length} characters, ${org.split(",").length} domains` : "not a string"}); allowed: at most ${ORGANIZATION_MAX_DOMAINS} domains and ${ORGANIZATION_MAX_LENGTH} characters`,
      );
    }
    this.organizations = org.split(",").map((d) => d.trim());
    if (this.organizations.length === 0 || this.organizations.some((d) => d === "")) {
      throw new LabModelError(
        lit`PolicyOrganizationInvalid`,
        `policy ${shown(id)}: organization ${shown(org)} is invalid; allowed: comma-separated tenant domains, e.g. "contoso.test,fabrikam.test"`,
      );
    }
    for (const d of this.organizations) assertFqdn(`policy ${shown(id)}: organization domain`, d);
  }

  /** The tenant the hosted UM files this policy's users under. */
  get tenant(): string {
    return this.organizations[0] as string;
  }

  /** The organization value as written into the Request-URI (commas kept, escaped there). */
  get organization(): string {
    return this.organizations.join(",");
  }
}
