import type { Ladder, LadderMedia, LadderMessage } from "./ladder.js";
import type { KeyHeaders } from "./sip.js";

/**
 * The ladder as a self-contained SVG (no script, no external font or stylesheet) and, for a page,
 * the messages below it with their key headers. Each arrow shows the message's first line; it links
 * to the message below (`#<idPrefix>-m<n>`) and carries the key headers as its tooltip. RTP streams
 * are bars between the parties with their packet counts; a stream the SDP agreed on that never
 * flowed is a red dashed bar marked "no RTP".
 */
export interface SvgOptions {
  /** Prefix of element ids, so that several ladders can share a page. @default "ladder" */
  readonly idPrefix?: string;
}

const COLUMN = 190;
const LEFT = 84;
const TOP = 70;
const ROW = 30;
const CHAR_PX = 6.4;

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** The key headers of a message as "name: value" lines (what the ladder is for). */
export function keyHeaderLines(h: KeyHeaders): string[] {
  const lines: string[] = [];
  if (h.requestUri) lines.push(`Request-URI: ${h.requestUri}`);
  if (h.organization) lines.push(`organization: ${h.organization}`);
  for (const d of h.diversion ?? []) lines.push(`Diversion: ${d}`);
  if (h.trust) lines.push(`ms-edge-proxy-message-trust: ${h.trust}`);
  if (h.event) lines.push(`Event: ${h.event}`);
  if (h.messagesWaiting) lines.push(`Messages-Waiting: ${h.messagesWaiting}`);
  if (h.voiceMessage) lines.push(`Voice-Message: ${h.voiceMessage}`);
  return lines;
}

const COLOURS = { request: "#1f5fa8", provisional: "#7a7a7a", success: "#1d7f3a", failure: "#b3261e" } as const;

function kindOf(m: LadderMessage): keyof typeof COLOURS {
  if (m.status === undefined) return "request";
  if (m.status < 200) return "provisional";
  return m.status < 300 ? "success" : "failure";
}

