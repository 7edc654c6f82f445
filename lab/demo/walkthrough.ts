import { createInterface } from "node:readline/promises";
import pc from "picocolors";
import type { UmLab } from "../../constructs/lab.js";
import { type RoutingTable, routesOf } from "../../constructs/routes.js";
import type { TopologyUser } from "../../constructs/topology.js";
import { topologyDiagram } from "../../nodes/graph/topology-diagram.js";
import { type CheckResult, tenantOf, withCallIds } from "../calls/checks.js";
import { listMessages } from "../calls/mailbox.js";
import { checksView, diagramView, routesView } from "../cli/views.js";
import { laddersOf } from "../report/ladders.js";
import { RecordingCollector } from "../report/recordings.js";
import { writeReport } from "../report/write.js";
import { LocalLab, type Log, type StartedLocalLab } from "../runtime/local-lab.js";
import { renderLadderText } from "../trace/index.js";
import { demoFault, runFault } from "./fault-step.js";
import { type DemoStep, demoSteps } from "./script.js";

export interface WalkthroughOptions {
  readonly instance: string;
  /** Run every step without waiting for Enter. @default false */
  readonly auto?: boolean;
  /** Write the report page of the demo's calls here. @default none */
  readonly report?: string;
  /** What the room reads (stdout). */
  readonly say: Log;
  /** Progress (stderr). */
  readonly log: Log;
}

/** Waits for Enter between steps, unless --auto or nobody is at a terminal. */
async function pause(o: WalkthroughOptions, next: string): Promise<void> {
  if (o.auto || !process.stdin.isTTY) return;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  await rl.question(pc.dim(`\n[Enter] ${next} `));
  rl.close();
}

function narrate(o: WalkthroughOptions, n: number, step: Pick<DemoStep, "title" | "lync" | "lab">): void {
  o.say(`\n${pc.bold(pc.cyan(`Step ${n}. ${step.title}`))}`);
  o.say(`${pc.bold("Lync:")} ${step.lync}`);
  o.say(`${pc.bold("Lab: ")} ${step.lab}`);
}

async function showMailbox(lab: StartedLocalLab, u: TopologyUser, o: WalkthroughOptions): Promise<void> {
  const mine = (await listMessages(lab, { node: u.mailboxNode, mailbox: u.extension })).filter((m) => m.tenant === tenantOf(u));
  o.say(pc.bold(`Where the message landed: ${u.name}'s mailbox on ${u.mailboxNode}, ${tenantOf(u)}/${u.extension}`));
  for (const m of mine) o.say(`  ${m.folder.padEnd(6)} ${m.id}  from ${m.caller}  ${m.durationSeconds} s  ${m.receivedAt}`);
  if (mine.length === 0) o.say("  (empty)");
}

/** Runs one step: narration, the calls, their results, and where the message landed. */
async function runStep(lab: StartedLocalLab, step: DemoStep, n: number, o: WalkthroughOptions, record: (r: CheckResult) => void) {
  narrate(o, n, step);
  const results = await withCallIds(() => step.run(lab)); // each result names its calls, for its ladder
  for (const r of results) record(r);
  o.say(checksView(results));
  await showLadders(lab, results, o);
  if (step.mailboxOf) await showMailbox(lab, step.mailboxOf, o);
  return results;
}

/** The ladder of each call the step placed, from the lab's capture (lab/trace), as sngrep would draw it. */
async function showLadders(lab: StartedLocalLab, results: readonly CheckResult[], o: WalkthroughOptions): Promise<void> {
  const { ladders, missing } = await laddersOf(lab, results);
  if (missing) o.say(pc.dim(missing));
  for (const { ladder } of ladders.values()) o.say(`\n${renderLadderText(ladder)}`);
}

