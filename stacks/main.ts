// The cdktf app: `cdktf deploy lab` (or `npm run synth` without the cdktf CLI).
// Mode and lab file come from cdktf context (-c / cdktf.json "context") or the environment:
//   mode:    context "mode"    or UMLAB_MODE      (default "mixed")
//   lab:     context "labFile" or UMLAB_LAB_FILE  (default: the built-in lab)
// Every synth is checked by the policy rules in stacks/rules; a violation fails it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadLab, parseMode } from "../nodes/lab-file.js";
import { App } from "./cdktf.js";
import { LabStack } from "./lab-stack.js";
import { cachedLabPki } from "./pki-cache.js";
import { checkSynth, formatViolations } from "./rules/index.js";

const app = new App();
const context = (key: string) => app.node.tryGetContext(key) as string | undefined;
const mode = parseMode(context("mode") ?? process.env.UMLAB_MODE, "mixed");
const labFile = context("labFile") ?? process.env.UMLAB_LAB_FILE;
const lab = await loadLab(mode, labFile);
new LabStack(app, "lab", { lab, pki: cachedLabPki(lab.node.id, LabStack.tlsParties(lab)) });
app.synth();

const synthesized = JSON.parse(readFileSync(join(app.outdir, "stacks", "lab", "cdk.tf.json"), "utf8"));
const violations = checkSynth(synthesized);
if (violations.length > 0) {
  process.stderr.write(`umlab: the synthesized lab breaks ${violations.length} policy rule(s):\n${formatViolations(violations)}\n`);
  process.exit(1);
}
process.stderr.write(`umlab: synthesized ${lab.mode} lab "${lab.node.id}" to ${join(app.outdir, "stacks", "lab")}; policy rules passed\n`);
