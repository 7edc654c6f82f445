// npm run bench -- --scale [--users N] [--tenants T]: a generated mixed lab of N users (default 200)
// against the built-in mixed lab: `up` to healthy and memory of each, the ratio, and a deposit to a
// sample of users on each UM and tenant (the checks' own deposit check: mailbox, Diversion, tone).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultLab, type TopologyUser } from "../../constructs/index.js";
import type { UmLab } from "../../constructs/lab.js";
import { generateLabFile } from "../../nodes/generated-lab.js";
import { loadLab } from "../../nodes/lab-file.js";
import { type CheckResult, checkDeposit, tenantOf } from "../calls/checks.js";
import { LocalLab, type StartedLocalLab } from "../runtime/local-lab.js";
import { breakdownLines } from "./start-breakdown.js";

export interface ScaleFigures {
  readonly lab: string;
  readonly users: number;
  readonly containers: number;
  readonly upSeconds: number;
  readonly memoryMb: number;
  readonly deposits: readonly CheckResult[];
}

/** Three users per UM and tenant: the first, one in the middle and the last. */
export function depositSample(users: readonly TopologyUser[]): TopologyUser[] {
  const groups = new Map<string, TopologyUser[]>();
  for (const u of users) {
    const key = `${u.mailboxNode} ${tenantOf(u)}`;
    groups.set(key, [...(groups.get(key) ?? []), u]);
  }
  return [...groups.values()].flatMap((g) => [...new Set([g[0], g[Math.floor(g.length / 2)], g[g.length - 1]])] as TopologyUser[]);
}

/** One lab: up (timed), memory, the sample's deposits side by side (each from a caller of its own), down. */
async function scaleRun(
  name: string,
  model: UmLab,
  instance: string,
  memoryMb: (containers: string[]) => Promise<number>,
): Promise<ScaleFigures> {
  const started = Date.now();
  let lab: StartedLocalLab | undefined;
  try {
    lab = await new LocalLab(model, { instance }).start();
    const upSeconds = (Date.now() - started) / 1000;
    const t = lab.topology;
    const containers = [...new Set(t.nodes.map((n) => n.container))];
    const memory = await memoryMb(containers);
    const ready = lab;
    const deposits = await Promise.all(depositSample(t.users).map((u) => checkDeposit(ready, u, false, { noAnswerSeconds: 3 })));
    if (lab.startTimings) console.log(breakdownLines(name, undefined, lab.startTimings).join("\n"));
    return { lab: name, users: t.users.length, containers: containers.length, upSeconds, memoryMb: memory, deposits };
  } finally {
    await lab?.stop();
  }
}

/** Writes the generated lab file under .umlab/bench (where `umlab up --config` can read it too) and loads it. */
async function generatedLab(users: number, tenants: number): Promise<{ file: string; lab: UmLab }> {
  const dir = join(".umlab", "bench");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `lab-${users}-users.mts`);
  writeFileSync(file, generateLabFile({ users, tenants, mode: "mixed", constructsImport: "../../constructs/index.js" }));
  return { file, lab: await loadLab(undefined, file) };
}

/** The scale run: prints both labs' figures, the ratios and each deposit; returns whether every deposit passed. */
export async function benchScale(users: number, tenants: number, memoryMb: (containers: string[]) => Promise<number>): Promise<boolean> {
  const { file, lab } = await generatedLab(users, tenants);
  console.log(`scale: generated ${file} (${users} users, mixed, ${tenants} hosted tenants)`);
  const builtIn = await scaleRun("built-in mixed", defaultLab({ mode: "mixed", noAnswerSeconds: 3 }), "bench-scale-builtin", memoryMb);
  const big = await scaleRun(`${users}-user mixed`, lab, "bench-scale-big", memoryMb);
  console.log("\nlab                  users  containers  up->healthy  memory   deposits (sample, tone-checked)");
  for (const r of [builtIn, big]) {
    const passed = r.deposits.filter((d) => d.result === "Success").length;
    console.log(
      `${r.lab.padEnd(20)} ${String(r.users).padStart(5)} ${String(r.containers).padStart(11)} ${r.upSeconds.toFixed(1).padStart(10)} s ${r.memoryMb.toFixed(0).padStart(5)} MB   ${passed}/${r.deposits.length}`,
    );
  }
  console.log(
    `ratio (${users}-user / built-in): up ${(big.upSeconds / builtIn.upSeconds).toFixed(2)}x (goal <= 1.5x), memory ${(big.memoryMb / builtIn.memoryMb).toFixed(2)}x`,
  );
  for (const d of big.deposits)
    console.log(`  ${d.result.padEnd(7)} ${d.check}: ${d.target} (${(d.latencyMs / 1000).toFixed(1)} s) ${d.diagnosis}`);
  return [...builtIn.deposits, ...big.deposits].every((d) => d.result === "Success");
}