function fit(text: string, px: number): string {
  const max = Math.max(4, Math.floor(px / CHAR_PX));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

interface Row {
  readonly at: number;
  readonly svg: (y: number) => string;
}

function messageRow(m: LadderMessage, i: number, x: (id: string) => number, prefix: string, t0: number): Row {
  const [x1, x2] = [x(m.from), x(m.to)];
  const tip = [m.firstLine, ...keyHeaderLines(m.keyHeaders), `Call-ID: ${m.callId}`, `seen by: ${m.seenBy.join(", ")}`].join("\n");
  const kind = kindOf(m);
  const c = COLOURS[kind];
  return {
    at: m.at,
    svg: (y) =>
      `<a href="#${prefix}-m${i}" class="msg"><title>${escapeXml(tip)}</title>` +
      `<text x="8" y="${y + 4}" class="t">+${((m.at - t0) / 1000).toFixed(3)}</text>` +
      `<line x1="${x1}" y1="${y + 8}" x2="${x2}" y2="${y + 8}" stroke="${c}" stroke-width="1.6" marker-end="url(#${prefix}-${kind})"/>` +
      `<text x="${(x1 + x2) / 2}" y="${y + 3}" text-anchor="middle" fill="${c}">${escapeXml(fit(m.firstLine, Math.abs(x2 - x1) - 12))}</text></a>`,
  };
}

function mediaRow(s: LadderMedia, x: (id: string) => number, t0: number): Row {
  const [x1, x2] = [x(s.from), x(s.to)];
  const missing = s.packets === 0;
  const at = s.firstAt ?? s.agreedAt;
  const rightwards = x2 >= x1;
  const text = missing ? `no RTP ${s.src.ip}:${s.src.port} → ${s.dst.ip}:${s.dst.port}` : `RTP ${s.packets} packets`;
  const label = missing ? text : rightwards ? `${text} ▶` : `◀ ${text}`;
  const span = !missing && s.firstAt !== undefined && s.lastAt !== undefined ? ` (${((s.lastAt - s.firstAt) / 1000).toFixed(1)} s)` : "";
  const tip = `${label}${span}\n${s.src.ip}:${s.src.port} → ${s.dst.ip}:${s.dst.port}\nseen by: ${s.seenBy.join(", ") || "no capture"}`;
  const stroke = missing
    ? `stroke="#b3261e" stroke-width="3" stroke-dasharray="6 4"`
    : `stroke="#8e3fa8" stroke-width="7" stroke-opacity="0.55"`;
  return {
    at,
    svg: (y) =>
      `<g class="${missing ? "media missing" : "media"}"><title>${escapeXml(tip)}</title>` +
      `<text x="8" y="${y + 4}" class="t">+${((at - t0) / 1000).toFixed(3)}</text>` +
      `<line x1="${x1}" y1="${y + 8}" x2="${x2}" y2="${y + 8}" ${stroke}/>` +
      `<text x="${(x1 + x2) / 2}" y="${y + 3}" text-anchor="middle" fill="${missing ? "#b3261e" : "#6b2d80"}">${escapeXml(fit(label + span, Math.abs(x2 - x1) - 12))}</text></g>`,
  };
}

function partyHeads(ladder: Ladder, x: (id: string) => number, height: number): string {
  return ladder.parties
    .map((p) => {
      const cx = x(p.id);
      return (
        `<g class="party"><rect x="${cx - 80}" y="8" width="160" height="40" rx="6" fill="#eef2f7" stroke="#4a5a70"/>` +
        `<text x="${cx}" y="25" text-anchor="middle" font-weight="bold">${escapeXml(p.id)}</text>` +
        `<text x="${cx}" y="40" text-anchor="middle" class="t">${escapeXml(fit(p.addresses.join(", "), 150))}</text>` +
        `<line x1="${cx}" y1="48" x2="${cx}" y2="${height - 10}" stroke="#9aa5b4" stroke-dasharray="3 3"/></g>`
      );
    })
    .join("");
}

/** The ladder as one <svg> element. */
export function renderLadderSvg(ladder: Ladder, options: SvgOptions = {}): string {
  const prefix = options.idPrefix ?? "ladder";
  const index = new Map(ladder.parties.map((p, i) => [p.id, i]));
  const x = (id: string) => LEFT + (index.get(id) ?? 0) * COLUMN + COLUMN / 2;
  const t0 = ladder.startedAt;
  const rows: Row[] = [...ladder.messages.map((m, i) => messageRow(m, i, x, prefix, t0)), ...ladder.media.map((s) => mediaRow(s, x, t0))];
  rows.sort((a, b) => a.at - b.at);
  const width = LEFT + ladder.parties.length * COLUMN + 10;
  const height = TOP + rows.length * ROW + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" id="${prefix}" class="ladder" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="11">`,
    `<defs>${Object.entries(COLOURS)
      .map(
        ([kind, c]) =>
          `<marker id="${prefix}-${kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${c}"/></marker>`,
      )
      .join("")}</defs>`,
    `<style>.t{fill:#666;font-size:10px}.msg:hover line{stroke-width:3}.msg{cursor:pointer}</style>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    partyHeads(ladder, x, height),
    ...rows.map((r, i) => r.svg(TOP + i * ROW)),
    "</svg>",
  ].join("\n");
}

/** The messages below the ladder: first line, key headers in view, the whole message on click. */
export function renderLadderDetails(ladder: Ladder, options: SvgOptions = {}): string {
  const prefix = options.idPrefix ?? "ladder";
  const t0 = ladder.startedAt;
  const items = ladder.messages.map((m, i) => {
    const keys = keyHeaderLines(m.keyHeaders);
    return (
      `<li id="${prefix}-m${i}"><details><summary><code>+${((m.at - t0) / 1000).toFixed(3)} s</code> ${escapeXml(m.from)} → ${escapeXml(m.to)}: ` +
      `<b>${escapeXml(m.firstLine)}</b></summary><pre>${escapeXml(m.text)}</pre></details>` +
      (keys.length > 0 ? `<ul class="keys">${keys.map((k) => `<li><code>${escapeXml(k)}</code></li>`).join("")}</ul>` : "") +
      "</li>"
    );
  });
  return `<ol class="messages">\n${items.join("\n")}\n</ol>`;
}

/** A whole page: title, correlation notes, the SVG ladder, the messages. Self-contained. */
export function renderLadderHtml(ladder: Ladder, options: SvgOptions & { readonly title?: string } = {}): string {
  const title = options.title ?? `SIP ladder of ${ladder.callIds[0] ?? "a call"}`;
  const notes = ladder.notes.length > 0 ? `<ul>${ladder.notes.map((n) => `<li>${escapeXml(n)}</li>`).join("")}</ul>` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>body{font-family:sans-serif;margin:1.5em}pre{background:#f6f8fa;padding:.6em;overflow:auto}
ol.messages>li{margin:.3em 0}ul.keys{margin:.2em 0 .4em 1em;color:#333}li:target{background:#fff6d5}</style></head>
<body><h1>${escapeXml(title)}</h1>
<p>Call-ID${ladder.callIds.length > 1 ? "s" : ""}: ${ladder.callIds.map((c) => `<code>${escapeXml(c)}</code>`).join(", ")}</p>${notes}
${renderLadderSvg(ladder, options)}
<h2>Messages</h2>
${renderLadderDetails(ladder, options)}
<script>addEventListener("hashchange",()=>{const e=document.getElementById(location.hash.slice(1));const d=e&&e.querySelector("details");if(d)d.open=true;});</script>
</body></html>
`;
}
