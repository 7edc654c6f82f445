// `npm run graph:azure [-- --html FILE | --mermaid] [--synth FILE]`: the picture of the Azure lab,
// read from the stack `npm run synth` just wrote (mode and lab file as for synth: UMLAB_MODE,
// UMLAB_LAB_FILE or cdktf.json's context). The umlab command line cannot draw it itself: lab/ does
// not import stacks/ (one-way layers), so the Azure side has its own small entry point.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { renderMermaid } from "../nodes/graph/mermaid.js";
import { htmlPage } from "../nodes/graph/page.js";
import { renderSvg, xml } from "../nodes/graph/svg.js";
import { azureDiagram } from "./graph.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      html: { type: "string" },
      mermaid: { type: "boolean" },
      synth: { type: "string", default: "cdktf.out/stacks/lab/cdk.tf.json" },
    },
  });
  const file = values.synth as string;
  if (!existsSync(file)) throw new Error(`${file}: no synthesized stack; run \`npm run synth\` first`);
  const json = JSON.parse(readFileSync(file, "utf8"));
  const mode = Object.values(json.resource?.azurerm_resource_group ?? {}).map(
    (rg) => (rg as { tags?: Record<string, string> }).tags?.["umlab-mode"],
  )[0];
  const diagram = azureDiagram(json, `umlab on Azure: ${mode ?? "?"} lab, synthesized from ${file}`);
  if (values.html) {
    const svg = await renderSvg(diagram, "azure");
    writeFileSync(values.html, htmlPage(diagram.title, `<h1>${xml(diagram.title)}</h1>\n<div class="figure">${svg}</div>`));
    process.stderr.write(`umlab: wrote ${values.html}\n`);
  } else {
    process.stdout.write(`${renderMermaid(diagram)}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`umlab: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
