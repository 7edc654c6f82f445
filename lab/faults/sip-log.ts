/**
 * SIPp's message log (-trace_msg): every message a SIPp run sent or received, each after a line of
 * dashes and a timestamp. What a caller saw, read back as data: which final response it got, with
 * what reason, and how long after its request.
 */

/** One message of the log. */
export interface LoggedMessage {
  /** ms since the epoch, as SIPp stamped it */
  readonly at: number;
  readonly direction: "sent" | "received";
  /** "INVITE sip:... SIP/2.0" or "SIP/2.0 504 Reason" */
  readonly firstLine: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The final response a request got, and how long after the request was sent. */
export interface FinalResponse {
  readonly status: number;
  readonly reason: string;
  readonly afterMs: number;
  /** e.g. Retry-After, when present */
  readonly headers: Readonly<Record<string, string>>;
}

const SEPARATOR = /^-{20,}\s*(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)?\s*$/;

function timestamp(m: RegExpExecArray): number {
  const fraction = m[3] ? Number(m[3]) : 0;
  return Date.parse(`${m[1]}T${m[2]}Z`) + Math.round(fraction * 1000);
}

function parseBlock(at: number, lines: string[]): LoggedMessage | undefined {
  const kind = lines.find((l) => /message (sent|received)/i.test(l));
  if (!kind) return undefined;
  const direction = /sent/i.test(kind) ? "sent" : "received";
  const start = lines.indexOf(kind) + 1;
  const rest = lines.slice(start).map((l) => l.replace(/\r$/, ""));
  const firstIndex = rest.findIndex((l) => l.trim() !== "");
  if (firstIndex < 0) return undefined;
  const firstLine = (rest[firstIndex] as string).trim();
  const headers: Record<string, string> = {};
  for (const l of rest.slice(firstIndex + 1)) {
    if (l.trim() === "") break;
    const colon = l.indexOf(":");
    if (colon > 0) headers[l.slice(0, colon).trim().toLowerCase()] ??= l.slice(colon + 1).trim();
  }
  return { at, direction, firstLine, headers };
}

/** The messages of a SIPp message log, in order. Blocks it cannot read are left out. */
export function parseSippLog(log: string): LoggedMessage[] {
  const out: LoggedMessage[] = [];
  let at: number | undefined;
  let block: string[] = [];
  const flush = () => {
    if (at === undefined) return;
    const m = parseBlock(at, block);
    if (m) out.push(m);
  };
  for (const l of log.split("\n")) {
    const sep = SEPARATOR.exec(l.replace(/\r$/, ""));
    if (sep) {
      flush();
      at = timestamp(sep);
      block = [];
    } else block.push(l);
  }
  flush();
  return out;
}

function cseqOf(m: LoggedMessage): { n: number; method: string } | undefined {
  const c = /^(\d+)\s+(\S+)/.exec(m.headers.cseq ?? "");
  return c ? { n: Number(c[1]), method: c[2] as string } : undefined;
}

/**
 * The final response (>= 200, other than an authentication challenge) to the last `method` request
 * the caller sent before it, and its delay from that request. Undefined when none came.
 */
export function finalResponse(messages: readonly LoggedMessage[], method: string): FinalResponse | undefined {
  for (const m of messages) {
    if (m.direction !== "received") continue;
    const status = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/.exec(m.firstLine);
    const cseq = cseqOf(m);
    if (!status || cseq?.method !== method) continue;
    const code = Number(status[1]);
    if (code < 200 || code === 401 || code === 407) continue;
    const request = [...messages]
      .filter((x) => x.direction === "sent" && x.at <= m.at && x.firstLine.startsWith(`${method} `) && cseqOf(x)?.n === cseq.n)
      .at(-1);
    const { cseq: _c, via: _v, from: _f, to: _t, "call-id": _i, ...headers } = m.headers;
    return { status: code, reason: (status[2] ?? "").trim(), afterMs: request ? m.at - request.at : Number.NaN, headers };
  }
  return undefined;
}
