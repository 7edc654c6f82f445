// npm run bench [-- --cold] [-- --modes mixed,on-premises]
// Prints, per mode: seconds from `up` to healthy (images already built), seconds from `up` to the
// first verified deposit, and the lab's memory; with --cold also each image's build time without
// cache. Figures, not assertions: speed targets are read here, never timed inside tests.
import { parseArgs } from "node:util";
import { DEPLOYMENT_MODES, type DeploymentMode, defaultLab } from "../../constructs/index.js";
import { checkDeposit } from "../calls/checks.js";
import { dockerApi } from "../runtime/docker.js";
import { buildImage, ensureImage, IMAGE_NAMES, IMAGES_DIR, removeImage } from "../runtime/images.js";
import { LocalLab } from "../runtime/local-lab.js";

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
}

/** One mode: `up` to healthy, then the first deposit, then the lab's memory; the lab is removed afterwards. */
async function benchMode(mode: DeploymentMode): Promise<ModeFigures> {
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
      memoryMb: await memoryMb(lab.topology.nodes.map((n) => n.container)),
      containers: lab.topology.nodes.length,
    };
  } finally {
    await lab.stop();
  }
}

function printTable(rows: readonly ModeFigures[]): void {
  console.log("\nmode             up->healthy  up->1st deposit  deposit call  healthy/deposit  containers  memory");
  for (const r of rows) {
    console.log(
      `${r.mode.padEnd(16)} ${r.upToHealthy.toFixed(1).padStart(9)} s ${r.upToFirstDeposit.toFixed(1).padStart(14)} s ${r.depositSeconds.toFixed(1).padStart(11)} s ${(r.upToHealthy / r.upToFirstDeposit).toFixed(2).padStart(16)} ${String(r.containers).padStart(11)} ${r.memoryMb.toFixed(0).padStart(6)} MB`,
    );
  }
  console.log("(the deposit call includes a 3 s test tone; healthy/deposit is the share of time spent bringing the lab up)");
}

const { values } = parseArgs({ options: { cold: { type: "boolean" }, modes: { type: "string" } } });
const modes = (values.modes?.split(",") ?? [...DEPLOYMENT_MODES]) as DeploymentMode[];
if (values.cold) await coldBuilds();
for (const name of IMAGE_NAMES) await ensureImage(name, (l) => console.log(l));
const rows: ModeFigures[] = [];
for (const mode of modes) rows.push(await benchMode(mode));
printTable(rows);
