/**
 * What a capture holds once decoded: SIP messages with their addresses and time, and RTP streams
 * with their packet counts. The decoding is tshark's (Wireshark's dissectors, run inside the lab's
 * own image); this module only reads tshark's field output, so it needs no Docker.
 */

export interface Endpoint {
  readonly ip: string;
  readonly port: number;
}

/** One SIP message as one capture saw it. */
export interface SipPacket {
  /** milliseconds since the epoch */
  readonly at: number;
  readonly src: Endpoint;
  readonly dst: Endpoint;
  /** the whole message as sent */
  readonly text: string;
  /** the capture it comes from, e.g. "frontend", "edge-sip" */
  readonly capture: string;
}

/** One RTP stream (one SSRC from one address to another) as one capture saw it. */
export interface RtpStream {
  readonly src: Endpoint;
  readonly dst: Endpoint;
  readonly ssrc: string;
  readonly payloadType: number;
  readonly packets: number;
  readonly firstAt: number;
  readonly lastAt: number;
  readonly capture: string;
}

export interface CaptureRecords {
  readonly sip: readonly SipPacket[];
  readonly rtp: readonly RtpStream[];
  /** Recordings that could not be read, and why (e.g. "edge-sip: the edge is not running"). */
  readonly unread?: readonly string[];
}

/**
 * tshark's fields for one pass over a capture, in this order: SIP messages (the payload is the
 * message) and RTP packets (with an SSRC). RTP is found by heuristics, since the SDP of TLS legs is
 * not in every capture; ICMP errors quoting a packet are neither.
 */
export const CAPTURE_FIELDS = [
  "frame.time_epoch",
  "ip.src",
  "udp.srcport",
  "ip.dst",
  "udp.dstport",
  "rtp.ssrc",
  "rtp.p_type",
  "udp.payload",
] as const;
export const CAPTURE_FILTER = "((sip && udp) || (rtp && !rtcp)) && !icmp";

/** The tshark arguments that print `fields` of the packets matching `filter`, one line each, tab-separated. */
export function tsharkFieldArgs(file: string, filter: string, fields: readonly string[]): string[] {
  return [
    "tshark",
    "-r",
    file,
    "-n",
    "-o",
    "rtp.heuristic_rtp:TRUE",
    "-Y",
    filter,
    "-T",
    "fields",
    "-E",
    "separator=/t",
    "-E",
    "occurrence=f",
    ...fields.flatMap((f) => ["-e", f]),
  ];
}

function epochMs(s: string): number {
  return Math.round(Number(s) * 1000 * 1000) / 1000;
}

type MutableStream = { -readonly [K in keyof RtpStream]: RtpStream[K] };

/** Counts one RTP packet into its stream (per source, destination and SSRC). */
function countRtp(streams: Map<string, MutableStream>, p: Omit<RtpStream, "packets" | "firstAt" | "lastAt">, at: number): void {
  const key = `${p.src.ip}:${p.src.port}>${p.dst.ip}:${p.dst.port}#${p.ssrc}`;
  const s = streams.get(key);
  if (!s) {
    streams.set(key, { ...p, packets: 1, firstAt: at, lastAt: at });
    return;
  }
  s.packets++;
  s.firstAt = Math.min(s.firstAt, at);
  s.lastAt = Math.max(s.lastAt, at);
}

/** SIP messages and RTP streams from tshark's CAPTURE_FIELDS lines; lines that are not whole are skipped. */
export function parseCaptureFields(output: string, capture: string): CaptureRecords {
  const sip: SipPacket[] = [];
  const streams = new Map<string, MutableStream>();
  for (const line of output.split("\n")) {
    const [time, srcIp, srcPort, dstIp, dstPort, ssrc, pt, hex] = line.split("\t");
    if (!time || !srcIp || !dstIp) continue;
    const src = { ip: srcIp, port: Number(srcPort) };
    const dst = { ip: dstIp, port: Number(dstPort) };
    if (ssrc) {
      countRtp(streams, { src, dst, ssrc, payloadType: Number(pt || -1), capture }, epochMs(time));
    } else if (hex && /^[0-9a-f]+$/i.test(hex.trim())) {
      sip.push({ at: epochMs(time), src, dst, text: Buffer.from(hex.trim(), "hex").toString("utf8"), capture });
    }
  }
  return { sip, rtp: [...streams.values()] };
}
