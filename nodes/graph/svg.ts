import elk, { type ElkExtendedEdge, type ElkNode } from "elkjs/lib/elk.bundled.js";
import { type Diagram, type DiagramGroup, type DiagramNode, EDGE_KIND_LEGEND, type EdgeKind, kindsIn } from "./diagram.js";
import { EDGE_COLOURS, TONE_COLOURS } from "./mermaid.js";

// elkjs is CommonJS: under NodeNext its default import is the module object, whose default is the class.
const ELK = elk.default;

// Monospace text, so a box's size follows from its longest line (DejaVu Sans Mono: 0.602 em per character).
const FONT = "'DejaVu Sans Mono', Menlo, Consolas, monospace";
const CHAR = { title: 13 * 0.602, line: 12 * 0.602, label: 11 * 0.602 };
const LINE_HEIGHT = { title: 18, line: 15, label: 13 };
const PAD = 10;
const LEGEND_ROW = 18;

/** Escapes text for SVG/HTML element content and attribute values. */
export function xml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

function boxWidth(b: DiagramNode | DiagramGroup): number {
  return Math.ceil(Math.max(b.title.length * CHAR.title, ...b.lines.map((l) => l.length * CHAR.line)) + 2 * PAD);
}
function headerHeight(b: DiagramNode | DiagramGroup): number {
  return PAD + LINE_HEIGHT.title + b.lines.length * LINE_HEIGHT.line;
}

/** The diagram as an ELK graph: groups as compound nodes, sizes from the text they carry. */
function elkGraph(d: Diagram): ElkNode {
  const build = (parent: string | undefined): ElkNode[] => [
    ...d.groups
      .filter((g) => g.parent === parent)
      .map(
        (g): ElkNode => ({
          id: g.id,
          layoutOptions: {
            "elk.padding": `[top=${headerHeight(g) + PAD},left=${PAD + 4},bottom=${PAD + 4},right=${PAD + 4}]`,
          },
          children: build(g.id),
        }),
      ),
    ...d.nodes.filter((n) => n.parent === parent).map((n): ElkNode => ({ id: n.id, width: boxWidth(n), height: headerHeight(n) + PAD })),
  ];
  const edges: ElkExtendedEdge[] = d.edges.map((e, i) => ({
    id: `e${i}`,
    sources: [e.from],
    targets: [e.to],
    labels: [
      {
        text: e.label.join("\n"),
        width: Math.ceil(Math.max(...e.label.map((l) => l.length)) * CHAR.label + 8),
        height: e.label.length * LINE_HEIGHT.label + 4,
      },
    ],
  }));
  return {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "DOWN",
      "elk.hierarchyHandling": "INCLUDE_CHILDREN",
      "elk.edgeRouting": "ORTHOGONAL",
      "elk.spacing.nodeNode": "28",
      "elk.layered.spacing.nodeNodeBetweenLayers": "48",
      "elk.spacing.edgeLabel": "4",
      "elk.edgeLabels.placement": "CENTER",
      "elk.layered.edgeLabels.centerLabelPlacementStrategy": "TAIL_LAYER",
      "elk.json.edgeCoords": "ROOT",
      "elk.json.shapeCoords": "ROOT",
      "elk.padding": "[top=16,left=16,bottom=16,right=16]",
    },
    children: build(undefined),
    edges,
  };
}

function flatten(n: ElkNode): ElkNode[] {
  return [n, ...(n.children ?? []).flatMap(flatten)];
}

function boxSvg(b: DiagramNode | DiagramGroup, at: ElkNode, group: boolean): string {
  const c = TONE_COLOURS[b.tone];
  const x = at.x ?? 0;
  const y = at.y ?? 0;
  const lines = b.lines.map(
    (l, i) => `<text x="${x + PAD}" y="${y + PAD + LINE_HEIGHT.title + (i + 1) * LINE_HEIGHT.line - 3}" class="line">${xml(l)}</text>`,
  );
  return [
    `<g class="${group ? "group" : "node"} tone-${b.tone}" data-id="${xml(b.id)}">`,
    `<rect x="${x}" y="${y}" width="${at.width}" height="${at.height}" rx="${group ? 10 : 6}" fill="${c.fill}" stroke="${c.stroke}"${group ? ' stroke-dasharray="6 3"' : ""}/>`,
    `<text x="${x + PAD}" y="${y + PAD + 12}" class="title">${xml(b.title)}</text>`,
    ...lines,
    "</g>",
  ].join("");
}

