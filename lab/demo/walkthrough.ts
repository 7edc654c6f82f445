import { createInterface } from "node:readline/promises";
import pc from "picocolors";
import type { UmLab } from "../../constructs/lab.js";
import { type RoutingTable, routesOf } from "../../constructs/routes.js";
import type { TopologyUser } from "../../constructs/topology.js";
import { topologyDiagram } from "../../nodes/graph/topology-diagram.js";
import { type CheckResult, tenantOf } from "../calls/checks.js";
import { listMessages } from "../calls/mailbox.js";
import { checksView, diagramView, routesView } from "../cli/views.js";
import { RecordingCollector } from "../report/recordings.js";
import { writeReport } from "../report/write.js";
import { LocalLab, type Log, type StartedLocalLab } from "../runtime/local-lab.js";
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
  const results = await step.run(lab);
  for (const r of results) record(r);
  o.say(checksView(results));
  if (step.mailboxOf) await showMailbox(lab, step.mailboxOf, o);
  return results;
}

/** The fault step: the fault scenarios' registry (lab/faults) is not part of this build yet. */
function faultStep(o: WalkthroughOptions, n: number): void {
  narrate(o, n, {
    title: "A fault, its diagnosis, and the fix",
    lync: "When a hop breaks (UM down, a missing SRV record, an unverified provider), Test-CsExUMConnectivity names the hop and the cause.",
    lab: "Skipped: this build has no fault scenarios (umlab fault) to inject; the steps above are the healthy lab.",
  });
}

/**
 * The guided demo of one mode: brings the lab up, shows its picture and routing table, then walks
 * through the calls of ExUM (each with what Lync would do and what the lab does, the results and
 * where the message landed), waiting for Enter between steps unless `auto`. Leaves the lab running.
 * Returns every check result; the report (if asked) shows them with their recordings.
 */
export async function walkthrough(model: UmLab, o: WalkthroughOptions): Promise<CheckResult[]> {
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
  faultStep(o, steps.length + 1);
  if (o.report) {
    const recordings = await collector.recordings();
    await writeReport(o.report, { topology: lab.topology, routes, results, recordings, startedAt, finishedAt: new Date() });
    o.log(`report written to ${o.report}`);
  }
  return results;
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
