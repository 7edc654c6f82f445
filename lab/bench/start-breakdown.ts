import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { DeploymentMode } from "../../constructs/index.js";
import { destroyInstance } from "../runtime/local-lab.js";
import type { StartTimings } from "../runtime/start-timings.js";

const UMLAB = fileURLToPath(new URL("../../bin/umlab.mjs", import.meta.url));

/** Seconds a `node bin/umlab.mjs ...` child takes from spawn to exit; fails on a non-zero exit. */
function timeUmlab(args: readonly string[]): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [UMLAB, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) resolve(seconds);
      else {
        // The command's own message (`umlab: ...`), without the stack it prints for an unexpected error.
        const message = err
          .slice(Math.max(0, err.indexOf("umlab: ")))
          .split(/\n\s+at /)[0]
          ?.trim();
        reject(new Error(`umlab ${args.join(" ")} exited ${code}: ${message}`));
      }
    });
  });
}

/** What a user waits for: `umlab up` as a command, from the moment it starts until it exits with the lab healthy. */
export interface CliFigures {
  /** `umlab --version`: Node, tsx and the command line's own modules, no Docker library */
  readonly cliStartSeconds: number;
  /** `umlab up --mode <mode>` to its exit (healthy), Node start-up included */
  readonly upSeconds: number;
}

/** Times `umlab up` for one mode as a child process (a lab of its own, removed afterwards). */
export async function cliUp(mode: DeploymentMode, instance: string): Promise<CliFigures> {
  const cliStartSeconds = await timeUmlab(["--version"]);
  try {
    return { cliStartSeconds, upSeconds: await timeUmlab(["up", "--mode", mode, "--instance", instance]) };
  } finally {
    await destroyInstance(instance);
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The in-process start, phase by phase, then the nodes by the moment they were healthy; the command's figures if measured. */
export function breakdownLines(mode: string, cli: CliFigures | undefined, t: StartTimings): string[] {
  const inProcess = t.phases.reduce((a, p) => a + p.ms, 0);
  const lines = [
    ...(cli
      ? [
          `${mode}: \`umlab up\` to healthy ${cli.upSeconds.toFixed(2)} s (command start included)`,
          `  command start (node, tsx, CLI; \`umlab --version\`)  ${cli.cliStartSeconds.toFixed(2)} s`,
        ]
      : [`${mode}:`]),
    `  in-process start (LocalLab.start)                     ${s(inProcess)}`,
    ...t.phases.map((p) => `    ${p.phase.padEnd(50)} ${s(p.ms)}`),
    "    nodes (since the nodes phase began): container running -> healthy",
  ];
  // Nodes of one container with no probe of their own (the phone bank's phones) share one line.
  const rows = new Map<string, { names: string[]; runningMs: number; healthyMs: number }>();
  for (const n of t.nodes) {
    const key = n.node.startsWith("phone-") ? "phones" : n.node;
    const row = rows.get(key) ?? { names: [], runningMs: 0, healthyMs: 0 };
    row.names.push(n.node);
    rows.set(key, { ...row, runningMs: Math.max(row.runningMs, n.runningMs), healthyMs: Math.max(row.healthyMs, n.healthyMs) });
  }
  for (const r of [...rows.values()].sort((a, b) => a.healthyMs - b.healthyMs)) {
    const name = r.names.length > 1 ? `phones (${r.names.length})` : (r.names[0] as string);
    lines.push(`      ${name.padEnd(18)} ${s(r.runningMs).padStart(8)} -> ${s(r.healthyMs).padStart(8)}`);
  }
  return lines;
}
