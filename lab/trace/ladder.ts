import { lit } from "../../constructs/errors.js";
import type { NodeRole, Topology } from "../../constructs/topology.js";
import { UsageError } from "../../nodes/usage-error.js";
import type { CaptureRecords, Endpoint, RtpStream, SipPacket } from "../capture/records.js";
import { divertedUser, type KeyHeaders, type ParsedSip, parseSip } from "./sip.js";

/**
 * A SIP ladder: one call across every hop of the lab, from its captures, as data that the terminal
 * and HTML renderers draw (and a report embeds).
 *
 * Correlation rule. The front end and the edge are proxies: they keep the Call-ID, so every hop
 * of a call (phone -> front end -> edge -> hosted UM, or -> on-prem UM) shares it, and the same
 * message seen by two captures (sender and receiver, or the edge's packets and its sipdump) is
 * kept once (same addresses, same bytes, within 250 ms). Legs with a new Call-ID are added when a
 * UM that took part in the call opens them as its consequence (the UM is the request's bottom
 * Via, which the proxies on the way leave in place, or else the sender of the leg's first hop):
 *  - a NOTIFY for message waiting (Event: message-summary) from that UM to the user whose mailbox
 *    the call reached (the Diversion's user, else the caller), within 30 s after the call ended
 *    and before that UM's next call;
 *  - an INVITE from that UM placed while the call was up (the auto attendant's transfer).
 * RTP is on the ladder when its addresses are those the call's SDP offered and answered, hop by
 * hop; a pair of addresses the SDP agreed on with no packet seen either way is a missing bar.
 */

export interface LadderParty {
  /** a node name (e.g. "frontend", "phone-alice"), or ip for an address outside the lab */
  readonly id: string;
  readonly role: NodeRole | "unknown";
  readonly addresses: readonly string[];
}

export interface LadderMessage {
  readonly at: number;
  readonly from: string;
  readonly to: string;
  readonly firstLine: string;
  /** "INVITE", "200 OK", ... */
  readonly label: string;
  readonly method: string;
  readonly status?: number;
  readonly callId: string;
  readonly cseq: string;
  readonly transport: string;
  readonly keyHeaders: KeyHeaders;
  readonly text: string;
  /** the captures that saw it */
  readonly seenBy: readonly string[];
}

/** RTP one way between two parties; `packets` 0 is a stream the SDP agreed on that never flowed. */
export interface LadderMedia {
  readonly from: string;
  readonly to: string;
  readonly src: Endpoint;
  readonly dst: Endpoint;
  readonly packets: number;
  /** when the SDP answer made the pair (where a missing bar is drawn) */
  readonly agreedAt: number;
  readonly firstAt?: number;
  readonly lastAt?: number;
  readonly payloadType?: number;
  readonly seenBy: readonly string[];
}

export interface Ladder {
  readonly callIds: readonly string[];
  readonly parties: readonly LadderParty[];
  readonly messages: readonly LadderMessage[];
  readonly media: readonly LadderMedia[];
  readonly startedAt: number;
  readonly endedAt: number;
  /** why each further Call-ID is on the ladder */
  readonly notes: readonly string[];
}

/** Which call: by Call-ID, by several (a check's calls), or the last call placed. */
export type CallSelector = { readonly callId: string } | { readonly callIds: readonly string[] } | { readonly last: true };

/** Raised when the capture has no call that fits the selector. */
export class CallNotFoundError extends UsageError {
  constructor(message: string) {
    super(lit`CallNotFound`, message);
  }
}

/** Messages seen twice (by the sender's and the receiver's capture) are one. */
const SAME_MESSAGE_MS = 250;
const MWI_AFTER_CALL_MS = 30_000;
/** RTP may outlast the last SIP message of a ladder by a little (a BYE crossing the last packets). */
const MEDIA_AFTER_CALL_MS = 5_000;

/**
 * One SIP message of the capture, kept once however many captures saw it, with the Call-ID it
 * belongs to. Parsing (sip.js) is done only for the messages a ladder needs: sip.js's grammar
 * takes milliseconds per message, and a lab's capture holds thousands.
 */
interface Captured {
  readonly packet: SipPacket;
  readonly callId: string;
  readonly firstLine: string;
  readonly seenBy: ReadonlySet<string>;
}

