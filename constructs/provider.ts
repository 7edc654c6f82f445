import { Construct } from "constructs";
import { umCapacity } from "./capacity.js";
import { LabModelError, lit, shown } from "./errors.js";
import type { UmLab } from "./lab.js";
import { type MailboxLimits, type MailboxLimitsProps, mailboxLimits } from "./mailbox-limits.js";
import { assertFqdn, Port } from "./values.js";

/** How the edge treats requests from the provider (Lync: -VerificationLevel). */
export type VerificationLevel = "UseSourceVerification" | "AlwaysVerifiable" | "AlwaysUnverifiable";
export const VERIFICATION_LEVELS: readonly VerificationLevel[] = ["UseSourceVerification", "AlwaysVerifiable", "AlwaysUnverifiable"];

export interface HostingProviderProps {
  /** The provider's SIP proxy FQDN (Lync: -ProxyFqdn), e.g. "exap.um.provider.test". */
  readonly proxyFqdn: string;
  /**
   * The enterprise and the provider share the SIP domain (split domain).
   * @default true
   */
  readonly enabledSharedAddressSpace?: boolean;
  /**
   * Whether the provider hosts Lync users; for hosted Exchange UM it does not.
   * @default false
   */
  readonly hostsOcsUsers?: boolean;
  /** @default "UseSourceVerification" */
  readonly verificationLevel?: VerificationLevel;
}

/** The hosting provider entry on the edge (Lync: New-CsHostingProvider). */
export class HostingProvider extends Construct {
  readonly proxyFqdn: string;
  readonly enabledSharedAddressSpace: boolean;
  readonly hostsOcsUsers: boolean;
  readonly verificationLevel: VerificationLevel;

  constructor(scope: UmLab, id: string, props: HostingProviderProps) {
    super(scope, id);
    this.proxyFqdn = assertFqdn("hostingProvider.proxyFqdn", props.proxyFqdn);
    this.enabledSharedAddressSpace = props.enabledSharedAddressSpace ?? true;
    this.hostsOcsUsers = props.hostsOcsUsers ?? false;
    this.verificationLevel = props.verificationLevel ?? "UseSourceVerification";
    if (!VERIFICATION_LEVELS.includes(this.verificationLevel)) {
      throw new LabModelError(
        lit`ProviderVerificationLevelInvalid`,
        `hostingProvider.verificationLevel ${shown(props.verificationLevel)} is invalid; allowed: ${VERIFICATION_LEVELS.map((v) => `"${v}"`).join(", ")}`,
      );
    }
    if (this.enabledSharedAddressSpace !== true) {
      throw new LabModelError(
        lit`ProviderSharedAddressSpaceDisabled`,
        "hostingProvider.enabledSharedAddressSpace false is invalid; allowed: true (hosted Exchange UM needs a shared SIP address space)",
      );
    }
    if (this.hostsOcsUsers !== false) {
      throw new LabModelError(
        lit`ProviderHostsLyncUsers`,
        "hostingProvider.hostsOcsUsers true is invalid; allowed: false (a hosted Exchange UM provider hosts no Lync users)",
      );
    }
  }
}

export interface HostedUmProps extends MailboxLimitsProps {
  /** The provider entry the hosted UM sits behind; its proxyFqdn is where the edge sends SIP. */
  readonly provider: HostingProvider;
  /**
   * The hosted UM service FQDN that policies name as destination.
   * @default the provider's proxyFqdn
   */
  readonly fqdn?: string;
  /**
   * Calls the hosted UM takes at once, every tenant together. The provider's SIP proxy refuses the
   * next at once: `503 Hosted voice mail at capacity` with a Retry-After, back through the edge.
   * @default 100
   */
  readonly capacity?: number;
  /**
   * RTP ports Asterisk uses for calls: 4 per call of `capacity` (RTP and RTCP for the caller and
   * for the call the auto attendant puts through); an explicit range too small is an error.
   * @default UDP from 20000, 4 ports per call (20000-20399 for 100 calls)
   */
  readonly rtpPorts?: Port;
}

/** Hosted Exchange UM at the service provider (Asterisk), multi-tenant by organization. */
export class HostedUm extends Construct {
  static readonly SIP_TLS = Port.tls(5061);
  static readonly PILOT = "voicemail";
  /** Where the derived RTP range starts. */
  static readonly RTP_PORTS_FROM = 20000;

  readonly provider: HostingProvider;
  readonly fqdn: string;
  /** Concurrent calls the hosted UM takes; the next is refused with 503. */
  readonly capacity: number;
  readonly rtpPorts: Port;
  readonly mailboxLimits: MailboxLimits;

  constructor(scope: UmLab, id: string, props: HostedUmProps) {
    super(scope, id);
    if (!(props.provider instanceof HostingProvider)) {
      throw new LabModelError(
        lit`HostedUmProviderInvalid`,
        `hostedUm.provider ${shown(String(props.provider))} is invalid; allowed: a HostingProvider of the same lab`,
      );
    }
    this.provider = props.provider;
    this.fqdn = assertFqdn("hostedUm.fqdn", props.fqdn ?? props.provider.proxyFqdn);
    if (this.fqdn !== props.provider.proxyFqdn) {
      // The edge routes to the provider's proxy FQDN; in umlab the hosted UM is that proxy.
      throw new LabModelError(
        lit`HostedUmFqdnMismatch`,
        `hostedUm.fqdn ${shown(this.fqdn)} differs from hostingProvider.proxyFqdn ${shown(props.provider.proxyFqdn)}; allowed: the same FQDN (the hosted UM is the provider's SIP proxy)`,
      );
    }
    ({ capacity: this.capacity, rtpPorts: this.rtpPorts } = umCapacity("hostedUm", props, HostedUm.RTP_PORTS_FROM));
    this.mailboxLimits = mailboxLimits("hostedUm", props);
  }
}
