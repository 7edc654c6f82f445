// Step 1 of the load benchmark: calls a second through the front end against SIPp straight to SIPp.
import { loadavg } from "node:os";
import { nodeOf, type TopologyUser } from "../../constructs/topology.js";
import {
  ANSWER_MEDIA_PORT,
  CALLER_MEDIA_PORT,
  CALLER_SIP_PORT,
  credentialArgs,
  frontEndTarget,
  PHONE_SIP_PORT,
} from "../../nodes/calls/plan.js";
import { register } from "../calls/driver.js";
import { dockerApi } from "../runtime/docker.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import {
  answererArgs,
  parseSippStats,
  runBoundSeconds,
  type SignallingRow,
  type SippEnd,
  type SippStats,
  signallingCallerArgs,
  statsPath,
} from "./load-plan.js";

/** Seconds a call waits for an answer before SIPp counts it failed. */
const RECV_TIMEOUT_SECONDS = 5;

/** The caller and the callee of the signalling step: the first two users with phones. */
export function signallingPair(lab: StartedLocalLab): { caller: TopologyUser; callee: TopologyUser } {
  const [caller, callee] = lab.topology.users;
  if (!caller || !callee) throw new Error("the lab needs two users for the signalling step");
  return { caller, callee };
}

function endOf(lab: StartedLocalLab, phone: string, port: number, mediaPort: number): SippEnd {
  return { ip: nodeOf(lab.topology, phone).addresses.corp as string, port, mediaPort };
}

/** CPU time a node's container has used so far, in seconds (Docker's cgroup counter). */
async function cpuSeconds(lab: StartedLocalLab, node: string): Promise<number> {
  const s = (await (await dockerApi()).getContainer(nodeOf(lab.topology, node).container).stats({ stream: false })) as {
    cpu_stats?: { cpu_usage?: { total_usage?: number } };
  };
  return (s.cpu_stats?.cpu_usage?.total_usage ?? 0) / 1e9;
}

/** One run: the callee's SIPp answers, the caller's SIPp places `calls` calls at `rate`; SIPp's own counts. */
async function oneRun(lab: StartedLocalLab, rate: number, calls: number, through: "direct" | "frontEnd"): Promise<SippStats> {
  const { caller, callee } = signallingPair(lab);
  const answerAt = endOf(lab, callee.phone, PHONE_SIP_PORT, ANSWER_MEDIA_PORT);
  const bound = runBoundSeconds(calls / rate, RECV_TIMEOUT_SECONDS);
  const tag = `${through}-${rate}-${Date.now()}`;
  // The answerer writes its PID, so that it alone is stopped afterwards (phones may share a container).
  const pidFile = `/tmp/umlab-load-answer-${tag}.pid`;
  const answering = lab.exec(callee.phone, [
    "sh",
    "-c",
    `echo $$ > ${pidFile}; exec "$@"`,
    "sh",
    ...answererArgs(answerAt, calls, bound + 5),
  ]);
  await new Promise((r) => setTimeout(r, 500)); // let the answerer bind its port
  const viaFrontEnd = through === "frontEnd";
  const args = signallingCallerArgs({
    scenario: viaFrontEnd ? "load-call" : "load-call-direct",
    from: endOf(lab, caller.phone, CALLER_SIP_PORT, CALLER_MEDIA_PORT),
    target: viaFrontEnd ? frontEndTarget(lab.topology) : `${answerAt.ip}:${answerAt.port}`,
    keys: { caller: caller.sipUser, callee: callee.sipUser, domain: lab.topology.sipDomain },
    rate,
    calls,
    recvTimeoutSeconds: RECV_TIMEOUT_SECONDS,
    tag,
    ...(viaFrontEnd ? { extra: credentialArgs(caller.phone) } : {}),
  });
  await lab.exec(caller.phone, ["timeout", String(bound + 10), ...args]);
  // The answerer stops by itself once every call ended (or at its bound); do not wait for the bound.
  await lab.exec(callee.phone, ["sh", "-c", `kill $(cat ${pidFile}) 2>/dev/null; rm -f ${pidFile}`]);
  await answering;
  const csv = await lab.exec(caller.phone, ["sh", "-c", `cat ${statsPath(tag)}; rm -f ${statsPath(tag)}`]);
  return parseSippStats(csv.output) ?? { created: 0, successful: 0, failed: calls, elapsedSeconds: 0 };
}

/**
 * Each rate for `seconds`: first SIPp straight to SIPp, then the same calls through the front end
 * (digest auth, the callee registered), each bounded in calls (rate x seconds) and in time.
 */
export async function runSignalling(
  lab: StartedLocalLab,
  rates: readonly number[],
  seconds: number,
  log: (line: string) => void,
): Promise<SignallingRow[]> {
  const { callee } = signallingPair(lab);
  const rows: SignallingRow[] = [];
  for (const rate of rates) {
    const calls = rate * seconds;
    log(`signalling: ${calls} calls at ${rate}/s straight between the SIPps, then through the front end`);
    const direct = await oneRun(lab, rate, calls, "direct");
    const reg = await register(lab, callee.name, 3600);
    if (!reg.ok) throw new Error(`${callee.name}'s phone could not register for the signalling step: ${reg.output.slice(-300)}`);
    const cpuBefore = await cpuSeconds(lab, "frontend");
    const frontEnd = await oneRun(lab, rate, calls, "frontEnd");
    const frontEndCpuSeconds = (await cpuSeconds(lab, "frontend")) - cpuBefore;
    await register(lab, callee.name, 0);
    rows.push({ rate, calls, direct, frontEnd, frontEndCpuSeconds, load: loadavg()[0] ?? 0 });
  }
  return rows;
}
