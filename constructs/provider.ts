import { Construct } from "constructs";
import { LabModelError, lit, shown } from "./errors.js";
import type { UmLab } from "./lab.js";
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

export interface HostedUmProps {
  /** The provider entry the hosted UM sits behind; its proxyFqdn is where the edge sends SIP. */
  readonly provider: HostingProvider;
  /**
   * The hosted UM service FQDN that policies name as destination.
   * @default the provider's proxyFqdn
   */
  readonly fqdn?: string;
  /**
   * RTP ports Asterisk uses for calls.
   * @default Port.udpRange(20000, 20099)
   */
  readonly rtpPorts?: Port;
}

/** Hosted Exchange UM at the service provider (Asterisk), multi-tenant by organization. */
export class HostedUm extends Construct {
  static readonly SIP_TLS = Port.tls(5061);
  static readonly PILOT = "voicemail";

  readonly provider: HostingProvider;
  readonly fqdn: string;
  readonly rtpPorts: Port;

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
    this.rtpPorts = props.rtpPorts ?? Port.udpRange(20000, 20099);
  }
}
