/**
 * Unusual and broken SIP of our own, in the three categories of RFC 4475 ("SIP Torture Test
 * Messages"): valid messages with odd syntax, invalid syntax, and transaction or application-layer
 * oddities. None is copied from the RFC. Each is addressed to one server of the lab (its address,
 * port and transport) from one of the lab's own containers; the Request-URI user, "robustness", is
 * nobody's, so no message rings a phone or reaches a mailbox.
 */

export type TortureCategory = "valid-odd" | "invalid" | "transaction";

export interface TortureCase {
  readonly name: string;
  readonly category: TortureCategory;
  readonly message: Buffer;
}

/** Where the messages go, and who they say they come from. */
export interface SipPeer {
  /** the server's address and port */
  readonly ip: string;
  readonly port: number;
  readonly transport: "UDP" | "TCP";
  /** the lab's SIP domain */
  readonly domain: string;
  /** the sending container's address (Via, Contact) */
  readonly sender: string;
}

/** The Request-URI user of every message: no user, contact or pilot of the lab has it. */
export const NOBODY = "robustness";

const CRLF = "\r\n";

/** A request's lines as a well-formed message would have them, for a case to bend. */
function requestLines(p: SipPeer, method: string, id: string, extra: readonly string[] = []): string[] {
  return [
    `${method} sip:${NOBODY}@${p.domain} SIP/2.0`,
    `Via: SIP/2.0/${p.transport} ${p.sender}:5060;rport;branch=z9hG4bK-${id}`,
    "Max-Forwards: 70",
    `From: "Robustness" <sip:probe@${p.domain}>;tag=${id}`,
    `To: <sip:${NOBODY}@${p.domain}>`,
    `Call-ID: ${id}@${p.sender}`,
    `CSeq: 1 ${method}`,
    `Contact: <sip:probe@${p.sender}:5060>`,
    ...extra,
  ];
}

/** Joins lines and a body into a message, with a Content-Length that fits unless one is given. */
function message(lines: readonly string[], body = "", contentLength?: string): Buffer {
  const length = contentLength ?? String(Buffer.byteLength(body));
  const head = lines.some((l) => /^(content-length|l)\s*:/i.test(l)) ? lines : [...lines, `Content-Length: ${length}`];
  return Buffer.from(`${head.join(CRLF)}${CRLF}${CRLF}${body}`, "latin1");
}

/** Replaces the line that starts with `prefix` (case-insensitive), or drops it when `by` is undefined. */
function swap(lines: readonly string[], prefix: string, by?: string | readonly string[]): string[] {
  const i = lines.findIndex((l) => l.toLowerCase().startsWith(prefix.toLowerCase()));
  if (i < 0) return [...lines];
  const insert = by === undefined ? [] : typeof by === "string" ? [by] : [...by];
  return [...lines.slice(0, i), ...insert, ...lines.slice(i + 1)];
}

const SDP = (ip: string) =>
  ["v=0", `o=probe 1 1 IN IP4 ${ip}`, "s=-", `c=IN IP4 ${ip}`, "t=0 0", "m=audio 7000 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", ""].join(CRLF);

