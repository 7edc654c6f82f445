import { ExitCode } from "../../../constructs/errors.js";
import { loadLab, parseMode } from "../../../nodes/lab-file.js";
import { LocalLab } from "../../runtime/local-lab.js";
import { DEFAULT_INSTANCE, instanceName } from "../command.js";
import { out, progress } from "../io.js";
import { describeTopology, printableTopology } from "../print.js";

export async function run({ values }: { values: { mode?: string; config?: string; instance?: string; json?: boolean } }): Promise<number> {
  const instance = instanceName(values.instance);
  const lab = await loadLab(parseMode(values.mode, undefined), values.config);
  const started = await new LocalLab(lab, { instance, log: progress }).start();
  if (values.json) out(JSON.stringify(printableTopology(started.topology), null, 2));
  else
    out(
      `${describeTopology(started.topology)}\n\nNext: umlab test${instance === DEFAULT_INSTANCE ? "" : ` --instance ${instance}`}   (umlab down to remove it)`,
    );
  return ExitCode.ok;
}
