// npm run bench -- --load [--rates 100,200,400,800,1600] [--seconds 10] [--concurrency 100]
//   [--tone-seconds 16] [--burst-gap 15] [--steps signalling,deposits,bursts,capacity]
// The load and capacity benchmark, against a mixed lab of its own (lab/bench/load-plan.ts holds the
// flags and their bounds). Figures, not assertions; traffic goes only to the lab's own containers.
import { loadavg } from "node:os";
import { defaultLab } from "../../constructs/default-lab.js";
import { FloodLimit } from "../../constructs/flood-limit.js";
import type { UmLab } from "../../constructs/lab.js";
import { UsageError } from "../../nodes/usage-error.js";
import { LocalLab, type StartedLocalLab } from "../runtime/local-lab.js";
import { capacityBurst, depositBurst, hostedUsers } from "./load-deposits.js";
import {
  capacityHeld,
  capacityTable,
  type DepositRow,
  depositsAllGood,
  depositTable,
  type LoadFlags,
  type LoadOptions,
  parseLoadFlags,
  signallingTable,
} from "./load-plan.js";
import { runSignalling } from "./load-signalling.js";

/**
 * The benchmark's front end counts every source as usual (pike stays in the path), but bans only
 * past 100000 requests a second: the one SIPp caller sends up to ~5 requests per call.
 */
export const LOAD_FLOOD_LIMIT = FloodLimit.of({ requests: 100_000, windowSeconds: 1, banSeconds: 60 });

/** The benchmark's lab model: mixed (both UMs, the edge), the raised flood limit. */
export function loadLabModel(): UmLab {
  // noAnswerSeconds 8 > a call's 5 s answer timeout: a call the callee's SIPp did not answer in time
  // fails, rather than being diverted to voice mail and counted as completed.
  return defaultLab({ mode: "mixed", noAnswerSeconds: 8, frontEndFloodLimit: LOAD_FLOOD_LIMIT });
}

/** The lab the benchmark runs against, without packet capture (it would compete for the CPU). */
export async function startLoadLab(model: UmLab, instance: string, log: (line: string) => void): Promise<StartedLocalLab> {
  return new LocalLab(model, { instance, capture: false, log }).start();
}

/** Concurrent calls the hosted path takes: the smaller of the edge's and the hosted UM's capacity (the model's). */
export function hostedPathCapacity(model: UmLab): number {
  const capacities = [model.edge?.capacity, model.hostedUm?.capacity].filter((c): c is number => c !== undefined);
  if (capacities.length === 0) throw new Error("the lab has no hosted path (edge, hosted UM)");
  return Math.min(...capacities);
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

async function signallingStep(lab: StartedLocalLab, o: LoadOptions, log: (line: string) => void): Promise<void> {
  log(`front end flood limit in this lab: ${LOAD_FLOOD_LIMIT} (raised, not exempt: pike still counts every request)`);
  const rows = await runSignalling(lab, o.rates, o.seconds, log);
  console.log(`\n(1) signalling through the front end (digest auth, registered callee) vs SIPp direct, ${o.seconds} s per rate`);
  for (const line of signallingTable(rows)) console.log(line);
}

function printDeposits(title: string, rows: readonly DepositRow[]): void {
  console.log(`\n${title}`);
  for (const line of depositTable(rows)) console.log(line);
}

/** Step 2: `concurrency` deposits at once to the first hosted user, through front end, edge and hosted UM. */
async function depositStep(lab: StartedLocalLab, o: LoadOptions, log: (line: string) => void): Promise<boolean> {
  const [callee] = hostedUsers(lab);
  if (!callee) throw new Error("the lab has no hosted user");
  log(`deposits: ${o.concurrency} at once to ${callee.name}, ${o.toneSeconds} s of tone each`);
  const row = await depositBurst(lab, callee, o.concurrency, o.toneSeconds, "concurrent");
  printDeposits(`(2) ${o.concurrency} concurrent deposits with media: front end -> edge (rtpengine) -> hosted UM`, [row]);
  return depositsAllGood(row);
}

/** Step 3: a burst to one hosted user, then, `burstGapSeconds` after it ended, a burst to another. */
async function burstStep(lab: StartedLocalLab, o: LoadOptions, log: (line: string) => void): Promise<boolean> {
  const [, first, second] = hostedUsers(lab);
  if (!first || !second) throw new Error("the lab needs three hosted users for the burst step");
  log(`bursts: ${o.concurrency} deposits to ${first.name}, then ${o.burstGapSeconds} s later ${o.concurrency} to ${second.name}`);
  const a = await depositBurst(lab, first, o.concurrency, o.toneSeconds, "burst 1");
  await new Promise((r) => setTimeout(r, o.burstGapSeconds * 1000));
  const b = await depositBurst(lab, second, o.concurrency, o.toneSeconds, `burst 2 (+${o.burstGapSeconds} s)`);
  printDeposits(`(3) back-to-back bursts of ${o.concurrency} deposits, ${o.burstGapSeconds} s apart (0 failures wanted)`, [a, b]);
  return depositsAllGood(a) && depositsAllGood(b);
}

/** Step 4: capacity + 1 deposits at once on the hosted path; exactly the surplus must be refused (503, Retry-After). */
async function capacityStep(lab: StartedLocalLab, model: UmLab, o: LoadOptions, log: (line: string) => void): Promise<boolean> {
  const capacity = hostedPathCapacity(model);
  log(
    `capacity: ${capacity + 1} deposits at once; the hosted path takes ${capacity} (edge ${model.edge?.capacity}, hosted UM ${model.hostedUm?.capacity})`,
  );
  const row = await capacityBurst(lab, capacity, o.toneSeconds);
  console.log(`\n(4) capacity + 1 deposits at once on the hosted path: exactly the surplus refused with 503 and Retry-After`);
  for (const line of capacityTable(row)) console.log(line);
  return capacityHeld(row);
}

/** Runs the chosen steps against a lab of its own, printing a table per step; the lab is removed afterwards. */
export async function benchLoad(o: LoadOptions): Promise<boolean> {
  const log = (line: string) => console.log(line);
  const model = loadLabModel();
  // An instance of its own per run: two benchmarks started side by side do not collide.
  const lab = await startLoadLab(model, `bench-load-${process.pid}`, log);
  let ok = true;
  try {
    log(`lab up; load average ${load()}`);
    if (o.steps.includes("signalling")) await signallingStep(lab, o, log);
    if (o.steps.includes("deposits")) ok = (await depositStep(lab, o, log)) && ok;
    if (o.steps.includes("bursts")) ok = (await burstStep(lab, o, log)) && ok;
    if (o.steps.includes("capacity")) ok = (await capacityStep(lab, model, o, log)) && ok;
    log(`load average at the end: ${load()}`);
  } catch (err) {
    ok = false;
    console.error(`load benchmark failed: ${(err as Error).message}`);
  } finally {
    await lab.stop();
  }
  return ok;
}

/** `npm run bench -- --load ...`: the exit code; a bad flag is said in one line (exit code 2), without a stack. */
export async function runLoadBench(flags: LoadFlags): Promise<number> {
  let options: LoadOptions;
  try {
    options = parseLoadFlags(flags);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`npm run bench -- --load: ${err.message}`);
    return err.exitCode;
  }
  return (await benchLoad(options)) ? 0 : 1;
}