/** The Call-ID header (RFC 3261: case-insensitive name, compact form "i"), to group messages before parsing. */
const CALL_ID = /^(?:call-id|i)[ \t]*:[ \t]*(\S+)/im;

const capturedCache = new WeakMap<CaptureRecords, Captured[]>();

/** Every SIP message of a capture in time order, the same message seen by two captures kept once. */
function capturedOf(records: CaptureRecords): Captured[] {
  const cached = capturedCache.get(records);
  if (cached) return cached;
  const sorted = [...records.sip].sort((a, b) => a.at - b.at);
  const kept: (Captured & { seenBy: Set<string> })[] = [];
  const last = new Map<string, Captured & { seenBy: Set<string> }>();
  for (const p of sorted) {
    const key = `${p.src.ip}:${p.src.port}>${p.dst.ip}:${p.dst.port}|${p.text}`;
    const prev = last.get(key);
    if (prev && p.at - prev.packet.at < SAME_MESSAGE_MS) {
      prev.seenBy.add(p.capture);
      continue;
    }
    const callId = CALL_ID.exec(p.text)?.[1];
    if (!callId) continue;
    const entry = { packet: p, callId, firstLine: p.text.slice(0, p.text.indexOf("\r\n")), seenBy: new Set([p.capture]) };
    kept.push(entry);
    last.set(key, entry);
  }
  capturedCache.set(records, kept);
  return kept;
}

const parsedCache = new WeakMap<SipPacket, ParsedSip | null>();

/** sip.js's reading of a message, once per packet (a report draws many ladders from one capture). */
function parsed(c: Captured): ParsedSip | undefined {
  let p = parsedCache.get(c.packet);
  if (p === undefined) {
    p = parseSip(c.packet) ?? null;
    parsedCache.set(c.packet, p);
  }
  return p ?? undefined;
}

/** Maps addresses to the lab's nodes. */
export function partyResolver(topology: Topology): (ip: string) => { id: string; role: NodeRole | "unknown" } {
  const byIp = new Map<string, { id: string; role: NodeRole }>();
  for (const n of topology.nodes) {
    for (const ip of [...Object.values(n.addresses), n.publicAddress, n.fqdn]) if (ip) byIp.set(ip, { id: n.name, role: n.role });
  }
  return (ip) => byIp.get(ip) ?? { id: ip, role: "unknown" };
}

/**
 * A wanted Call-ID matches the wire's when equal, or when it is the part before "@" (SIPp's
 * Call-IDs are `<id>@<address>`; checks report the id).
 */
function matching(all: readonly Captured[], wanted: string): string[] {
  return [...new Set(all.filter((c) => c.callId === wanted || c.callId.startsWith(`${wanted}@`)).map((c) => c.callId))];
}

function seedCallIds(all: readonly Captured[], select: CallSelector): string[] {
  if ("callId" in select) return matching(all, select.callId);
  if ("callIds" in select) return select.callIds.flatMap((id) => matching(all, id));
  for (let i = all.length - 1; i >= 0; i--) {
    const c = all[i] as Captured;
    if (c.firstLine.startsWith("INVITE ") && parsed(c)?.initial) return [c.callId];
  }
  throw new CallNotFoundError("the capture has no call yet (no INVITE): place one, e.g. with `umlab test`");
}

type PartyOf = ReturnType<typeof partyResolver>;

