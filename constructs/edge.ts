import { Construct } from "constructs";
import { FloodLimit } from "./flood-limit.js";
import type { UmLab } from "./lab.js";
import { assertFqdn, Port } from "./values.js";

export interface KamailioEdgeProps {
  /**
   * The Access Edge's external FQDN (the name the provider sees).
   * @default "sip.<sipDomain>"
   */
  readonly fqdn?: string;
  /**
   * The A/V edge's media relay ports (rtpengine). Lync uses 50000-59999; a lab needs fewer.
   * @default Port.udpRange(50000, 50199)
   */
  readonly mediaPorts?: Port;
  /**
   * The anti-flood limit per source address (the front end and the hosted UM are exempt).
   * @default FloodLimit.of() — 64 requests in 2 s, then banned for 60 s
   */
  readonly floodLimit?: FloodLimit;
}

/** Lync Edge: Access Edge (Kamailio, mutual TLS to the provider) and A/V Edge (rtpengine). */
export class KamailioEdge extends Construct {
  /** SIP from the front end, on the edge's internal side. */
  static readonly INTERNAL_SIP = Port.udp(5060);
  /** Federation: SIP over mutual TLS with the hosting provider. */
  static readonly FEDERATION = Port.tls(5061);

  readonly fqdn: string;
  readonly mediaPorts: Port;
  readonly floodLimit: FloodLimit;

  constructor(scope: UmLab, id: string, props: KamailioEdgeProps = {}) {
    super(scope, id);
    this.fqdn = assertFqdn("edge.fqdn", props.fqdn ?? `sip.${scope.sipDomain}`);
    this.mediaPorts = props.mediaPorts ?? Port.udpRange(50000, 50199);
    this.floodLimit = props.floodLimit ?? FloodLimit.of();
  }
}