/** Valid SIP that a strict or naive parser may still trip over. */
function validButOdd(p: SipPeer, id: (n: string) => string): TortureCase[] {
  const opt = (n: string, extra: readonly string[] = []) => requestLines(p, "OPTIONS", id(n), extra);
  const c = (name: string, m: Buffer): TortureCase => ({ name, category: "valid-odd", message: m });
  return [
    c(
      "escaped characters in the Request-URI",
      message(swap(opt("esc"), "OPTIONS", `OPTIONS sip:%72%6Fbust%6eess@${p.domain};x=%41%42 SIP/2.0`)),
    ),
    c(
      "quotes and backslashes escaped in a display name",
      message(swap(opt("dn"), "From:", `From: "Tom \\"the tester\\" \\\\ O'Brien" <sip:probe@${p.domain}>;tag=${id("dn")}`)),
    ),
    c("a header value of 3000 characters", message(opt("long", [`Subject: ${"x".repeat(3000)}`]))),
    c(
      "a branch parameter of 500 characters",
      message(swap(opt("br"), "Via:", `Via: SIP/2.0/${p.transport} ${p.sender}:5060;rport;branch=z9hG4bK${"b".repeat(500)}`)),
    ),
    c("tabs and spaces around the colons", message(swap(opt("ws"), "Max-Forwards", "Max-Forwards \t :  \t70   "))),
    c(
      "a header folded over three lines",
      message(swap(opt("fold"), "To:", [`To:`, `   <sip:${NOBODY}@${p.domain}>`, `\t;unknown-param=1`])),
    ),
    c("header names in any case", message(opt("case").map((l) => l.replace(/^(\w[\w-]*):/, (_m, h: string) => `${h.toUpperCase()}:`)))),
    c(
      "compact header forms",
      message(
        requestLines(p, "OPTIONS", id("compact")).map((l) =>
          l
            .replace(/^Via:/, "v:")
            .replace(/^From:/, "f:")
            .replace(/^To:/, "t:")
            .replace(/^Call-ID:/, "i:")
            .replace(/^Contact:/, "m:"),
        ),
        "",
      ),
    ),
    c(
      "two Vias in one header, comma-separated",
      message(
        swap(
          opt("vias"),
          "Via:",
          `Via: SIP/2.0/${p.transport} ${p.sender}:5060;rport;branch=z9hG4bK-${id("vias")} , SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-x`,
        ),
      ),
    ),
    c("unknown headers with every token character", message(opt("tok", ["X-!%*_+`'~.Odd: value", "X-Empty:", "Subject:"]))),
    c(
      "unknown Request-URI parameters and headers",
      message(swap(opt("uri"), "OPTIONS", `OPTIONS sip:${NOBODY}@${p.domain};unknown;x-y=z?Subject=hi&X-A=b SIP/2.0`)),
    ),
    c("a CSeq of 2^31 - 1", message(swap(opt("cseq"), "CSeq:", "CSeq: 2147483647 OPTIONS"))),
    c("Max-Forwards 0 (answered by a 483, not relayed)", message(swap(opt("mf0"), "Max-Forwards", "Max-Forwards: 0"))),
    c(
      "an SDP body with lines nobody knows",
      message(opt("sdp", ["Content-Type: application/sdp"]), `${SDP(p.sender)}x=unknown line${CRLF}a=umlab:odd${CRLF}`),
    ),
    c("a keep-alive of CRLFs only", Buffer.from(`${CRLF}${CRLF}`)),
  ];
}

/** Messages a parser must refuse without falling over. */
function invalidSyntax(p: SipPeer, id: (n: string) => string): TortureCase[] {
  const opt = (n: string) => requestLines(p, "OPTIONS", id(n));
  const c = (name: string, m: Buffer): TortureCase => ({ name, category: "invalid", message: m });
  return [
    c("Content-Length larger than the body", message(opt("cl-big"), "v=0\r\n", "5000")),
    c("Content-Length negative", message(opt("cl-neg"), "", "-1")),
    c("Content-Length not a number", message(opt("cl-nan"), "", "twelve")),
    c("Content-Length twice, disagreeing", message([...opt("cl-two"), "Content-Length: 0", "Content-Length: 12"])),
    c("no Call-ID", message(swap(opt("no-cid"), "Call-ID:"))),
    c("no CSeq", message(swap(opt("no-cseq"), "CSeq:"))),
    c("no From", message(swap(opt("no-from"), "From:"))),
    c("no Via", message(swap(opt("no-via"), "Via:"))),
    c("a garbage start line", message(swap(opt("garbage"), "OPTIONS", "\u00ff\u00fe%%%% ::: sip sip SIP/2.0/2.0 \u0001\u0002"))),
    c("a SIP version nobody speaks", message(swap(opt("ver"), "OPTIONS", `OPTIONS sip:${NOBODY}@${p.domain} SIP/7.0`))),
    c("CSeq not a number", message(swap(opt("cseq-nan"), "CSeq:", "CSeq: one OPTIONS"))),
    c("CSeq negative", message(swap(opt("cseq-neg"), "CSeq:", "CSeq: -5 OPTIONS"))),
    c("CSeq beyond 2^32", message(swap(opt("cseq-big"), "CSeq:", "CSeq: 99999999999999999999 OPTIONS"))),
    c("CSeq method other than the request's", message(swap(opt("cseq-m"), "CSeq:", "CSeq: 1 INVITE"))),
    c("Max-Forwards negative", message(swap(opt("mf-neg"), "Max-Forwards", "Max-Forwards: -1"))),
    c("Max-Forwards beyond any integer", message(swap(opt("mf-big"), "Max-Forwards", "Max-Forwards: 184467440737095516160"))),
    c(
      "an unterminated quote in a display name",
      message(swap(opt("quote"), "From:", `From: "Never closed <sip:probe@${p.domain}>;tag=${id("quote")}`)),
    ),
    c("an unterminated angle bracket", message(swap(opt("angle"), "To:", `To: <sip:${NOBODY}@${p.domain}`))),
    c("a NUL byte inside a header", message([...opt("nul"), "Subject: before\u0000after"])),
    c("a header line without a colon", message([...opt("colon"), "This line has no colon at all"])),
    c("a Via with an unknown transport and no branch", message(swap(opt("via"), "Via:", `Via: SIP/2.0/QUIC ${p.sender}:5060`))),
    c("bare LF line endings", Buffer.from(message(opt("lf")).toString("latin1").replaceAll(CRLF, "\n"), "latin1")),
    c("a message cut in the middle of a header", message(opt("cut")).subarray(0, 120)),
  ];
}

