import { randomBytes } from "node:crypto";
import { addressOf, nodeOf, type TopologyUser } from "../../constructs/topology.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";

/** SIP ports inside a phone container: its registered contact, and the port it calls from. */
const PHONE_SIP_PORT = 5060;
const CALLER_SIP_PORT = 5070;
const CALLER_MEDIA_PORT = 6000;

export interface SippRun {
  readonly ok: boolean;
  readonly exitCode: number;
  readonly ms: number;
  readonly output: string;
  readonly callId: string;
}

function userOf(lab: StartedLocalLab, name: string): TopologyUser {
  const u = lab.topology.users.find((x) => x.name === name || x.extension === name);
  if (!u)
    throw new Error(`no user ${JSON.stringify(name)} in lab ${lab.instance}; users: ${lab.topology.users.map((x) => x.name).join(", ")}`);
  return u;
}

function frontEndTarget(lab: StartedLocalLab): string {
  return `${addressOf(lab.topology, "frontend", "corp")}:5060`;
}

/** Runs one SIPp scenario in a node's container; bounded by `timeoutSeconds`, one call. */
export async function sipp(lab: StartedLocalLab, node: string, scenario: string, args: string[], timeoutSeconds: number): Promise<SippRun> {
  const callId = `umlab-${randomBytes(6).toString("hex")}`;
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
    ...args,
  ];
  const r = await lab.exec(node, cmd);
  return { ok: r.exitCode === 0, exitCode: r.exitCode, ms: Date.now() - started, output: r.output, callId };
}

/** A user's phone registers at the front end (digest auth). `expires` 0 unregisters. */
export async function register(lab: StartedLocalLab, userName: string, expires = 300): Promise<SippRun> {
  const u = userOf(lab, userName);
  const phone = nodeOf(lab.topology, u.phone);
  const ip = phone.addresses.corp as string;
  return sipp(
    lab,
    phone.name,
    "register",
    [
      "-key",
      "user",
      sipUser(u),
      "-key",
      "domain",
      lab.topology.sipDomain,
      "-key",
      "expires",
      String(expires),
      "-au",
      sipUser(u),
      "-ap",
      u.password,
      "-i",
      ip,
      "-p",
      String(PHONE_SIP_PORT),
      frontEndTarget(lab),
    ],
    5,
  );
}

/** The user's phone waits for one call, rings, and never answers (ends when the front end cancels). */
export function ringWithoutAnswer(lab: StartedLocalLab, userName: string, timeoutSeconds: number): Promise<SippRun> {
  const u = userOf(lab, userName);
  const phone = nodeOf(lab.topology, u.phone);
  const ip = phone.addresses.corp as string;
  return sipp(lab, phone.name, "ring-no-answer", ["-i", ip, "-p", String(PHONE_SIP_PORT)], timeoutSeconds);
}

/**
 * `caller` calls `callee` (by extension), is answered by voice mail, plays the test tone for
 * `toneSeconds` and hangs up.
 */
export async function leaveMessage(
  lab: StartedLocalLab,
  callerName: string,
  calleeName: string,
  toneSeconds: number,
  timeoutSeconds: number,
): Promise<SippRun> {
  const caller = userOf(lab, callerName);
  const callee = userOf(lab, calleeName);
  const phone = nodeOf(lab.topology, caller.phone);
  const ip = phone.addresses.corp as string;
  return sipp(
    lab,
    phone.name,
    "call-leave-message",
    [
      "-key",
      "caller",
      sipUser(caller),
      "-key",
      "callee",
      callee.extension,
      "-key",
      "domain",
      lab.topology.sipDomain,
      "-au",
      sipUser(caller),
      "-ap",
      caller.password,
      "-i",
      ip,
      "-p",
      String(CALLER_SIP_PORT),
      "-mi",
      ip,
      "-mp",
      String(CALLER_MEDIA_PORT),
      "-d",
      String(toneSeconds * 1000),
      frontEndTarget(lab),
    ],
    timeoutSeconds,
  );
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

export function sipUser(u: TopologyUser): string {
  return u.sipUri.slice(4, u.sipUri.indexOf("@"));
}
