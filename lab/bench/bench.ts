// npm run bench [-- --cold] [-- --modes mixed,on-premises]
// Prints, per mode: seconds from `up` to healthy (images already built), seconds from `up` to the
// first verified deposit, and the lab's memory; with --cold also each image's build time without
// cache. Figures, not assertions: speed targets are read here, never timed inside tests.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DEPLOYMENT_MODES, type DeploymentMode, defaultLab } from "../../constructs/index.js";
import { checkDeposit } from "../calls/checks.js";
import { docker } from "../runtime/docker.js";
import { ensureImage, IMAGE_NAMES, IMAGES_DIR } from "../runtime/images.js";
import { LocalLab } from "../runtime/local-lab.js";

const { values } = parseArgs({ options: { cold: { type: "boolean" }, modes: { type: "string" } } });
const modes = (values.modes?.split(",") ?? [...DEPLOYMENT_MODES]) as DeploymentMode[];
const seconds = (since: number) => (Date.now() - since) / 1000;

if (values.cold) {
  console.log("cold image builds (docker build --no-cache, base images present):");
  for (const name of IMAGE_NAMES) {
    const started = Date.now();
    const tag = `umlab-bench-${name}:cold`;
    const r = spawnSync("docker", ["build", "--no-cache", "-q", "-t", tag, "-f", join(IMAGES_DIR, name, "Dockerfile"), IMAGES_DIR], {
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
      encoding: "utf8",
    });
    console.log(`  ${name.padEnd(9)} ${r.status === 0 ? `${seconds(started).toFixed(1)} s` : `failed: ${r.stderr.slice(-300)}`}`);
    spawnSync("docker", ["rmi", "-f", tag]);
  }
}

for (const name of IMAGE_NAMES) await ensureImage(name, (l) => console.log(l));

async function memoryMb(containers: string[]): Promise<number> {
  const d = (await docker()).container.dockerode;
  let bytes = 0;
  for (const c of containers) {
    const s = (await d.getContainer(c).stats({ stream: false })) as {
      memory_stats?: { usage?: number; stats?: { cache?: number; inactive_file?: number } };
    };
    bytes += (s.memory_stats?.usage ?? 0) - (s.memory_stats?.stats?.inactive_file ?? s.memory_stats?.stats?.cache ?? 0);
  }
  return bytes / 2 ** 20;
}

const rows: {
  mode: string;
  upToHealthy: number;
  upToFirstDeposit: number;
  depositSeconds: number;
  memoryMb: number;
  containers: number;
}[] = [];
for (const mode of modes) {
  const started = Date.now();
  const lab = await new LocalLab(defaultLab({ mode, noAnswerSeconds: 3 }), { instance: `bench-${mode}` }).start();
  try {
    const healthy = seconds(started);
    const callee = lab.topology.users[0];
    if (!callee) throw new Error("the lab has no users");
    const callStarted = Date.now();
    const deposit = await checkDeposit(lab, callee, false, { noAnswerSeconds: 3 });
    if (deposit.result !== "Success") throw new Error(`first deposit failed in ${mode}: ${deposit.diagnosis}`);
    rows.push({
      mode,
      upToHealthy: healthy,
      upToFirstDeposit: seconds(started),
      depositSeconds: seconds(callStarted),
      memoryMb: await memoryMb(lab.topology.nodes.map((n) => n.container)),
      containers: lab.topology.nodes.length,
    });
  } finally {
    await lab.stop();
  }
}

console.log("\nmode             up->healthy  up->1st deposit  deposit call  healthy/deposit  containers  memory");
for (const r of rows) {
  console.log(
    `${r.mode.padEnd(16)} ${r.upToHealthy.toFixed(1).padStart(9)} s ${r.upToFirstDeposit.toFixed(1).padStart(14)} s ${r.depositSeconds.toFixed(1).padStart(11)} s ${(r.upToHealthy / r.upToFirstDeposit).toFixed(2).padStart(16)} ${String(r.containers).padStart(11)} ${r.memoryMb.toFixed(0).padStart(6)} MB`,
  );
}
console.log("(the deposit call includes a 3 s test tone; healthy/deposit is the share of time spent bringing the lab up)");
