import { writeFile } from "node:fs/promises";
import { ExitCode, lit } from "../../../constructs/errors.js";
import { UsageError } from "../../../nodes/usage-error.js";
import { checkCallsOf, findCheck } from "../../capture/check-calls.js";
import { readCapture } from "../../capture/read.js";
import { StartedLocalLab } from "../../runtime/local-lab.js";
import { type CallSelector, ladderOf } from "../../trace/ladder.js";
import { renderLadderHtml } from "../../trace/ladder-svg.js";
import { renderLadderText } from "../../trace/ladder-text.js";
import { instanceName } from "../command.js";
import { out, progress } from "../io.js";

interface TraceValues {
  instance?: string;
  call?: string;
  last?: boolean;
  check?: string;
  html?: string;
  json?: boolean;
}

/** --call, --check or --last (the default): one of them. */
async function selectorOf(lab: StartedLocalLab, values: TraceValues): Promise<{ select: CallSelector; title: string }> {
  const given = [values.call !== undefined, values.check !== undefined, values.last === true].filter(Boolean).length;
  if (given > 1) throw new UsageError(lit`OptionConflict`, "trace: give one of --call, --check and --last");
  if (values.call !== undefined) return { select: { callId: values.call }, title: `Call ${values.call}` };
  if (values.check === undefined) return { select: { last: true }, title: "The last call" };
  const recorded = await checkCallsOf(lab);
  const found = findCheck(recorded, values.check);
  if (!found) {
    const known = [...new Set(recorded.map((r) => r.check))];
    throw new UsageError(
      lit`CheckUnknown`,
      `trace: no check ${JSON.stringify(values.check)} has placed calls on lab ${lab.instance}; ${
        known.length ? `recorded: ${known.join(", ")}` : "run `umlab test` first"
      }`,
    );
  }
  return {
    select: { callIds: found.callIds },
    title: `${found.check}: ${found.target} (${found.result}, ${found.at})`,
  };
}

export async function run({ values }: { values: TraceValues }): Promise<number> {
  const lab = await StartedLocalLab.attach(instanceName(values.instance));
  const { select, title } = await selectorOf(lab, values);
  const ladder = ladderOf(await readCapture(lab.topology), lab.topology, select);
  if (values.html) {
    await writeFile(values.html, renderLadderHtml(ladder, { title }));
    progress(`ladder written to ${values.html}`);
  }
  if (values.json) out(JSON.stringify({ title, ...ladder }, null, 2));
  else out(`${title}\n${renderLadderText(ladder)}`);
  return ExitCode.ok;
}
