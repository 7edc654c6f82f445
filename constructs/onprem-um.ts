import { Construct } from "constructs";
import { umCapacity } from "./capacity.js";
import type { UmLab } from "./lab.js";
import { type MailboxLimits, type MailboxLimitsProps, mailboxLimits } from "./mailbox-limits.js";
import { assertFqdn, Port } from "./values.js";

export interface OnPremUmProps extends MailboxLimitsProps {
  /**
   * The on-premises Exchange UM server's FQDN.
   * @default "um.<sipDomain>"
   */
  readonly fqdn?: string;
  /**
   * Calls the UM takes at once (deposits, subscriber access, auto attendant together). The front
   * end refuses the next at once: `503 Voice mail at capacity` with a Retry-After.
   * @default 100
   */
  readonly capacity?: number;
  /**
   * RTP ports Asterisk uses for calls: 4 per call of `capacity` (RTP and RTCP for the caller and
   * for the call the auto attendant puts through); an explicit range too small is an error.
   * @default UDP from 10000, 4 ports per call (10000-10399 for 100 calls)
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
  /** Where the derived RTP range starts. */
  static readonly RTP_PORTS_FROM = 10000;

  readonly fqdn: string;
  /** Concurrent calls the UM takes; the next is refused with 503. */
  readonly capacity: number;
  readonly rtpPorts: Port;
  readonly mailboxLimits: MailboxLimits;

  constructor(scope: UmLab, id: string, props: OnPremUmProps = {}) {
    super(scope, id);
    this.fqdn = assertFqdn("onPremUm.fqdn", props.fqdn ?? `um.${scope.sipDomain}`);
    ({ capacity: this.capacity, rtpPorts: this.rtpPorts } = umCapacity("onPremUm", props, OnPremUm.RTP_PORTS_FROM));
    this.mailboxLimits = mailboxLimits("onPremUm", props);
  }
}
