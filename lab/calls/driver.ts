import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { nodeOf, type TopologyUser } from "../../constructs/topology.js";
import { dtmfPcap } from "../../nodes/calls/media.js";
import {
  ANSWER_MEDIA_PORT,
  type CallOptions,
  callPlan,
  credentialArgs,
  frontEndTarget,
  optionsPlan,
  PHONE_SIP_PORT,
  PLAY_FILE,
  sippCommand,
  TONE_FILE,
  userIn,
} from "../../nodes/calls/plan.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import { putFile } from "../runtime/put-file.js";

export interface SippRun {
  readonly ok: boolean;
  readonly exitCode: number;
  readonly ms: number;
  readonly output: string;
  readonly callId: string;
  /** the SIP messages SIPp saw, when asked for (trace) */
  readonly messages?: string;
}

/**
 * The calls placed (`call`, `options`) within `placedCalls.run(ids, fn)` add their SIPp Call-ID to
 * `ids` (on the wire: `<id>@<address>`), so a check can say which calls were its own and
 * `umlab trace --check` can draw them.
 */
export const placedCalls = new AsyncLocalStorage<string[]>();

export function userOf(lab: StartedLocalLab, name: string): TopologyUser {
  return userIn(lab.topology, name);
}

function phoneIp(lab: StartedLocalLab, node: string): string {
  return nodeOf(lab.topology, node).addresses.corp as string;
}

/** Runs one SIPp scenario in a node's container: one call, bounded by `timeoutSeconds`. */
export async function sipp(
  lab: StartedLocalLab,
  node: string,
  scenario: string,
  args: string[],
  timeoutSeconds: number,
  trace = false,
): Promise<SippRun> {
  const callId = `umlab-${randomBytes(6).toString("hex")}`;
  const log = `/tmp/${callId}.msg`;
  const started = Date.now();
  const cmd = sippCommand(scenario, trace ? ["-trace_msg", "-message_file", log, ...args] : args, timeoutSeconds, callId);
  const r = await lab.exec(node, cmd);
  const ms = Date.now() - started;
  const messages = trace ? (await lab.exec(node, ["sh", "-c", `cat ${log}; rm -f ${log}`])).output : undefined;
  return { ok: r.exitCode === 0, exitCode: r.exitCode, ms, output: r.output, callId, ...(messages !== undefined ? { messages } : {}) };
}

/** A user's phone registers at the front end (digest auth). `expires` 0 unregisters. */
export async function register(lab: StartedLocalLab, userName: string, expires = 300): Promise<SippRun> {
  const u = userOf(lab, userName);
  const ip = phoneIp(lab, u.phone);
  const args = ["-key", "user", u.sipUser, "-key", "domain", lab.topology.sipDomain, "-key", "expires", String(expires)];
  return sipp(
    lab,
    u.phone,
    "register",
    [...args, ...credentialArgs(), "-i", ip, "-p", String(PHONE_SIP_PORT), frontEndTarget(lab.topology)],
    5,
  );
}

/** The user's phone waits for one call, rings, and never answers (ends when the front end cancels). */
export function ringWithoutAnswer(lab: StartedLocalLab, userName: string, timeoutSeconds: number): Promise<SippRun> {
  const u = userOf(lab, userName);
  return sipp(lab, u.phone, "ring-no-answer", ["-i", phoneIp(lab, u.phone), "-p", String(PHONE_SIP_PORT)], timeoutSeconds);
}

/** The user's phone answers one call and waits until the other side hangs up. */
export function answer(lab: StartedLocalLab, userName: string, timeoutSeconds: number): Promise<SippRun> {
  const u = userOf(lab, userName);
  const ip = phoneIp(lab, u.phone);
  return sipp(
    lab,
    u.phone,
    "answer",
    ["-i", ip, "-p", String(PHONE_SIP_PORT), "-mi", ip, "-mp", String(ANSWER_MEDIA_PORT)],
    timeoutSeconds,
  );
}

/** What a message-waiting NOTIFY said (RFC 3842 simple-message-summary). */
export interface MessageSummary {
  readonly event: string;
  readonly contentType: string;
  readonly messagesWaiting: boolean;
  readonly newMessages: number;
  readonly oldMessages: number;
  readonly raw: string;
}

/** The user's phone takes one NOTIFY; any other request (an INVITE: the phone rang) fails it. */
export async function waitForNotify(
  lab: StartedLocalLab,
  userName: string,
  timeoutSeconds: number,
): Promise<SippRun & { summary?: MessageSummary }> {
  const u = userOf(lab, userName);
  const run = await sipp(lab, u.phone, "wait-notify", ["-i", phoneIp(lab, u.phone), "-p", String(PHONE_SIP_PORT)], timeoutSeconds, true);
  // SIPp's message log separates messages with lines of dashes.
  const log = run.messages ?? "";
  const at = log.indexOf("NOTIFY sip:");
  const rest = at < 0 ? "" : log.slice(at);
  const end = rest.search(/\n-{10,}/);
  const notify = end < 0 ? rest : rest.slice(0, end);
  if (!run.ok || !notify) return run;
  const header = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, "mi").exec(notify)?.[1]?.trim() ?? "";
  const vm = /^Voice-Message:\s*(\d+)\/(\d+)/im.exec(notify);
  return {
    ...run,
    summary: {
      event: header("Event"),
      contentType: header("Content-Type"),
      messagesWaiting: /^Messages-Waiting:\s*yes/im.test(notify),
      newMessages: Number(vm?.[1] ?? -1),
      oldMessages: Number(vm?.[2] ?? -1),
      raw: notify,
    },
  };
}

/** A call from a user's phone (digest auth) or from outside (none): plays its media, then hangs up. */
export async function call(lab: StartedLocalLab, o: CallOptions): Promise<SippRun> {
  const plan = callPlan(lab.topology, o);
  if ("tone" in o.media) {
    await lab.exec(plan.node, ["cp", TONE_FILE, PLAY_FILE]);
  } else {
    await putFile(nodeOf(lab.topology, plan.node).container, PLAY_FILE, dtmfPcap(o.media.keys));
  }
  const run = await sipp(lab, plan.node, plan.scenario, plan.args, o.timeoutSeconds);
  placedCalls.getStore()?.push(run.callId);
  return run;
}

/** One SIP OPTIONS from `fromNode` to `target` (a Request-URI) sent to `nextHop` (ip:port). */
export async function options(
  lab: StartedLocalLab,
  fromNode: string,
  target: string,
  nextHop: string,
  timeoutSeconds = 3,
): Promise<SippRun> {
  const run = await sipp(lab, fromNode, "options", optionsPlan(lab.topology, fromNode, target, nextHop), timeoutSeconds);
  placedCalls.getStore()?.push(run.callId);
  return run;
}
