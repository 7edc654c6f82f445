import { relative } from "node:path";
import { ExitCode } from "../../../constructs/errors.js";
import { exportCapture } from "../../capture/read.js";
import { StartedLocalLab } from "../../runtime/local-lab.js";
import { instanceName } from "../command.js";
import { out, progress } from "../io.js";

export async function run({ values }: { values: { instance?: string; out?: string; json?: boolean } }): Promise<number> {
  const instance = instanceName(values.instance);
  const dir = values.out ?? `.umlab/capture/${instance}`;
  const lab = await StartedLocalLab.attach(instance);
  if (!values.json) progress(`exporting the captures of lab ${instance} to ${dir}`);
  const files = await exportCapture(lab.topology, dir);
  if (values.json) {
    out(JSON.stringify({ instance, dir, files }, null, 2));
    return ExitCode.ok;
  }
  for (const f of files) {
    if (f.file) out(`${relative(".", f.file).padEnd(40)} ${String(f.bytes).padStart(9)} bytes  ${f.what}`);
    else out(`${`${f.name}: skipped`.padEnd(56)}  ${f.skipped}`);
  }
  const sip = files.find((f) => f.name === "edge-sip" && f.file) ?? files.find((f) => f.file);
  if (sip?.file)
    out(`\nOpen with Wireshark, or: sngrep -I ${relative(".", sip.file)}   (live: docker exec -it umlab-${instance}-frontend sngrep)`);
  return ExitCode.ok;
}