/** Legs a UM of the chosen calls opened because of them (see the correlation rule above). */
function relatedLegs(all: readonly Captured[], chosen: ReadonlySet<string>, partyOf: PartyOf) {
  const found: { callId: string; note: string }[] = [];
  const firsts = new Map<string, Captured>();
  for (const c of all) if (!firsts.has(c.callId)) firsts.set(c.callId, c);
  const isUm = (ip: string) => ["onprem-um", "hosted-um"].includes(partyOf(ip).role);
  for (const callId of chosen) {
    const own = all.filter((c) => c.callId === callId);
    const [start, end] = [own[0]?.packet.at ?? 0, own.at(-1)?.packet.at ?? 0];
    const umIps = own.flatMap((c) => [c.packet.src.ip, c.packet.dst.ip]).filter(isUm);
    const ums = new Set(umIps.map((ip) => partyOf(ip).id));
    const invite = own.map(parsed).find((m) => m?.initial && m.method === "INVITE" && isUm(m.packet.dst.ip)) ?? parsed(own[0] as Captured);
    const user = (invite && divertedUser(invite.keyHeaders)) ?? invite?.fromUser;
    // The next call to the same UM for the same user: a NOTIFY after it may be that call's. Calls for
    // other users (deposits placed side by side) do not bound it.
    const userOf = (c: Captured) => {
      const m = parsed(c);
      return m && (divertedUser(m.keyHeaders) ?? m.fromUser);
    };
    const nextCall = (um: string) =>
      all.find(
        (c) =>
          partyOf(c.packet.dst.ip).id === um &&
          c.firstLine.startsWith("INVITE ") &&
          c.packet.at > end &&
          !chosen.has(c.callId) &&
          userOf(c) === user,
      )?.packet.at ?? Number.POSITIVE_INFINITY;
    for (const [other, c] of firsts) {
      const at = c.packet.at;
      if (chosen.has(other) || at < start || at > end + MWI_AFTER_CALL_MS) continue;
      const first = parsed(c);
      // The originator is the bottom Via, which stays when a provider proxy or the edge relays the
      // request; else (a Via with an address outside the lab) the sender of its first hop.
      const um = first?.initial
        ? [first.origin, c.packet.src.ip].flatMap((a) => (a ? [partyOf(a).id] : [])).find((id) => ums.has(id))
        : undefined;
      if (!first || um === undefined) continue;
      if (first.method === "INVITE" && at <= end) {
        found.push({ callId: other, note: `${other}: a call ${um} placed while ${callId} was up (a transfer)` });
      } else if (isMwiFor(first, user) && at >= end && at <= nextCall(um)) {
        found.push({ callId: other, note: `${other}: message waiting for ${user} that ${um} sent after ${callId}` });
      }
    }
  }
  return found;
}

function isMwiFor(m: ParsedSip, user: string | undefined): boolean {
  return m.method === "NOTIFY" && /message-summary/i.test(m.keyHeaders.event ?? "") && user !== undefined && m.toUser === user;
}

/** The parties in order of first appearance (the caller on the left, as sngrep draws). */
function partiesOf(messages: readonly ParsedSip[], partyOf: PartyOf, media: readonly Endpoint[]): LadderParty[] {
  const parties = new Map<string, { id: string; role: NodeRole | "unknown"; addresses: Set<string> }>();
  const add = (ip: string) => {
    const p = partyOf(ip);
    const entry = parties.get(p.id) ?? { ...p, addresses: new Set<string>() };
    entry.addresses.add(ip);
    parties.set(p.id, entry);
  };
  for (const m of messages) {
    add(m.packet.src.ip);
    add(m.packet.dst.ip);
  }
  for (const e of media) add(e.ip);
  return [...parties.values()].map((p) => ({ id: p.id, role: p.role, addresses: [...p.addresses] }));
}

function toLadderMessage(m: ParsedSip, seenBy: ReadonlySet<string>, partyOf: PartyOf): LadderMessage {
  const label = m.status !== undefined ? m.firstLine.replace(/^SIP\/2\.0\s+/, "") : m.method;
  const via = /^Via:\s*SIP\/2\.0\/(\w+)/im.exec(m.packet.text)?.[1] ?? "UDP";
  return {
    at: m.packet.at,
    from: partyOf(m.packet.src.ip).id,
    to: partyOf(m.packet.dst.ip).id,
    firstLine: m.firstLine,
    label,
    method: m.method,
    ...(m.status !== undefined ? { status: m.status } : {}),
    callId: m.callId,
    cseq: m.cseq,
    transport: via.toUpperCase(),
    keyHeaders: m.keyHeaders,
    text: m.packet.text,
    seenBy: [...seenBy],
  };
}

/**
 * The ladder of one call (with the legs it caused) from a lab's capture. Throws CallNotFoundError
 * when the selected Call-IDs are not in the capture.
 */
