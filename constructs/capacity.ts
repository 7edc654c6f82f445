import { LabModelError, lit, shown } from "./errors.js";
import { Port } from "./values.js";

/**
 * Capacity that is designed, not accidental: each node that handles calls with media (the edge's
 * media relay, each UM) states how many calls it holds at once, and its RTP port range follows
 * from that number. A call over it is refused at once with `503` and a `Retry-After` of
 * {@link CAPACITY_RETRY_AFTER_SECONDS}, never left to run out of ports half-way through the setup.
 */

/** The most concurrent calls one node of the lab may be sized for. */
export const CAPACITY_MAX = 2000;

/**
 * What a caller refused at a node's capacity is told to wait before trying again: a voice-mail
 * deposit in the lab lasts seconds to tens of seconds, so a slot is usually free by then.
 */
export const CAPACITY_RETRY_AFTER_SECONDS = 10;

/** RTP and RTCP: a media session takes a pair of ports, RTP on the even one (RFC 3550). */
export const PORTS_PER_MEDIA_SESSION = 2;

/** Checks a capacity: a whole number of concurrent calls, from 1 to {@link CAPACITY_MAX}. */
export function assertCapacity(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > CAPACITY_MAX) {
    throw new LabModelError(
      lit`CapacityInvalid`,
      `${field} ${shown(value)} is invalid; allowed: an integer from 1 to ${CAPACITY_MAX} (concurrent calls)`,
    );
  }
  return value;
}

/** The UDP range of `ports` ports from `from` on: what a capacity needs by default. */
export function portRangeFor(from: number, ports: number): Port {
  return Port.udpRange(from, from + ports - 1);
}

/**
 * Checks that a media port range holds what `capacity` calls need: UDP, starting on an even port
 * (RTP even, RTCP the odd one above), at least `portsPerCall` ports per call.
 * e.g. `edge.mediaPorts udp/50000-50199 holds 200 ports; edge.capacity 100 needs 400 ...`.
 */
export function assertPortsForCapacity(
  field: string,
  ports: Port,
  capacityField: string,
  capacity: number,
  portsPerCall: number,
  why: string,
): Port {
  const needed = capacity * portsPerCall;
  const held = ports.to - ports.from + 1;
  if (ports.transport !== "udp" || ports.from % 2 !== 0 || held < needed) {
    throw new LabModelError(
      lit`MediaPortsTooFew`,
      `${field} ${ports} holds ${held} ports; ${capacityField} ${capacity} needs ${needed}; allowed: a UDP range starting on an even port with at least ${portsPerCall} ports per call (${why})`,
    );
  }
  return ports;
}

/**
 * A UM's ports per call: an RTP/RTCP pair for the caller, and one more for the call the auto
 * attendant puts through (Asterisk bridges it, so its media crosses the UM too).
 */
export const UM_PORTS_PER_CALL = 2 * PORTS_PER_MEDIA_SESSION;

/** A UM's capacity when the model does not state one. */
export const UM_DEFAULT_CAPACITY = 100;

/** A UM's calls and their ports: `capacity`, and `rtpPorts` derived from it unless given (then checked). */
export function umCapacity(
  prefix: string,
  props: { readonly capacity?: number | undefined; readonly rtpPorts?: Port | undefined },
  portsFrom: number,
): { capacity: number; rtpPorts: Port } {
  const capacity = assertCapacity(`${prefix}.capacity`, props.capacity ?? UM_DEFAULT_CAPACITY);
  const rtpPorts = assertPortsForCapacity(
    `${prefix}.rtpPorts`,
    props.rtpPorts ?? portRangeFor(portsFrom, capacity * UM_PORTS_PER_CALL),
    `${prefix}.capacity`,
    capacity,
    UM_PORTS_PER_CALL,
    "RTP and RTCP for the caller, and for the call the auto attendant puts through",
  );
  return { capacity, rtpPorts };
}
