import { ExitCode } from "../../../constructs/errors.js";
import { StartedLocalLab } from "../../runtime/local-lab.js";
import { instanceName } from "../command.js";
import { out } from "../io.js";
import { describeTopology, printableTopology } from "../print.js";

export async function run({ values }: { values: { instance?: string; json?: boolean } }): Promise<number> {
  const lab = await StartedLocalLab.attach(instanceName(values.instance));
  const states = await lab.states();
  if (values.json) out(JSON.stringify(printableTopology(lab.topology, states), null, 2));
  else out(describeTopology(lab.topology, states));
  return Object.values(states).every((s) => s === "running") ? ExitCode.ok : ExitCode.failed;
}
