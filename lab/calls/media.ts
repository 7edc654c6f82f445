import { mulaw, SAMPLE_RATE, sineSamples } from "../../constructs/render/audio.js";

/** The caller's test tone: what a deposit must contain. 1004 Hz is the classic milliwatt test tone. */
export const TEST_TONE_HZ = 1004;

const PTIME_MS = 20;
const SAMPLES_PER_PACKET = (SAMPLE_RATE * PTIME_MS) / 1000;

/** One RTP packet for a pcap: payload type, marker, timestamp offset and payload. */
interface RtpPacket {
  readonly pt: number;
  readonly marker?: boolean;
  readonly timestamp: number;
  readonly payload: Buffer;
  /** capture time in ms from the start */
  readonly atMs: number;
}

/**
 * A pcap file of G.711 mu-law RTP carrying a sine tone, for SIPp's play_pcap_audio (which replays
 * the UDP payloads towards the media address of the answer, keeping the pcap's timing).
 */
export function tonePcap(hz: number, seconds: number): Buffer {
  const samples = sineSamples(hz, seconds, 0.3);
  const packets: RtpPacket[] = [];
  for (let i = 0; i + SAMPLES_PER_PACKET <= samples.length; i += SAMPLES_PER_PACKET) {
    const payload = Buffer.alloc(SAMPLES_PER_PACKET);
    for (let j = 0; j < SAMPLES_PER_PACKET; j++) payload[j] = mulaw(samples[i + j] as number);
    packets.push({ pt: 0, marker: i === 0, timestamp: i, payload, atMs: (i / SAMPLE_RATE) * 1000 });
  }
  return pcapOf(packets);
}

function pcapOf(packets: readonly RtpPacket[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16); // snaplen
  header.writeUInt32LE(1, 20); // Ethernet
  const ssrc = 0x756d6c62; // "umlb"
  const records = packets.map((p, seq) => {
    const rtp = Buffer.alloc(12);
    rtp[0] = 0x80;
    rtp[1] = (p.marker ? 0x80 : 0) | p.pt;
    rtp.writeUInt16BE(seq & 0xffff, 2);
    rtp.writeUInt32BE(p.timestamp >>> 0, 4);
    rtp.writeUInt32BE(ssrc, 8);
    const udpPayload = Buffer.concat([rtp, p.payload]);
    const frame = ethernetIpv4Udp(udpPayload);
    const rec = Buffer.alloc(16);
    const usec = Math.round(p.atMs * 1000);
    rec.writeUInt32LE(Math.floor(usec / 1e6), 0);
    rec.writeUInt32LE(usec % 1e6, 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, frame]);
  });
  return Buffer.concat([header, ...records]);
}

/** Wraps a UDP payload in Ethernet/IPv4/UDP headers (documentation addresses; SIPp rewrites them). */
function ethernetIpv4Udp(payload: Buffer): Buffer {
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x0800, 12);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 8 + payload.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  Buffer.from([192, 0, 2, 1]).copy(ip, 12);
  Buffer.from([192, 0, 2, 2]).copy(ip, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(40000, 0);
  udp.writeUInt16BE(40002, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([eth, ip, udp, payload]);
}
