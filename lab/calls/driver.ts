import { randomBytes } from "node:crypto";
import { addressOf, nodeOf, OUTSIDE_PHONE, PHONE_PORTS, type TopologyUser } from "../../constructs/topology.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import { putFile } from "../runtime/put-file.js";
import { dtmfPcap, type KeyPress } from "./media.js";

const PHONE_SIP_PORT = PHONE_PORTS.sip.from;
const CALLER_SIP_PORT = PHONE_PORTS.callerSip.from;
const CALLER_MEDIA_PORT = PHONE_PORTS.callerMedia.from;
const ANSWER_MEDIA_PORT = PHONE_PORTS.answerMedia.from;
/** What a call plays once answered (SIPp play_pcap_audio). */
const PLAY_FILE = "/tmp/umlab-play.pcap";

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
  const u = lab.topology.users.find((x) => x.name === name) ?? lab.topology.users.find((x) => x.extension === name);
  if (!u)
    throw new Error(`no user ${JSON.stringify(name)} in lab ${lab.instance}; users: ${lab.topology.users.map((x) => x.name).join(", ")}`);
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
  const cmd = [
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
  ];
  if (trace) cmd.push("-trace_msg", "-message_file", log);
  const r = await lab.exec(node, [...cmd, ...args]);
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

/** A call from a user's phone (digest auth) or from outside (none): plays its media, then hangs up. */
export async function call(lab: StartedLocalLab, o: CallOptions): Promise<SippRun> {
  const outside = o.from === "outside";
  const caller = outside ? undefined : userOf(lab, o.from);
  const node = caller?.phone ?? OUTSIDE_PHONE;
  const ip = phoneIp(lab, node);
  const container = nodeOf(lab.topology, node).container;
  if ("tone" in o.media) {
    await lab.exec(node, ["cp", "/etc/umlab/media/tone.pcap", PLAY_FILE]);
  } else {
    await putFile(container, PLAY_FILE, dtmfPcap(o.media.keys));
  }
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
    lab.topology.sipDomain,
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
    frontEndTarget(lab),
  ];
  return sipp(lab, node, outside ? "outside-call" : "call", args, o.timeoutSeconds);
}

/** One SIP OPTIONS from `fromNode` to `target` (a Request-URI) sent to `nextHop` (ip:port). */
export async function options(
  lab: StartedLocalLab,
  fromNode: string,
  target: string,
  nextHop: string,
  timeoutSeconds = 3,
): Promise<SippRun> {
  const from = nodeOf(lab.topology, fromNode);
  const ip = (from.addresses.corp ?? from.addresses.provider) as string;
  return sipp(lab, fromNode, "options", ["-key", "target", target, "-i", ip, "-p", "5098", nextHop], timeoutSeconds);
}