/** Well-formed requests that make no sense where they arrive. */
function transactionOddities(p: SipPeer, id: (n: string) => string): TortureCase[] {
  const c = (name: string, m: Buffer): TortureCase => ({ name, category: "transaction", message: m });
  const inDialog = (method: string, n: string) =>
    swap(requestLines(p, method, id(n)), "To:", `To: <sip:${NOBODY}@${p.domain}>;tag=never-issued-${id(n)}`);
  return [
    c("an unknown method", message(requestLines(p, "FROBNICATE", id("method")))),
    c("an ACK for no INVITE", message(inDialog("ACK", "ack"))),
    c("a CANCEL for no transaction", message(requestLines(p, "CANCEL", id("cancel")))),
    c("a BYE for no dialog", message(inDialog("BYE", "bye"))),
    c(
      "a Request-URI of an unknown scheme",
      message(swap(requestLines(p, "OPTIONS", id("scheme")), "OPTIONS", `OPTIONS nope:${NOBODY}@${p.domain} SIP/2.0`)),
    ),
    c("a tel: Request-URI", message(swap(requestLines(p, "OPTIONS", id("tel")), "OPTIONS", "OPTIONS tel:+14255550100 SIP/2.0"))),
    c(
      "a sips: Request-URI over a clear transport",
      message(swap(requestLines(p, "OPTIONS", id("sips")), "OPTIONS", `OPTIONS sips:${NOBODY}@${p.domain} SIP/2.0`)),
    ),
    c(
      "an extension nobody supports, required",
      message(requestLines(p, "OPTIONS", id("require"), ["Require: umlab-nonexistent", "Proxy-Require: umlab-nonexistent"])),
    ),
    c(
      "an INVITE with a broken SDP body",
      message(
        requestLines(p, "INVITE", id("sdp"), ["Content-Type: application/sdp"]),
        "v=banana\r\nc=IN IP4 999.1.1.1\r\nm=audio x RTP/AVP\r\n",
      ),
    ),
    c(
      "a REGISTER of '*' with a non-zero Expires",
      message(swap(requestLines(p, "REGISTER", id("star"), ["Expires: 3600"]), "Contact:", "Contact: *")),
    ),
    c(
      "a SUBSCRIBE for an event package nobody serves",
      message(requestLines(p, "SUBSCRIBE", id("event"), ["Event: umlab-nothing", "Expires: 60"])),
    ),
    c("a response that answers nothing", message(["SIP/2.0 200 OK", ...requestLines(p, "OPTIONS", id("resp")).slice(1)])),
  ];
}

/**
 * Well-formed requests of the kinds the lab carries (OPTIONS, REGISTER, INVITE with SDP, NOTIFY,
 * MESSAGE, an in-dialog BYE), plus the valid odd ones: what the fuzzer mutates.
 */
export function seedCorpus(p: SipPeer, run: string): Buffer[] {
  const id = (n: string) => `umlab-${run}-seed-${n}`;
  const notify = ["Event: message-summary", "Subscription-State: active", "Content-Type: application/simple-message-summary"];
  return [
    message(requestLines(p, "OPTIONS", id("options"))),
    message(requestLines(p, "REGISTER", id("register"), ["Expires: 300"])),
    message(requestLines(p, "INVITE", id("invite"), ["Content-Type: application/sdp", "Allow: INVITE, ACK, BYE, CANCEL"]), SDP(p.sender)),
    message(requestLines(p, "NOTIFY", id("notify"), notify), `Messages-Waiting: yes${CRLF}Voice-Message: 1/0${CRLF}`),
    message(requestLines(p, "MESSAGE", id("message"), ["Content-Type: text/plain"]), "hello from the fuzzer"),
    message(swap(requestLines(p, "BYE", id("bye")), "To:", `To: <sip:${NOBODY}@${p.domain}>;tag=seed`)),
    ...validButOdd(p, id).map((c) => c.message),
  ];
}

/** Every case, for one server. Call-IDs and tags carry `run` so that two runs never share one. */
export function tortureCases(p: SipPeer, run: string): TortureCase[] {
  const id = (n: string) => `umlab-${run}-${n}`;
  return [...validButOdd(p, id), ...invalidSyntax(p, id), ...transactionOddities(p, id)];
}