function edgeSvg(kind: EdgeKind, laid: ElkExtendedEdge, prefix: string): string {
  const points = (laid.sections ?? []).flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]);
  const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x},${p.y}`).join(" ");
  const colour = EDGE_COLOURS[kind];
  const width = kind.endsWith("voicemail") ? 2.5 : 1.4;
  const dash = kind === "opening" ? ' stroke-dasharray="5 3"' : "";
  const labels = (laid.labels ?? []).map((l) => {
    const rows = (l.text ?? "").split("\n");
    const text = rows
      .map((r, i) => `<text x="${(l.x ?? 0) + 4}" y="${(l.y ?? 0) + (i + 1) * LINE_HEIGHT.label}" class="label">${xml(r)}</text>`)
      .join("");
    return `<rect x="${l.x}" y="${l.y}" width="${l.width}" height="${l.height}" rx="3" class="label-bg"/>${text}`;
  });
  return `<g class="edge kind-${kind}"><path d="${path}" fill="none" stroke="${colour}" stroke-width="${width}"${dash} marker-end="url(#${prefix}-arrow-${kind})"/>${labels.join("")}</g>`;
}

function legendSvg(kinds: readonly EdgeKind[], y: number, prefix: string): string {
  return kinds
    .map((k, i) => {
      const ly = y + i * LEGEND_ROW;
      const dash = k === "opening" ? ' stroke-dasharray="5 3"' : "";
      return `<g class="legend"><path d="M16,${ly} L56,${ly}" stroke="${EDGE_COLOURS[k]}" stroke-width="2.5"${dash} marker-end="url(#${prefix}-arrow-${k})"/><text x="64" y="${ly + 4}" class="line">${xml(EDGE_KIND_LEGEND[k])}</text></g>`;
    })
    .join("");
}

function markers(prefix: string): string {
  return (Object.keys(EDGE_COLOURS) as EdgeKind[])
    .map(
      (k) =>
        `<marker id="${prefix}-arrow-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${EDGE_COLOURS[k]}"/></marker>`,
    )
    .join("");
}

/**
 * The diagram as one self-contained SVG element, laid out by ELK (layered, left to right, groups
 * as nested frames, orthogonal arrows with their labels). Deterministic: the same diagram gives
 * the same picture. `idPrefix` keeps marker ids unique when several SVGs share a page.
 */
export async function renderSvg(d: Diagram, idPrefix = "umlab"): Promise<string> {
  const laid = await new ELK().layout(elkGraph(d));
  const at = new Map(flatten(laid).map((n) => [n.id, n]));
  const depth = (g: DiagramGroup): number => (g.parent ? 1 + depth(d.groups.find((p) => p.id === g.parent) as DiagramGroup) : 0);
  const groups = [...d.groups].sort((a, b) => depth(a) - depth(b)).map((g) => boxSvg(g, at.get(g.id) as ElkNode, true));
  const nodes = d.nodes.map((n) => boxSvg(n, at.get(n.id) as ElkNode, false));
  const laidEdges = new Map((laid.edges ?? []).map((e) => [e.id, e]));
  const edges = d.edges.map((e, i) => edgeSvg(e.kind, laidEdges.get(`e${i}`) as ElkExtendedEdge, idPrefix));
  const kinds = kindsIn(d);
  const width = Math.ceil(Math.max(laid.width ?? 0, 420));
  const height = Math.ceil((laid.height ?? 0) + kinds.length * LEGEND_ROW + 12);
  const style = `.title{font:bold 13px ${FONT};fill:#1d2733}.line{font:12px ${FONT};fill:#2b3440}.label{font:11px ${FONT};fill:#333}.label-bg{fill:#ffffff;fill-opacity:.9}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="umlab-diagram" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" style="max-width:100%;height:auto" role="img" aria-label="${xml(d.title)}">`,
    `<title>${xml(d.title)}</title><style>${style}</style><defs>${markers(idPrefix)}</defs>`,
    ...groups,
    ...edges,
    ...nodes,
    legendSvg(kinds, (laid.height ?? 0) + 4, idPrefix),
    "</svg>",
  ].join("\n");
}
