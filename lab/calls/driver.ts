import { randomBytes } from "node:crypto";
import { addressOf, nodeOf, OUTSIDE_PHONE, PHONE_PORTS, type Topology, type TopologyUser } from "../../constructs/topology.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import { putFile } from "../runtime/put-file.js";
import { dtmfPcap, type KeyPress } from "./media.js";

const PHONE_SIP_PORT = PHONE_PORTS.sip.from;
const CALLER_SIP_PORT = PHONE_PORTS.callerSip.from;
const CALLER_MEDIA_PORT = PHONE_PORTS.callerMedia.from;
const ANSWER_MEDIA_PORT = PHONE_PORTS.answerMedia.from;
/** What a call plays once answered (SIPp play_pcap_audio), and the test tone every phone carries. */
export const PLAY_FILE = "/tmp/umlab-play.pcap";
export const TONE_FILE = "/etc/umlab/media/tone.pcap";

export interface SippRun {
  readonly ok: boolean;
  readonly exitCode: number;
  readonly ms: number;
  readonly output: string;
  readonly callId: string;
  /** the SIP messages SIPp saw, when asked for (trace) */
  readonly messages?: string;
}

export function userOf(lab: StartedLocalLab, name: string): TopologyUser {
  return userIn(lab.topology, name);
}

export function userIn(t: Topology, name: string): TopologyUser {
  const u = t.users.find((x) => x.name === name) ?? t.users.find((x) => x.extension === name);
  if (!u) throw new Error(`no user ${JSON.stringify(name)} in lab ${t.instance}; users: ${t.users.map((x) => x.name).join(", ")}`);
  return u;
}

export function sipUser(u: TopologyUser): string {
  return u.sipUri.slice(4, u.sipUri.indexOf("@"));
}

function frontEndTarget(lab: StartedLocalLab): string {
  return `${addressOf(lab.topology, "frontend", "corp")}:5060`;
}

function phoneIp(lab: StartedLocalLab, node: string): string {
  return nodeOf(lab.topology, node).addresses.corp as string;
}

/** The SIPp command line of one bounded call of a scenario (the scenarios live in /etc/umlab/sipp). */
export function sippCommand(scenario: string, args: readonly string[], timeoutSeconds: number, callId: string): string[] {
  return [
    "sipp",
    "-sf",
    `/etc/umlab/sipp/${scenario}.xml`,
    "-m",
    "1",
    "-timeout",
    `${timeoutSeconds}`,
    "-timeout_error",
    "-nostdin",
    "-cid_str",
    `${callId}@%s`,
    ...args,
  ];
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
  const args = ["-key", "user", sipUser(u), "-key", "domain", lab.topology.sipDomain, "-key", "expires", String(expires)];
  return sipp(
    lab,
    u.phone,
    "register",
    [...args, "-au", sipUser(u), "-ap", u.password, "-i", ip, "-p", String(PHONE_SIP_PORT), frontEndTarget(lab)],
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

/** What a call plays once answered: the test tone, or keys pressed (RFC 4733). */
export type CallMedia = { readonly tone: true } | { readonly keys: readonly KeyPress[] };

export interface CallOptions {
  /** a user's name, or "outside" for the phone without an account */
  readonly from: string;
  /** the Request-URI user part: a user's SIP user, an extension or a contact's number */
  readonly to: string;
  /** Request-URI parameters, e.g. ";opaque=app:voicemail" */
  readonly params?: string;
  readonly media: CallMedia;
  /** seconds the caller stays on the line after the answer */
  readonly holdSeconds: number;
  readonly timeoutSeconds: number;
}

/** Where a call is placed from and the SIPp arguments of it (pure: also rendered into Azure's call-check script). */
export function callPlan(
  t: Topology,
  o: Omit<CallOptions, "media" | "timeoutSeconds">,
): { node: string; scenario: string; args: string[] } {
  const outside = o.from === "outside";
  const caller = outside ? undefined : userIn(t, o.from);
  const node = caller?.phone ?? OUTSIDE_PHONE;
  const ip = nodeOf(t, node).addresses.corp as string;
  const args = [
    "-key",
    "caller",
    caller ? sipUser(caller) : "+14255550199",
    "-key",
    "callee",
    o.to,
    "-key",
    "params",
    o.params ?? "",
    "-key",
    "domain",
    t.sipDomain,
    ...(caller ? ["-au", sipUser(caller), "-ap", caller.password] : []),
    "-i",
    ip,
    "-p",
    String(CALLER_SIP_PORT),
    "-mi",
    ip,
    "-mp",
    String(CALLER_MEDIA_PORT),
    "-d",
    String(Math.round(o.holdSeconds * 1000)),
    `${addressOf(t, "frontend", "corp")}:5060`,
  ];
  return { node, scenario: outside ? "outside-call" : "call", args };
}

/** A call from a user's phone (digest auth) or from outside (none): plays its media, then hangs up. */
export async function call(lab: StartedLocalLab, o: CallOptions): Promise<SippRun> {
  const plan = callPlan(lab.topology, o);
  if ("tone" in o.media) {
    await lab.exec(plan.node, ["cp", TONE_FILE, PLAY_FILE]);
  } else {
    await putFile(nodeOf(lab.topology, plan.node).container, PLAY_FILE, dtmfPcap(o.media.keys));
  }
  return sipp(lab, plan.node, plan.scenario, plan.args, o.timeoutSeconds);
}

/** The SIPp arguments of one OPTIONS from `fromNode` to `target` (a Request-URI) via `nextHop` (ip:port). */
export function optionsPlan(t: Topology, fromNode: string, target: string, nextHop: string): string[] {
  const from = nodeOf(t, fromNode);
  const ip = (from.addresses.corp ?? from.addresses.provider) as string;
  return ["-key", "target", target, "-i", ip, "-p", "5098", nextHop];
}

/** One SIP OPTIONS from `fromNode` to `target` (a Request-URI) sent to `nextHop` (ip:port). */
export async function options(
  lab: StartedLocalLab,
  fromNode: string,
  target: string,
  nextHop: string,
  timeoutSeconds = 3,
): Promise<SippRun> {
  return sipp(lab, fromNode, "options", optionsPlan(lab.topology, fromNode, target, nextHop), timeoutSeconds);
}
