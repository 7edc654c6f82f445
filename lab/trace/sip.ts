import { parse as parseSdp } from "sdp-transform";
import { Core } from "sip.js";
import { ROUTING_PARAM_ORG } from "../../constructs/render/common.js";
import type { Endpoint, SipPacket } from "../capture/records.js";

/**
 * One captured SIP message, parsed by sip.js's message parser (the grammar of RFC 3261), with
 * what a ladder needs from it.
 */
export interface ParsedSip {
  readonly packet: SipPacket;
  readonly callId: string;
  readonly cseq: string;
  /** "INVITE", or for a response the method of its CSeq */
  readonly method: string;
  /** responses only */
  readonly status?: number;
  readonly firstLine: string;
  /** requests without a To tag: the first request of a dialog or a stand-alone one */
  readonly initial: boolean;
  readonly fromUser?: string;
  readonly toUser?: string;
  readonly keyHeaders: KeyHeaders;
  /** where the SDP body (if any) asks to receive audio */
  readonly media?: Endpoint;
  /** the request's originator: the address (or name) in its bottom Via, which proxies leave in place */
  readonly origin?: string;
}

/** The headers that tell the ExUM story, as they were on the wire. */
export interface KeyHeaders {
  readonly requestUri?: string;
  /** the organization parameter of the Request-URI (hosted voice mail: the tenant) */
  readonly organization?: string;
  readonly diversion?: readonly string[];
  /** Lync's edge trust mark, ms-edge-proxy-message-trust */
  readonly trust?: string;
  readonly event?: string;
  readonly messagesWaiting?: string;
  readonly voiceMessage?: string;
  readonly contentType?: string;
}

const TRUST_HEADER = "ms-edge-proxy-message-trust";

const silent = (() => {
  const factory = new Core.LoggerFactory();
  factory.builtinEnabled = false;
  return factory.getLogger("umlab.trace");
})();

/** The body's header of a simple-message-summary (RFC 3842), e.g. Messages-Waiting. */
function summaryLine(body: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\s*(.+?)\\s*$`, "mi").exec(body)?.[1];
}

function keyHeadersOf(m: Core.IncomingRequestMessage | Core.IncomingResponseMessage): KeyHeaders {
  const ruri = m instanceof Core.IncomingRequestMessage ? m.ruri : undefined;
  const organization = ruri?.getParam(ROUTING_PARAM_ORG);
  const diversion = m.getHeaders("diversion");
  const body = m.body ?? "";
  const entries: [keyof KeyHeaders, string | readonly string[] | undefined | null][] = [
    ["requestUri", ruri?.toString()],
    ["organization", organization ? decodeURIComponent(organization) : undefined],
    ["diversion", diversion.length > 0 ? diversion : undefined],
    ["trust", m.getHeader(TRUST_HEADER)],
    ["event", m.getHeader("event")],
    ["messagesWaiting", summaryLine(body, "Messages-Waiting")],
    ["voiceMessage", summaryLine(body, "Voice-Message")],
    ["contentType", m.getHeader("content-type")],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined && v !== null)) as KeyHeaders;
}

/** Where an SDP body asks to receive audio: the audio m= line's port at its (or the session's) c= address. */
export function sdpAudioEndpoint(body: string): Endpoint | undefined {
  if (!/^v=0/m.test(body)) return undefined;
  const sdp = parseSdp(body);
  const audio = sdp.media.find((m) => m.type === "audio");
  const ip = audio?.connection?.ip ?? sdp.connection?.ip;
  return audio && ip && audio.port > 0 ? { ip, port: audio.port } : undefined;
}

/** Parses one captured message; undefined when it is not a SIP message sip.js can read. */
export function parseSip(packet: SipPacket): ParsedSip | undefined {
  const m = Core.Parser.parseMessage(packet.text, silent);
  if (!m?.callId) return undefined;
  const firstLine = packet.text.slice(0, packet.text.indexOf("\r\n")).trim();
  const isRequest = m instanceof Core.IncomingRequestMessage;
  const media = m.body ? sdpAudioEndpoint(m.body) : undefined;
  const vias = m.getHeaders("via").length;
  const bottom = isRequest && vias > 0 ? (m.parseHeader("via", vias - 1) as { host?: string; received?: string } | undefined) : undefined;
  const origin = bottom?.received ?? bottom?.host;
  return {
    packet,
    callId: m.callId,
    cseq: `${m.cseq} ${m.method}`,
    method: m.method,
    ...(isRequest ? {} : { status: (m as Core.IncomingResponseMessage).statusCode }),
    firstLine,
    initial: isRequest && !m.toTag,
    ...(m.from?.uri.user ? { fromUser: m.from.uri.user } : {}),
    ...(m.to?.uri.user ? { toUser: m.to.uri.user } : {}),
    keyHeaders: keyHeadersOf(m),
    ...(media ? { media } : {}),
    ...(origin ? { origin } : {}),
  };
}

/** The user part of the first Diversion header: whose voice mail the call went to. */
export function divertedUser(headers: KeyHeaders): string | undefined {
  const first = headers.diversion?.[0];
  return first ? /sip:([^@;>]+)@/.exec(first)?.[1] : undefined;
}
