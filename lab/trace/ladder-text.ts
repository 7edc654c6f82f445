import pc from "picocolors";
import type { Ladder, LadderMedia, LadderMessage } from "./ladder.js";

/**
 * The ladder in a terminal: the parties as columns, one line per message (time since the first
 * message, an arrow from column to column with the method or status on it, then the header that
 * matters), and the RTP streams as double bars with their packet counts. Colour when the terminal
 * has it (picocolors honours NO_COLOR and FORCE_COLOR).
 */
export interface TextOptions {
  /** @default picocolors' own detection */
  readonly color?: boolean;
}

type Paint = (s: string) => string;

function paints(color: boolean | undefined) {
  const c = color === undefined ? pc : pc.createColors(color);
  return { c, request: c.cyan, ok: c.green, provisional: c.dim, error: c.red, media: c.magenta, dim: c.dim, bold: c.bold };
}

/** The one header worth a glance on each line: the Request-URI of an initial INVITE, the trust mark, MWI. */
export function lineDetail(m: LadderMessage): string {
  const h = m.keyHeaders;
  const parts: string[] = [];
  if (m.status === undefined && m.method === "INVITE" && h.requestUri) parts.push(h.requestUri);
  if (h.diversion?.[0]) parts.push(`Diversion: ${h.diversion[0]}`);
  if (h.trust) parts.push(`trust: ${/ms-source-verified-user=(\w+)/.exec(h.trust)?.[1] ?? h.trust}`);
  if (h.messagesWaiting) parts.push(`Messages-Waiting: ${h.messagesWaiting}${h.voiceMessage ? ` ${h.voiceMessage}` : ""}`);
  return parts.join("  ");
}

interface Lanes {
  readonly width: number;
  readonly centre: (party: string) => number;
  readonly total: number;
}

function lanesOf(ladder: Ladder): Lanes {
  const width = Math.max(18, ...ladder.parties.map((p) => p.id.length + 3));
  const index = new Map(ladder.parties.map((p, i) => [p.id, i]));
  return { width, centre: (id) => (index.get(id) ?? 0) * width + Math.floor(width / 2), total: ladder.parties.length * width };
}

/** One row of lanes with an arrow from `from` to `to` carrying `label`. */
function arrowRow(lanes: Lanes, from: string, to: string, label: string, fill: string): string {
  const row = Array.from({ length: lanes.total }, () => " ");
  for (let x = Math.floor(lanes.width / 2); x < lanes.total; x += lanes.width) row[x] = "│";
  const [a, b] = [lanes.centre(from), lanes.centre(to)];
  if (a === b) return row.join("");
  const [lo, hi] = a < b ? [a, b] : [b, a];
  for (let x = lo + 1; x < hi; x++) row[x] = fill;
  if (a < b) row[hi - 1] = ">";
  else row[lo + 1] = "<";
  const room = hi - lo - 5;
  const text = room > 0 ? ` ${label.length > room ? `${label.slice(0, room - 1)}…` : label} ` : "";
  const at = lo + 2 + Math.max(0, Math.floor((room - text.length + 2) / 2));
  [...text].forEach((ch, i) => {
    row[at + i] = ch;
  });
  return row.join("");
}

function paintOf(m: LadderMessage, p: ReturnType<typeof paints>): Paint {
  if (m.status === undefined) return p.request;
  if (m.status < 200) return p.provisional;
  return m.status < 300 ? p.ok : p.error;
}

function seconds(ms: number): string {
  return `+${(ms / 1000).toFixed(3)} s`.padStart(10);
}

function mediaRow(s: LadderMedia, lanes: Lanes, t0: number, p: ReturnType<typeof paints>): string {
  if (s.packets === 0) {
    const row = arrowRow(lanes, s.from, s.to, "no RTP", "┄");
    return `${seconds(s.agreedAt - t0)}  ${p.error(row)}  ${p.error(`no RTP ${s.src.ip}:${s.src.port} -> ${s.dst.ip}:${s.dst.port}`)}`;
  }
  const label = `RTP ${s.packets} pkts`;
  const row = arrowRow(lanes, s.from, s.to, label, "═");
  const span = s.firstAt !== undefined && s.lastAt !== undefined ? `${((s.lastAt - s.firstAt) / 1000).toFixed(1)} s` : "";
  return `${seconds((s.firstAt ?? s.agreedAt) - t0)}  ${p.media(row)}  ${p.dim(`${s.src.ip}:${s.src.port} -> ${s.dst.ip}:${s.dst.port} ${span}`)}`;
}

/** The ladder as terminal lines (no trailing newline). */
export function renderLadderText(ladder: Ladder, options: TextOptions = {}): string {
  const p = paints(options.color);
  const lanes = lanesOf(ladder);
  const t0 = ladder.startedAt;
  const header = ladder.parties.map((x) => x.id.padStart(Math.floor((lanes.width + x.id.length) / 2)).padEnd(lanes.width)).join("");
  const rows: { at: number; line: string }[] = ladder.messages.map((m) => {
    const paint = paintOf(m, p);
    const row = arrowRow(lanes, m.from, m.to, m.label, "─");
    const detail = lineDetail(m);
    return { at: m.at, line: `${seconds(m.at - t0)}  ${paint(detail ? row : row.trimEnd())}${detail ? `  ${p.dim(detail)}` : ""}` };
  });
  for (const s of ladder.media) rows.push({ at: s.firstAt ?? s.agreedAt, line: mediaRow(s, lanes, t0, p) });
  rows.sort((a, b) => a.at - b.at);
  const title = `${p.bold("Call")} ${ladder.callIds[0] ?? "?"}${ladder.callIds.length > 1 ? ` and ${ladder.callIds.length - 1} related leg(s)` : ""}`;
  return [title, ...ladder.notes.map((n) => p.dim(`  + ${n}`)), "", `${" ".repeat(12)}${p.bold(header)}`, ...rows.map((r) => r.line)].join(
    "\n",
  );
}
