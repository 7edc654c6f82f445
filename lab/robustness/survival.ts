import type { UmLab } from "../../constructs/lab.js";
import type { TopologyUser } from "../../constructs/topology.js";
import { kindOf } from "../../nodes/kinds.js";
import { type CheckResult, checkConnectivity, checkDeposit } from "../calls/checks.js";
import { logText } from "../runtime/container-logs.js";
import { dockerApi } from "../runtime/docker.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import { type DaemonState, daemonChanges, daemonStates, serverNodes } from "./daemons.js";

/** A flood limit as the model states it (FrontEnd's and KamailioEdge's floodLimit). */
export interface FloodLimitLike {
  readonly requests: number;
  readonly windowSeconds: number;
}

/** The flood limits of a model's SIP servers (front end, edge): the fuzzer's pace is derived from them. */
export function floodLimitsOf(lab: UmLab): FloodLimitLike[] {
  return [lab.frontEnd?.floodLimit, lab.edge?.floodLimit].flatMap((l) => (l ? [l] : []));
}

/**
 * The rate one sender keeps to: half the average rate the strictest server's flood limit allows
 * (Kamailio's pike may ban anywhere from the limit up, by how a burst falls across its windows),
 * so that the fuzzer is never mistaken for a flood and banned: what it tests is the parser.
 */
export function floodSafeRate(limits: readonly (FloodLimitLike | undefined)[], fallback = 16): number {
  const rates = limits.filter((l): l is FloodLimitLike => l !== undefined).map((l) => l.requests / l.windowSeconds / 2);
  return rates.length === 0 ? fallback : Math.max(1, Math.floor(Math.min(...rates)));
}

/** The deposits that prove the lab still works: the first user of each mailbox location. */
export function depositUsers(users: readonly TopologyUser[]): TopologyUser[] {
  const onPrem = users.find((u) => u.mailbox === "on-premises");
  const hosted = users.find((u) => u.mailbox === "hosted");
  return [onPrem, hosted].filter((u): u is TopologyUser => u !== undefined);
}

export interface Survival {
  /** restarted containers, daemon processes gone: empty when every daemon kept its PID */
  readonly changes: readonly string[];
  /** flood bans the front end or the edge logged during the run: empty when the pace was right */
  readonly bans: readonly string[];
  /** each server's own health probe (Kamailio: OPTIONS to itself; Asterisk: fully booted) */
  readonly probes: readonly { readonly node: string; readonly ok: boolean; readonly detail: string }[];
  /** OPTIONS from the front end to each UM's pilot, through the edge where hosted */
  readonly connectivity: readonly CheckResult[];
  /** a deposit with the test tone per mailbox location */
  readonly deposits: readonly CheckResult[];
}

/** Whether the lab came through: same PIDs, every probe and check passed. */
export function survived(s: Survival): boolean {
  return (
    s.changes.length === 0 &&
    s.bans.length === 0 &&
    s.probes.every((p) => p.ok) &&
    [...s.connectivity, ...s.deposits].every((r) => r.result === "Success")
  );
}

/**
 * After a run: every daemon still runs with the PID it had in `before` (none crashed or was
 * restarted), every server answers its health probe, the front end reaches each UM by OPTIONS, and
 * a voice-mail deposit with the tone passes for an on-premises and a hosted mailbox.
 */
export async function checkSurvival(
  lab: StartedLocalLab,
  before: readonly DaemonState[],
  noAnswerSeconds: number,
  since: Date,
): Promise<Survival> {
  const changes = daemonChanges(before, await daemonStates(lab));
  const bans = await floodBans(lab, since);
  const probes = await Promise.all(
    serverNodes(lab.topology.nodes)
      .filter((n) => kindOf(n).healthProbe(n) !== undefined)
      .map((n) =>
        lab.waitHealthy(n, 15_000).then(
          () => ({ node: n.name, ok: true, detail: "healthy" }),
          (err: Error) => ({ node: n.name, ok: false, detail: err.message.split("\n")[0] ?? "" }),
        ),
      ),
  );
  const connectivity = await checkConnectivity(lab);
  const deposits: CheckResult[] = [];
  for (const u of depositUsers(lab.topology.users)) deposits.push(await checkDeposit(lab, u, false, { noAnswerSeconds }));
  return { changes, bans, probes, connectivity, deposits };
}

/**
 * The flood bans (antiflood.cfg's "umlab flood:" line) the front end and the edge logged since
 * `since`: a banned sender's messages are dropped before any parser sees them, so a run with a ban
 * tested less than it says.
 */
async function floodBans(lab: StartedLocalLab, since: Date): Promise<string[]> {
  const servers = lab.topology.nodes.filter((n) => n.role === "frontend" || n.role === "edge");
  const lines = await Promise.all(
    servers.map(async (n) => {
      const raw = await (await dockerApi())
        .getContainer(n.container)
        .logs({ stdout: true, stderr: true, follow: false, since: Math.floor(since.getTime() / 1000) });
      const text = logText(Buffer.isBuffer(raw) ? raw : Buffer.from(raw));
      return text
        .split("\n")
        .filter((l) => l.includes("umlab flood:"))
        .map((l) => `${n.name}: ${l.slice(l.indexOf("umlab flood:"))}`);
    }),
  );
  return lines.flat();
}

/** The lines a person reads: what was sent, how fast, and whether the lab came through. */
export function survivalLines(s: Survival): string[] {
  const results = [...s.connectivity, ...s.deposits];
  return [
    s.changes.length === 0 ? "every daemon kept its PID (no crash, no restart)" : `daemons changed: ${s.changes.join("; ")}`,
    s.bans.length === 0 ? "no sender was banned by a flood limit (every message reached a parser)" : `flood bans: ${s.bans.join("; ")}`,
    ...s.probes.map((p) => `${p.ok ? "PASS" : "FAIL"}  health     ${p.node}: ${p.detail}`),
    ...results.map((r) => `${r.result === "Success" ? "PASS" : "FAIL"}  ${r.check.padEnd(10)} ${r.target}: ${r.diagnosis}`),
  ];
}