export function ladderOf(records: CaptureRecords, topology: Topology, select: CallSelector): Ladder {
  const all = capturedOf(records);
  const partyOf = partyResolver(topology);
  const chosen = new Set(seedCallIds(all, select));
  if (chosen.size === 0) {
    const wanted = "callId" in select ? [select.callId] : "callIds" in select ? select.callIds : [];
    throw new CallNotFoundError(
      `no SIP message with Call-ID ${wanted.join(", ") || "(none given)"} in the capture of lab ${topology.instance}`,
    );
  }
  const notes: string[] = [];
  for (let round = 0; round < 3; round++) {
    const more = relatedLegs(all, chosen, partyOf).filter((l) => !chosen.has(l.callId));
    if (more.length === 0) break;
    for (const l of more) {
      chosen.add(l.callId);
      notes.push(l.note);
    }
  }
  const own = all.flatMap((c) => {
    const m = chosen.has(c.callId) ? parsed(c) : undefined;
    return m ? [{ m, seenBy: c.seenBy }] : [];
  });
  const media = mediaOf(
    own.map((o) => o.m),
    records.rtp,
    partyOf,
  );
  const messages = own.map((o) => toLadderMessage(o.m, o.seenBy, partyOf));
  return {
    callIds: [...chosen],
    parties: partiesOf(
      own.map((o) => o.m),
      partyOf,
      media.flatMap((s) => [s.src, s.dst]),
    ),
    messages,
    media,
    startedAt: messages[0]?.at ?? 0,
    endedAt: Math.max(messages.at(-1)?.at ?? 0, ...media.map((s) => s.lastAt ?? 0)),
    notes: [...notes, ...(records.unread ?? []).map((u) => `not on this ladder: ${u}`)],
  };
}

const key = (e: Endpoint) => `${e.ip}:${e.port}`;

/**
 * The media pairs the SDP agreed on, hop by hop (an offer in a request, its answer in a response
 * going back over the same hop), and the RTP seen between them, both ways.
 */
function mediaOf(messages: readonly ParsedSip[], rtp: readonly RtpStream[], partyOf: PartyOf): LadderMedia[] {
  const pairs = new Map<string, [Endpoint, Endpoint, number]>();
  for (const offer of messages) {
    if (offer.status !== undefined || !offer.media) continue;
    const answer = messages.find(
      (r) =>
        r.status !== undefined &&
        r.media &&
        r.callId === offer.callId &&
        r.packet.src.ip === offer.packet.dst.ip &&
        r.packet.dst.ip === offer.packet.src.ip &&
        r.packet.at >= offer.packet.at,
    );
    if (!answer?.media) continue;
    const pair: [Endpoint, Endpoint, number] = [offer.media, answer.media, answer.packet.at];
    const id = [key(pair[0]), key(pair[1])].sort().join("~");
    if (!pairs.has(id)) pairs.set(id, pair);
  }
  const window = [messages[0]?.packet.at ?? 0, messages.at(-1)?.packet.at ?? 0] as const;
  return [...pairs.values()].flatMap(([a, b, at]) => [
    streamBetween([a, b], at, rtp, partyOf, window),
    streamBetween([b, a], at, rtp, partyOf, window),
  ]);
}

function streamBetween(
  [src, dst]: readonly [Endpoint, Endpoint],
  agreedAt: number,
  rtp: readonly RtpStream[],
  partyOf: PartyOf,
  window: readonly [number, number],
): LadderMedia {
  const seen = rtp.filter(
    (s) => key(s.src) === key(src) && key(s.dst) === key(dst) && s.lastAt >= window[0] && s.firstAt <= window[1] + MEDIA_AFTER_CALL_MS,
  );
  // Per capture, every SSRC counts (DTMF events may come under their own); the capture that saw most tells.
  const perCapture = new Map<string, number>();
  for (const s of seen) perCapture.set(s.capture, (perCapture.get(s.capture) ?? 0) + s.packets);
  return {
    from: partyOf(src.ip).id,
    to: partyOf(dst.ip).id,
    src,
    dst,
    packets: Math.max(0, ...perCapture.values()),
    agreedAt,
    ...(seen.length > 0
      ? {
          firstAt: Math.min(...seen.map((s) => s.firstAt)),
          lastAt: Math.max(...seen.map((s) => s.lastAt)),
          payloadType: seen[0]?.payloadType,
        }
      : {}),
    seenBy: [...perCapture.keys()],
  };
}
