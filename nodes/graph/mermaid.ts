import { type Diagram, type DiagramGroup, type DiagramNode, type DiagramTone, EDGE_KIND_LEGEND, type EdgeKind } from "./diagram.js";

/** Fill and stroke per tone, shared with the SVG renderer so both pictures read the same. */
export const TONE_COLOURS: Readonly<Record<DiagramTone, { fill: string; stroke: string }>> = {
  frontend: { fill: "#e3f0ff", stroke: "#2f6db5" },
  um: { fill: "#e8f6e8", stroke: "#2e8b57" },
  edge: { fill: "#fff1dc", stroke: "#c77700" },
  proxy: { fill: "#fff6e8", stroke: "#c99a4a" },
  dns: { fill: "#f1eefb", stroke: "#7a68b0" },
  phone: { fill: "#f3f3f3", stroke: "#777777" },
  outside: { fill: "#fbeaea", stroke: "#b04040" },
  corp: { fill: "#f7faff", stroke: "#7a9cc6" },
  provider: { fill: "#fffaf2", stroke: "#d4a35a" },
  dmz: { fill: "#fdf7ff", stroke: "#a07ab8" },
  "resource-group": { fill: "#fcfcfc", stroke: "#999999" },
  vnet: { fill: "#f7faff", stroke: "#7a9cc6" },
  subnet: { fill: "#ffffff", stroke: "#b8c8dc" },
};

export const EDGE_COLOURS: Readonly<Record<EdgeKind, string>> = {
  signalling: "#666666",
  "onprem-voicemail": "#2e8b57",
  "hosted-voicemail": "#d9822b",
  opening: "#7a4fb0",
};

const ARROWS: Readonly<Record<EdgeKind, string>> = {
  signalling: "-->",
  "onprem-voicemail": "==>",
  "hosted-voicemail": "==>",
  opening: "-.->",
};

/** Mermaid ids: letters, digits and '_' only ("onprem-um" would read as an arrow). */
function mid(id: string): string {
  return id.replace(/[^A-Za-z0-9_]/g, "_");
}

function escaped(line: string): string {
  return line.replaceAll('"', "#quot;").replaceAll("<", "#lt;").replaceAll(">", "#gt;");
}

/** A label in double quotes: Mermaid's entities for '"', '<' and '>', <br/> between lines, the first bold if asked. */
function text(lines: readonly string[], boldFirst = false): string {
  const [first = "", ...rest] = lines.map(escaped);
  return `"${[boldFirst ? `<b>${first}</b>` : first, ...rest].join("<br/>")}"`;
}

function boxText(b: DiagramNode | DiagramGroup): string {
  return text([b.title, ...b.lines], true);
}

function groupLines(d: Diagram, parent: string | undefined, indent: string): string[] {
  const out: string[] = [];
  for (const g of d.groups.filter((x) => x.parent === parent)) {
    out.push(`${indent}subgraph ${mid(g.id)}[${boxText(g)}]`);
    out.push(...groupLines(d, g.id, `${indent}  `));
    out.push(`${indent}end`);
  }
  for (const n of d.nodes.filter((x) => x.parent === parent)) out.push(`${indent}${mid(n.id)}[${boxText(n)}]`);
  return out;
}

function styleLines(d: Diagram): string[] {
  const out: string[] = [];
  const tones = new Map<DiagramTone, string[]>();
  for (const b of [...d.groups, ...d.nodes]) tones.set(b.tone, [...(tones.get(b.tone) ?? []), mid(b.id)]);
  for (const [tone, ids] of tones) {
    const c = TONE_COLOURS[tone];
    out.push(`  classDef ${mid(tone)} fill:${c.fill},stroke:${c.stroke},color:#222`);
    out.push(`  class ${ids.join(",")} ${mid(tone)}`);
  }
  d.edges.forEach((e, i) => {
    out.push(`  linkStyle ${i} stroke:${EDGE_COLOURS[e.kind]},stroke-width:${e.kind.endsWith("voicemail") ? 3 : 1.5}px`);
  });
  return out;
}

/**
 * The diagram as a Mermaid flowchart (left to right): groups as nested subgraphs, arrows by kind,
 * the legend as comments. Paste it into any Mermaid renderer (GitHub, GitLab, mermaid.live).
 */
export function renderMermaid(d: Diagram): string {
  const legend = [...new Set(d.edges.map((e) => e.kind))].map((k) => `  %% ${ARROWS[k]} ${EDGE_KIND_LEGEND[k]}`);
  const edges = d.edges.map((e) => `  ${mid(e.from)} ${ARROWS[e.kind]}|${text(e.label)}| ${mid(e.to)}`);
  return ["flowchart LR", `  %% ${d.title}`, ...legend, ...groupLines(d, undefined, "  "), ...edges, ...styleLines(d)].join("\n");
}
