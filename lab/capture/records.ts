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
}

/** tshark's fields for SIP messages, in this order. ICMP errors quoting a SIP packet are not messages. */
export const SIP_FIELDS = ["frame.time_epoch", "ip.src", "udp.srcport", "ip.dst", "udp.dstport", "udp.payload"] as const;
export const SIP_FILTER = "sip && udp && !icmp";
/** tshark's fields for RTP packets; RTP is found by heuristics, since the SDP of TLS legs is not in every capture. */
export const RTP_FIELDS = ["frame.time_epoch", "ip.src", "udp.srcport", "ip.dst", "udp.dstport", "rtp.ssrc", "rtp.p_type"] as const;
export const RTP_FILTER = "rtp && !rtcp && !icmp && !sip";

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

/** SIP messages from tshark's SIP_FIELDS lines; lines that are not whole are skipped. */
export function parseSipFields(output: string, capture: string): SipPacket[] {
  const out: SipPacket[] = [];
  for (const line of output.split("\n")) {
    const [time, srcIp, srcPort, dstIp, dstPort, hex] = line.split("\t");
    if (!time || !srcIp || !dstIp || !hex || !/^[0-9a-f]+$/i.test(hex.trim())) continue;
    out.push({
      at: epochMs(time),
      src: { ip: srcIp, port: Number(srcPort) },
      dst: { ip: dstIp, port: Number(dstPort) },
      text: Buffer.from(hex.trim(), "hex").toString("utf8"),
      capture,
    });
  }
  return out;
}

/** RTP streams from tshark's RTP_FIELDS lines: packets counted per source, destination and SSRC. */
export function parseRtpFields(output: string, capture: string): RtpStream[] {
  const streams = new Map<string, { -readonly [K in keyof RtpStream]: RtpStream[K] }>();
  for (const line of output.split("\n")) {
    const [time, srcIp, srcPort, dstIp, dstPort, ssrc, pt] = line.split("\t");
    if (!time || !srcIp || !dstIp || !ssrc) continue;
    const at = epochMs(time);
    const key = `${srcIp}:${srcPort}>${dstIp}:${dstPort}#${ssrc}`;
    const s = streams.get(key);
    if (s) {
      s.packets++;
      s.firstAt = Math.min(s.firstAt, at);
      s.lastAt = Math.max(s.lastAt, at);
      continue;
    }
    streams.set(key, {
      src: { ip: srcIp, port: Number(srcPort) },
      dst: { ip: dstIp, port: Number(dstPort) },
      ssrc,
      payloadType: Number(pt?.trim() ?? -1),
      packets: 1,
      firstAt: at,
      lastAt: at,
      capture,
    });
  }
  return [...streams.values()];
}
