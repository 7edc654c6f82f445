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

/** RTP payload type of telephone-event in umlab's SDP (a=rtpmap:101 telephone-event/8000). */
export const TELEPHONE_EVENT_PT = 101;
const DTMF_EVENTS = "0123456789*#";

/** One key press: the digit and when it starts, in ms after the call is answered. */
export interface KeyPress {
  readonly digit: string;
  readonly atMs: number;
}

/** Key presses for a string of digits: the first at `startMs`, then one every `everyMs`. */
export function keyPresses(digits: string, startMs: number, everyMs = 250): KeyPress[] {
  return [...digits].map((digit, i) => ({ digit, atMs: startMs + i * everyMs }));
}

/**
 * A pcap of a phone keying digits: PCMU silence every 20 ms from the moment of answer (so SIPp,
 * which replays relative to the first packet, keeps the delays), and per key 100 ms of RFC 4733
 * telephone-event packets (marker on the first) then the end packet three times, in place of audio.
 */
export function dtmfPcap(presses: readonly KeyPress[], tailMs = 500): Buffer {
  const packets: RtpPacket[] = [];
  const busy: [number, number][] = [];
  const steps = 5;
  for (const { digit, atMs } of presses) {
    const event = DTMF_EVENTS.indexOf(digit);
    if (event < 0 || digit.length !== 1) throw new Error(`digit ${JSON.stringify(digit)} is not a DTMF key; allowed: 0-9, *, #`);
    const start = Math.round(atMs / PTIME_MS) * PTIME_MS;
    const timestamp = (start * SAMPLE_RATE) / 1000;
    for (let i = 1; i <= steps + 3; i++) {
      const end = i > steps;
      const duration = Math.min(i, steps) * SAMPLES_PER_PACKET;
      const payload = Buffer.from([event, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);
      packets.push({
        pt: TELEPHONE_EVENT_PT,
        marker: i === 1,
        timestamp,
        payload,
        atMs: start + (Math.min(i, steps) - 1) * PTIME_MS + (end ? i - steps : 0),
      });
    }
    busy.push([start, start + steps * PTIME_MS]);
  }
  const last = Math.max(0, ...busy.map(([, e]) => e)) + tailMs;
  const silence = Buffer.alloc(SAMPLES_PER_PACKET, 0xff);
  for (let t = 0; t <= last; t += PTIME_MS) {
    if (busy.some(([a, b]) => t >= a && t < b)) continue;
    packets.push({ pt: 0, marker: t === 0, timestamp: (t * SAMPLE_RATE) / 1000, payload: silence, atMs: t });
  }
  return pcapOf(packets.sort((a, b) => a.atMs - b.atMs));
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
