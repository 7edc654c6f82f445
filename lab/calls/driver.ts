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
  phoneDir,
  playFile,
  playToneCommand,
  sippCommand,
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

/**
 * Runs one SIPp scenario in a node's container: one call, bounded by `timeoutSeconds`; in
 * `workingDir` if given (a call plays the file of that name there: see nodes/calls/plan.ts playFile).
 */
export async function sipp(
  lab: StartedLocalLab,
  node: string,
  scenario: string,
  args: string[],
  timeoutSeconds: number,
  trace = false,
  workingDir?: string,
): Promise<SippRun> {
  const callId = `umlab-${randomBytes(6).toString("hex")}`;
  const log = `/tmp/${callId}.msg`;
  const started = Date.now();
  const cmd = sippCommand(scenario, trace ? ["-trace_msg", "-message_file", log, ...args] : args, timeoutSeconds, callId);
  const r = await lab.exec(node, cmd, workingDir ? { workingDir } : {});
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
    [...args, ...credentialArgs(u.phone), "-i", ip, "-p", String(PHONE_SIP_PORT), frontEndTarget(lab.topology)],
    5,
  );
}

/** How /proc/net/udp writes a bound IPv4 address and port: the address's bytes in host order (x86: reversed), in hex. */
function procNetUdp(ip: string, port: number): string {
  const hex = ip
    .split(".")
    .reverse()
    .map((b) => Number(b).toString(16).padStart(2, "0"))
    .join("");
  return `${hex}:${port.toString(16).padStart(4, "0")}`.toUpperCase();
}

/**
 * Resolves once the user's phone listens on its SIP port, the moment a SIPp waiting for a call or
 * a NOTIFY (`running`) can take one, or once that run has ended (it failed to start: its result
 * says why). The readiness signal is the bound socket in /proc/net/udp, polled inside the phone.
 */
export async function phoneListening(lab: StartedLocalLab, userName: string, running: Promise<unknown>, timeoutSeconds = 5): Promise<void> {
  const u = userOf(lab, userName);
  const bound = procNetUdp(phoneIp(lab, u.phone), PHONE_SIP_PORT);
  const polls = timeoutSeconds * 50;
  const loop = `i=0; while [ $i -lt ${polls} ]; do grep -q ': ${bound} ' /proc/net/udp && exit 0; i=$((i + 1)); sleep 0.02; done; exit 1`;
  await Promise.race([lab.exec(u.phone, ["sh", "-c", loop]), running.then(() => undefined)]);
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

/** Puts what a phone's next call plays (the test tone, or keys as RFC 4733 events) in the phone's directory. */
export async function preparePlay(lab: StartedLocalLab, phone: string, media: CallOptions["media"]): Promise<void> {
  if ("tone" in media) {
    await lab.exec(phone, playToneCommand(phone));
  } else {
    await lab.exec(phone, ["mkdir", "-p", phoneDir(phone)]);
    await putFile(nodeOf(lab.topology, phone).container, playFile(phone), dtmfPcap(media.keys));
  }
}

/** A call from a user's phone (digest auth) or from outside (none): plays its media, then hangs up. */
export async function call(lab: StartedLocalLab, o: CallOptions): Promise<SippRun> {
  const plan = callPlan(lab.topology, o);
  await preparePlay(lab, plan.node, o.media);
  const run = await sipp(lab, plan.node, plan.scenario, plan.args, o.timeoutSeconds, false, phoneDir(plan.node));
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
