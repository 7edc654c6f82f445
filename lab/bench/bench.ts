// npm run bench [-- --cold] [-- --modes mixed,on-premises]
// Prints, per mode: seconds from `up` to healthy (images already built), seconds from `up` to the
// first verified deposit, and the lab's memory; with --cold also each image's build time without
// cache. Figures, not assertions: speed targets are read here, never timed inside tests.
// npm run bench -- --scale [--users N] [--tenants T]: a generated N-user mixed lab (default 200, two
// tenants) against the built-in one: up time, memory, their ratio, sample deposits (lab/bench/scale.ts).
// npm run bench -- --suite [--modes ...]: each mode's e2e file timed alone, then the three side by side,
// with the calls each placed (lab/bench/suite.ts).
// npm run bench -- --fuzz N [--seed S]: the robustness run (lab/robustness) with N fuzzed messages
// against a mixed lab of its own, then the survival checks; exit code 1 if the lab did not come through.
// npm run bench -- --load [--rates 100,200,400,800,1600] [--seconds 10] [--concurrency 100] [--tone-seconds 16]
//   [--burst-gap 15] [--steps signalling,deposits,bursts,capacity]: the load and capacity benchmark
//   (lab/bench/load.ts); exit code 1 if a deposit, a burst or the capacity limit did not hold.
import { parseArgs } from "node:util";
import { DEPLOYMENT_MODES, type DeploymentMode, defaultLab } from "../../constructs/index.js";
import { checkDeposit } from "../calls/checks.js";
import { daemonStates } from "../robustness/daemons.js";
import { runLines, sendRobustness } from "../robustness/run.js";
import { checkSurvival, floodLimitsOf, floodSafeRate, survivalLines, survived } from "../robustness/survival.js";
import { dockerApi } from "../runtime/docker.js";
import { buildImage, ensureImage, IMAGE_NAMES, IMAGES_DIR, removeImage } from "../runtime/images.js";
import { LocalLab } from "../runtime/local-lab.js";
import type { StartTimings } from "../runtime/start-timings.js";
import { runLoadBench } from "./load.js";
import { benchScale } from "./scale.js";
import { breakdownLines, type CliFigures, cliUp } from "./start-breakdown.js";
import { benchSuite } from "./suite.js";

const seconds = (since: number) => (Date.now() - since) / 1000;

/** Each image built without cache (base images present), through the same API path as `up`. */
async function coldBuilds(): Promise<void> {
  console.log("cold image builds (no cache, legacy builder, base images present):");
  for (const name of IMAGE_NAMES) {
    const tag = `umlab-bench-${name}:cold`;
    const r = await buildImage(name, { contextDir: IMAGES_DIR, tag }, { noCache: true }).then(
      (b) => `${b.seconds.toFixed(1)} s`,
      (err: Error) => `failed: ${err.message.slice(-300)}`,
    );
    console.log(`  ${name.padEnd(9)} ${r}`);
    await removeImage(tag);
  }
}

async function memoryMb(containers: string[]): Promise<number> {
  const d = await dockerApi();
  let bytes = 0;
  for (const c of containers) {
    const s = (await d.getContainer(c).stats({ stream: false })) as {
      memory_stats?: { usage?: number; stats?: { cache?: number; inactive_file?: number } };
    };
    bytes += (s.memory_stats?.usage ?? 0) - (s.memory_stats?.stats?.inactive_file ?? s.memory_stats?.stats?.cache ?? 0);
  }
  return bytes / 2 ** 20;
}

interface ModeFigures {
  mode: string;
  upToHealthy: number;
  upToFirstDeposit: number;
  depositSeconds: number;
  memoryMb: number;
  containers: number;
  cli: CliFigures;
  timings: StartTimings;
}

/** One mode: `up` to healthy, then the first deposit, then the lab's memory; the lab is removed afterwards. */
async function benchMode(mode: DeploymentMode): Promise<ModeFigures> {
  const cli = await cliUp(mode, `bench-cli-${mode}`);
  const started = Date.now();
  const lab = await new LocalLab(defaultLab({ mode, noAnswerSeconds: 3 }), { instance: `bench-${mode}` }).start();
  try {
    const healthy = seconds(started);
    const callee = lab.topology.users[0];
    if (!callee) throw new Error("the lab has no users");
    const callStarted = Date.now();
    const deposit = await checkDeposit(lab, callee, false, { noAnswerSeconds: 3 });
    if (deposit.result !== "Success") throw new Error(`first deposit failed in ${mode}: ${deposit.diagnosis}`);
    return {
      mode,
      upToHealthy: healthy,
      upToFirstDeposit: seconds(started),
      depositSeconds: seconds(callStarted),
      memoryMb: await memoryMb([...new Set(lab.topology.nodes.map((n) => n.container))]),
      containers: new Set(lab.topology.nodes.map((n) => n.container)).size,
      cli,
      timings: lab.startTimings ?? { phases: [], nodes: [] },
    };
  } finally {
    await lab.stop();
  }
}

