import { describe, expect, it } from "vitest";
import { defaultLab, topologyOf } from "../../constructs/index.js";
import { routesOf } from "../../constructs/routes.js";
import { renderMermaid } from "../../nodes/graph/mermaid.js";
import { renderSvg } from "../../nodes/graph/svg.js";
import { topologyDiagram } from "../../nodes/graph/topology-diagram.js";

const diagramOf = (mode: "on-premises" | "cross-premises" | "mixed") => {
  const lab = defaultLab({ mode });
  const t = topologyOf(lab);
  return topologyDiagram(t, routesOf(lab, t));
};

/** The rectangle of a box or frame in the SVG, by its data-id. */
function rectOf(svg: string, id: string): { x: number; y: number; w: number; h: number } {
  const m = new RegExp(`data-id="${id}"><rect x="([\\d.]+)" y="([\\d.]+)" width="([\\d.]+)" height="([\\d.]+)"`).exec(svg);
  if (!m) throw new Error(`no box ${id} in the SVG`);
  return { x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]) };
}
const inside = (a: ReturnType<typeof rectOf>, b: ReturnType<typeof rectOf>) =>
  a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;

describe("topology picture (umlab graph)", () => {
  it("mixed: both networks, each node with role, FQDN and addresses, the edge in neither network frame", () => {
    const d = diagramOf("mixed");
    expect(d.groups.map((g) => [g.id, g.lines[0]])).toEqual([
      ["net-corp", "umlab-lab-corp  10.61.0.0/24"],
      ["net-provider", "umlab-lab-provider  10.62.0.0/24"],
    ]);
    const edge = d.nodes.find((n) => n.id === "edge");
    expect(edge?.parent).toBeUndefined();
    expect(edge?.lines).toEqual(["Kamailio + rtpengine (A/V edge)", "sip.contoso.test", "corp 10.61.0.30", "provider 10.62.0.30"]);
    expect(d.nodes.find((n) => n.id === "hosted-um")).toMatchObject({ parent: "net-provider", title: "hosted UM" });
    expect(d.nodes.find((n) => n.id === "onprem-um")?.lines).toContain("um.contoso.test");
  });

  it("mixed: the voice-mail paths carry the Request-URIs the front end builds, on premises and through the edge", () => {
    const d = diagramOf("mixed");
    const path = d.edges.filter((e) => e.kind !== "signalling").map((e) => [e.from, e.to, e.kind]);
    expect(path).toEqual([
      ["frontend", "onprem-um", "onprem-voicemail"],
      ["frontend", "edge", "hosted-voicemail"],
      ["edge", "hosted-um", "hosted-voicemail"],
    ]);
    const toHosted = d.edges.find((e) => e.to === "hosted-um")?.label ?? [];
    expect(toHosted).toContain("INVITE sip:voicemail@exap.um.provider.test;umlab-org=contoso.test");
    expect(toHosted).toContain("INVITE sip:voicemail@exap.um.provider.test;umlab-org=fabrikam.test");
    expect(toHosted).toContain("fabrikam.test: erin");
  });

  it("on premises: one network, no edge, the on-prem path only", () => {
    const d = diagramOf("on-premises");
    expect(d.groups.map((g) => g.id)).toEqual(["net-corp"]);
    expect(d.nodes.some((n) => n.id === "edge" || n.id === "hosted-um")).toBe(false);
    expect(d.edges.filter((e) => e.kind === "hosted-voicemail")).toEqual([]);
  });

  it("Mermaid: a flowchart with a subgraph per network, ids Mermaid accepts, thick arrows for voice mail", () => {
    const m = renderMermaid(diagramOf("mixed"));
    expect(m.split("\n")[0]).toBe("flowchart LR");
    expect(m).toMatch(/subgraph net_corp\["<b>corporate network<\/b><br\/>umlab-lab-corp {2}10\.61\.0\.0\/24"\]/);
    expect(m).toContain('frontend ==>|"INVITE sip:voicemail@um.contoso.test<br/>');
    expect(m).toMatch(/edge ==>\|"mutual TLS 5061/);
    // node ids never contain '-', which Mermaid would read as part of an arrow
    for (const line of m.split("\n").filter((l) => /^\s+\S+\[/.test(l))) expect(line.trim().split("[")[0]).toMatch(/^[A-Za-z0-9_]+$/);
  });

  it("SVG: every box inside its network's frame, the same picture twice, every node named", async () => {
    const d = diagramOf("mixed");
    const svg = await renderSvg(d);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(inside(rectOf(svg, "frontend"), rectOf(svg, "net-corp"))).toBe(true);
    expect(inside(rectOf(svg, "hosted-um"), rectOf(svg, "net-provider"))).toBe(true);
    expect(inside(rectOf(svg, "edge"), rectOf(svg, "net-corp"))).toBe(false);
    expect(inside(rectOf(svg, "edge"), rectOf(svg, "net-provider"))).toBe(false);
    for (const n of d.nodes) expect(svg).toContain(`>${n.title}</text>`);
    expect(await renderSvg(d)).toBe(svg);
  });
});
