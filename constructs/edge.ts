import { Construct } from "constructs";
import { assertCapacity, assertPortsForCapacity, PORTS_PER_MEDIA_SESSION, portRangeFor } from "./capacity.js";
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
   * Calls whose media the A/V edge relays at once (rtpengine), both directions together. The
   * next call is refused at once: `503 Media relay at capacity` with a Retry-After.
   * @default 100
   */
  readonly capacity?: number;
  /**
   * The A/V edge's media relay ports (rtpengine), on each side's address. Lync uses 50000-59999;
   * a lab needs fewer. Each call takes {@link KamailioEdge.PORTS_PER_CALL} of the range (an
   * RTP/RTCP pair per side); an explicit range too small for `capacity` is an error.
   * @default UDP from 50000, 2 ports per call of `capacity` (50000-50199 for 100 calls)
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
  /** Where the derived media range starts (Lync's A/V Edge range starts there too). */
  static readonly MEDIA_PORTS_FROM = 50000;
  /**
   * rtpengine anchors each call in two legs, one per side (corporate, provider), and gives each
   * leg an RTP/RTCP port pair on that side's address: four sockets per call, but each address
   * draws its pairs from the range on its own (measured: two calls held 50000-50003 on both
   * addresses), so a call takes two ports of the range. Released ports are free at once: the relay
   * keeps no deleted call (its delete delay is set to 0, renderRtpengineConfig).
   */
  static readonly PORTS_PER_CALL = PORTS_PER_MEDIA_SESSION;
  static readonly DEFAULT_CAPACITY = 100;

  readonly fqdn: string;
  /** Concurrent calls the A/V edge relays; the next is refused with 503. */
  readonly capacity: number;
  readonly mediaPorts: Port;
  readonly floodLimit: FloodLimit;

  constructor(scope: UmLab, id: string, props: KamailioEdgeProps = {}) {
    super(scope, id);
    this.fqdn = assertFqdn("edge.fqdn", props.fqdn ?? `sip.${scope.sipDomain}`);
    this.capacity = assertCapacity("edge.capacity", props.capacity ?? KamailioEdge.DEFAULT_CAPACITY);
    const needed = this.capacity * KamailioEdge.PORTS_PER_CALL;
    this.mediaPorts = assertPortsForCapacity(
      "edge.mediaPorts",
      props.mediaPorts ?? portRangeFor(KamailioEdge.MEDIA_PORTS_FROM, needed),
      "edge.capacity",
      this.capacity,
      KamailioEdge.PORTS_PER_CALL,
      "RTP and RTCP of a call's leg on each side, each side's address drawing from the range",
    );
    this.floodLimit = props.floodLimit ?? FloodLimit.of();
  }
}
