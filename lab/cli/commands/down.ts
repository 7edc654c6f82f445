import { ExitCode } from "../../../constructs/errors.js";
import { destroyInstance, findInstances } from "../../runtime/local-lab.js";
import { instanceName } from "../command.js";
import { out } from "../io.js";

export async function run({ values }: { values: { instance?: string; all?: boolean } }): Promise<number> {
  const instance = instanceName(values.instance);
  const targets = values.all ? await findInstances() : [instance];
  for (const t of targets) {
    const removed = await destroyInstance(t);
    out(`lab ${t}: removed ${removed.containers} container(s), ${removed.networks} network(s)`);
  }
  if (targets.length === 0) out("no umlab labs run here");
  return ExitCode.ok;
}