/** The fault step: break the UM, let the check name the hop and the cause, show the ladder, then clear. */
async function faultStep(lab: StartedLocalLab, o: WalkthroughOptions, n: number, record: (r: CheckResult) => void) {
  const scenario = demoFault(lab.topology);
  narrate(o, n, {
    title: `A fault${scenario ? ` (${scenario})` : ""}, its diagnosis, and the fix`,
    lync: "When a hop breaks (a UM down, a missing SRV record, an expired certificate), Test-CsExUMConnectivity fails and names the hop and the cause.",
    lab: scenario
      ? `umlab fault inject ${scenario}, then the same connectivity check: it fails, and says which hop and why from the lab's own evidence; umlab fault clear puts it back (umlab fault list shows every scenario).`
      : "Skipped: this build has no fault scenarios (umlab fault) to inject.",
  });
  const run = await runFault(lab, o.log);
  if (!run) return { expectedToFail: [], problems: [] };
  o.say(pc.dim(`${run.summary}; what a user sees: ${run.symptom}`));
  for (const r of run.broken) record(r);
  o.say(checksView(run.broken));
  await showLadders(lab, run.broken, o);
  o.say(pc.bold(`Cleared ${run.scenario}; the check again:`));
  for (const r of run.healed) record(r);
  o.say(checksView(run.healed));
  // The checks made while the fault was active are meant to fail; if none did, the fault did not show.
  const shown = run.broken.some((r) => r.result !== "Success");
  return { expectedToFail: run.broken, problems: shown ? [] : run.broken };
}

/**
 * The guided demo of one mode: brings the lab up, shows its picture and routing table, then walks
 * through the calls of ExUM (each with what Lync would do and what the lab does, the results and
 * where the message landed), waiting for Enter between steps unless `auto`. Leaves the lab running.
 * Returns every check result, and those that failed although no fault was meant to break them.
 */
export async function walkthrough(model: UmLab, o: WalkthroughOptions): Promise<{ results: CheckResult[]; unexpected: CheckResult[] }> {
  o.say(pc.bold(`umlab demo: Lync Server 2013 + Exchange UM, ${model.mode} mode`));
  narrate(o, 0, {
    title: `Bring the ${model.mode} lab up`,
    lync: introOf(model),
    lab: "Kamailio, Asterisk, rtpengine and SIPp phones start as containers on internal Docker networks, configured from one typed model.",
  });
  // A fresh lab, as `up` makes it: a lab left with messages would change what the MWI steps count.
  const lab = await new LocalLab(model, { instance: o.instance, log: o.log }).start();
  const routes: RoutingTable = routesOf(model, lab.topology);
  o.say(diagramView(topologyDiagram(lab.topology, routes), lab.topology));
  o.say(routesView(routes));
  const collector = new RecordingCollector(lab);
  const results: CheckResult[] = [];
  const startedAt = new Date();
  const steps = demoSteps(lab.topology, routes);
  for (const [i, step] of steps.entries()) {
    await pause(o, step.title);
    results.push(...(await runStep(lab, step, i + 1, o, collector.observe)));
  }
  await pause(o, "a fault");
  const fault = await faultStep(lab, o, steps.length + 1, (r) => results.push(r));
  if (o.report) await report(lab, o, { routes, results, collector, startedAt });
  const unexpected = results.filter((r) => r.result !== "Success" && !fault.expectedToFail.includes(r));
  return { results, unexpected: [...unexpected, ...fault.problems] };
}

async function report(
  lab: StartedLocalLab,
  o: WalkthroughOptions,
  run: { routes: RoutingTable; results: CheckResult[]; collector: RecordingCollector; startedAt: Date },
): Promise<void> {
  const { ladders, missing } = await laddersOf(lab, run.results);
  const recordings = await run.collector.recordings();
  await writeReport(o.report as string, {
    topology: lab.topology,
    routes: run.routes,
    results: run.results,
    recordings,
    ladders,
    ...(missing ? { laddersMissing: missing } : {}),
    startedAt: run.startedAt,
    finishedAt: new Date(),
  });
  o.log(`report written to ${o.report}`);
}

function introOf(model: UmLab): string {
  const what = {
    "on-premises": "the front end pool and Exchange UM both sit in the corporate network; no edge, no provider.",
    "cross-premises":
      "the front end is on premises and every mailbox is hosted: voice mail reaches the provider's Exchange UM through the Edge (shared SIP address space).",
    mixed:
      "some mailboxes are on premises and some hosted, so the front end routes each user's voice mail by their hosted voice mail setting.",
  } as const;
  return `In ${model.mode} mode ${what[model.mode]}`;
}
