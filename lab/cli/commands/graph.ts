import { writeFileSync } from "node:fs";
import { ExitCode, lit } from "../../../constructs/errors.js";
import { renderMermaid } from "../../../nodes/graph/mermaid.js";
import { htmlPage } from "../../../nodes/graph/page.js";
import { renderSvg, xml } from "../../../nodes/graph/svg.js";
import { topologyDiagram } from "../../../nodes/graph/topology-diagram.js";
import { UsageError } from "../../../nodes/usage-error.js";
import { out, progress } from "../io.js";
import { labPicture } from "../lab-source.js";
import { diagramView } from "../views.js";

export async function run({
  values,
}: {
  values: { mode?: string; config?: string; instance?: string; html?: string; mermaid?: boolean };
}): Promise<number> {
  if (values.html && values.mermaid) throw new UsageError(lit`OptionConflict`, "graph: --html and --mermaid exclude each other; pick one");
  const picture = await labPicture(values, progress);
  const diagram = topologyDiagram(picture.topology, picture.routes);
  if (values.mermaid) {
    out(renderMermaid(diagram));
  } else if (values.html) {
    const svg = await renderSvg(diagram, "topology");
    const from = picture.source === "running" ? "the running lab" : "the model (nothing runs)";
    const body = `<h1>${xml(diagram.title)}</h1>\n<p class="sub">Drawn from ${from} by umlab graph.</p>\n<div class="figure">${svg}</div>`;
    writeFileSync(values.html, htmlPage(diagram.title, body));
    progress(`wrote ${values.html}`);
  } else {
    out(diagramView(diagram, picture.topology));
  }
  return ExitCode.ok;
}
