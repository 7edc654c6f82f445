import { Construct } from "constructs";
import type { UmLab } from "./lab.js";
import { assertFqdn, Port } from "./values.js";

export interface OnPremUmProps {
  /**
   * The on-premises Exchange UM server's FQDN.
   * @default "um.<sipDomain>"
   */
  readonly fqdn?: string;
  /**
   * RTP ports Asterisk uses for calls.
   * @default Port.udpRange(10000, 10099)
   */
  readonly rtpPorts?: Port;
}

/** On-premises Exchange UM (Asterisk): voice mail, subscriber access, auto attendant, MWI. */
export class OnPremUm extends Construct {
  static readonly SIP = Port.udp(5060);
  /** The voice-mail pilot: the user part of the Request-URI the front end sends deposits to. */
  static readonly PILOT = "voicemail";
  /** Voice-mail context (Asterisk) holding the on-premises mailboxes. */
  static readonly CONTEXT = "onprem";

  readonly fqdn: string;
  readonly rtpPorts: Port;

  constructor(scope: UmLab, id: string, props: OnPremUmProps = {}) {
    super(scope, id);
    this.fqdn = assertFqdn("onPremUm.fqdn", props.fqdn ?? `um.${scope.sipDomain}`);
    this.rtpPorts = props.rtpPorts ?? Port.udpRange(10000, 10099);
  }
}