function printTable(rows: readonly ModeFigures[]): void {
  for (const r of rows) console.log(`\n${breakdownLines(r.mode, r.cli, r.timings).join("\n")}`);
  console.log("\nmode             umlab up  up->healthy  up->1st deposit  deposit call  healthy/deposit  containers  memory");
  for (const r of rows) {
    console.log(
      `${r.mode.padEnd(16)} ${r.cli.upSeconds.toFixed(1).padStart(6)} s ${r.upToHealthy.toFixed(1).padStart(9)} s ${r.upToFirstDeposit.toFixed(1).padStart(14)} s ${r.depositSeconds.toFixed(1).padStart(11)} s ${(r.upToHealthy / r.upToFirstDeposit).toFixed(2).padStart(16)} ${String(r.containers).padStart(11)} ${r.memoryMb.toFixed(0).padStart(6)} MB`,
    );
  }
  console.log("(umlab up: the command as a child process, Node start-up included; the other columns: in process)");
  console.log("(the deposit call includes a 3 s test tone; healthy/deposit is the share of time spent bringing the lab up)");
}

/**
 * A long robustness run: `count` fuzzed messages (and the fixed cases) against a mixed lab of its
 * own, paced below the model's flood limit; then the survival checks. Returns whether the lab came through.
 */
async function benchFuzz(count: number, seed: number): Promise<boolean> {
  const model = defaultLab({ mode: "mixed", noAnswerSeconds: 3 });
  const rate = floodSafeRate(floodLimitsOf(model));
  const lab = await new LocalLab(model, { instance: "bench-fuzz", log: (l) => console.log(l) }).start();
  try {
    const before = await daemonStates(lab);
    const started = new Date();
    console.log(`robustness run: ${count} fuzzed messages, seed ${seed}, at most ${rate}/s from one sender to one server`);
    const run = await sendRobustness(lab, { fuzzCount: count, seed, ratePerSecond: rate, log: (l) => console.log(l) });
    const survival = await checkSurvival(lab, before, 3, started);
    for (const line of [...runLines(run, rate), ...survivalLines(survival)]) console.log(line);
    return survived(survival);
  } finally {
    await lab.stop();
  }
}

const { values } = parseArgs({
  options: {
    cold: { type: "boolean" },
    modes: { type: "string" },
    fuzz: { type: "string" },
    seed: { type: "string" },
    load: { type: "boolean" },
    rates: { type: "string" },
    seconds: { type: "string" },
    concurrency: { type: "string" },
    "tone-seconds": { type: "string" },
    "burst-gap": { type: "string" },
    steps: { type: "string" },
    scale: { type: "boolean" },
    suite: { type: "boolean" },
    users: { type: "string" },
    tenants: { type: "string" },
  },
});
if (values.suite) {
  process.exitCode = (await benchSuite((values.modes?.split(",") ?? [...DEPLOYMENT_MODES]) as DeploymentMode[])) ? 0 : 1;
} else if (values.scale) {
  for (const name of IMAGE_NAMES) await ensureImage(name, (l) => console.log(l));
  process.exitCode = (await benchScale(Number(values.users ?? 200), Number(values.tenants ?? 2), memoryMb)) ? 0 : 1;
} else if (values.load) {
  process.exitCode = await runLoadBench(values);
} else if (values.fuzz !== undefined) {
  const count = Number(values.fuzz);
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) throw new Error(`--fuzz ${values.fuzz}: allowed: 1 to 1000000 messages`);
  const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  process.exitCode = (await benchFuzz(count, seed)) ? 0 : 1;
} else {
  const modes = (values.modes?.split(",") ?? [...DEPLOYMENT_MODES]) as DeploymentMode[];
  if (values.cold) await coldBuilds();
  for (const name of IMAGE_NAMES) await ensureImage(name, (l) => console.log(l));
  const rows: ModeFigures[] = [];
  for (const mode of modes) rows.push(await benchMode(mode));
  printTable(rows);
}
