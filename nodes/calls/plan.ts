import { InternalError, lit } from "../../constructs/errors.js";
import { FrontEnd } from "../../constructs/front-end.js";
import type { RenderedFile } from "../../constructs/render/common.js";
import { addressOf, nodeOf, OUTSIDE_PHONE, PHONE_PORTS, type Topology, type TopologyUser } from "../../constructs/topology.js";
import { UsageError } from "../usage-error.js";
import type { KeyPress } from "./media.js";

/**
 * Call plans: which node places a call and with which SIPp arguments. Pure, so the local driver
 * runs them and the Azure stack renders the very same command lines into the phone VM's script.
 */

export const PHONE_SIP_PORT = PHONE_PORTS.sip.from;
export const CALLER_SIP_PORT = PHONE_PORTS.callerSip.from;
export const CALLER_MEDIA_PORT = PHONE_PORTS.callerMedia.from;
export const ANSWER_MEDIA_PORT = PHONE_PORTS.answerMedia.from;
/** The port connectivity probes (SIPp OPTIONS) send from, clear of the ports the nodes serve. */
export const PROBE_SIP_PORT = 5098;
/** The port a SIP server's own health probe sends from: distinct from PROBE_SIP_PORT so both can run at once. */
export const HEALTH_PROBE_PORT = 5099;
/**
 * What a call plays once answered: the call and outside-call scenarios play `umlab-play.pcap` from
 * SIPp's working directory (play_pcap_audio; SIPp reads it when it loads the scenario), so each
 * phone plays its own even where phones share a container (a local lab's phone bank). A call
 * runs SIPp in `phoneDir(phone)` (docker exec -w) after putting the file at `playFile(phone)`.
 */
export const PLAY_FILE_NAME = "umlab-play.pcap";
export const phoneDir = (phone: string) => `/tmp/umlab-${phone}`;
export const playFile = (phone: string) => `${phoneDir(phone)}/${PLAY_FILE_NAME}`;
/** The test tone every phone carries. */
export const TONE_FILE = "/etc/umlab/media/tone.pcap";
/** A shell command that makes the phone's directory and puts the test tone in it as what the next call plays. */
export function playToneCommand(phone: string): string[] {
  return ["sh", "-c", `mkdir -p ${phoneDir(phone)} && cp ${TONE_FILE} ${playFile(phone)}`];
}
/** The caller number of the phone outside the enterprise (no account). */
export const OUTSIDE_CALLER = "+14255550199";
/** The `from` of a call placed by the phone outside the enterprise. */
export const FROM_OUTSIDE = "outside";

/**
 * A phone's account, where its user's phone keeps it: /etc/umlab/secrets/<phone>/account.csv (a
 * folder per phone: a local lab's phones share one container), owner-only
 * (nodes/files.ts isSecretFile). It is a SIPp injection file (-inf; fields split at ';', which a
 * password may not hold): field0 the SIP user, field1 the password, field2 the voice-mail PIN. The
 * scenarios authenticate with `[authentication username="[field0]" password="[field1]"]`, so no
 * password is on a command line (`ps` shows those), in a script or in a Docker label; `attach`
 * reads the account back for the checks that need the PIN.
 */
export const accountPath = (phone: string) => `secrets/${phone}/account.csv`;
export const accountFileOf = (phone: string) => `/etc/umlab/${accountPath(phone)}`;

export interface PhoneAccount {
  readonly sipUser: string;
  readonly password: string;
  readonly pin: string;
}

/** The account file a user's phone carries (SIPp injection file). */
export function accountFile(u: PhoneAccount, phone: string): RenderedFile {
  for (const v of [u.sipUser, u.password, u.pin]) {
    if (/[;\r\n"]/.test(v)) throw new InternalError(lit`AccountValueUnwritable`, "an account value holds ';', '\"' or a line break");
  }
  return { path: accountPath(phone), content: `SEQUENTIAL\n${u.sipUser};${u.password};${u.pin}\n` };
}

/** The account in a phone's account file, or undefined when the text is not one. */
export function parseAccountFile(text: string): PhoneAccount | undefined {
  const line = text.split("\n").find((l) => l.trim() !== "" && l.trim() !== "SEQUENTIAL" && !l.startsWith("#"));
  const [sipUser, password, pin] = line?.split(";") ?? [];
  return sipUser && password && pin ? { sipUser, password, pin } : undefined;
}

/** SIPp's arguments for a signed-in user's phone: its account file, read by the scenario's [authentication]. */
export function credentialArgs(phone: string): string[] {
  return ["-inf", accountFileOf(phone)];
}

export function userIn(t: Topology, name: string): TopologyUser {
  const u = t.users.find((x) => x.name === name) ?? t.users.find((x) => x.extension === name);
  if (!u)
    throw new UsageError(
      lit`UserUnknown`,
      `no user ${JSON.stringify(name)} in lab ${t.instance}; users: ${t.users.map((x) => x.name).join(", ")}`,
    );
  return u;
}

/** The front end's SIP address, where phones send everything. */
export function frontEndTarget(t: Topology): string {
  return `${addressOf(t, "frontend", "corp")}:${FrontEnd.SIP.from}`;
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

/** What a call plays once answered: the test tone, or keys pressed (RFC 4733). */
export type CallMedia = { readonly tone: true } | { readonly keys: readonly KeyPress[] };

export interface CallOptions {
  /** a user's name, or FROM_OUTSIDE for the phone without an account */
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

/** Where a call is placed from and the SIPp arguments of it. */
export function callPlan(
  t: Topology,
  o: Omit<CallOptions, "media" | "timeoutSeconds">,
): { node: string; scenario: string; args: string[] } {
  const outside = o.from === FROM_OUTSIDE;
  const caller = outside ? undefined : userIn(t, o.from);
  const node = caller?.phone ?? OUTSIDE_PHONE;
  const ip = nodeOf(t, node).addresses.corp as string;
  const keys = { caller: caller ? caller.sipUser : OUTSIDE_CALLER, callee: o.to, params: o.params ?? "", domain: t.sipDomain };
  const args = [
    ...Object.entries(keys).flatMap(([k, v]) => ["-key", k, v]),
    ...(caller ? credentialArgs(node) : []),
    ...["-i", ip, "-p", String(CALLER_SIP_PORT), "-mi", ip, "-mp", String(CALLER_MEDIA_PORT)],
    ...["-d", String(Math.round(o.holdSeconds * 1000)), frontEndTarget(t)],
  ];
  return { node, scenario: outside ? "outside-call" : "call", args };
}

/** The SIPp arguments of one OPTIONS from `fromNode` to `target` (a Request-URI) via `nextHop` (ip:port). */
export function optionsPlan(t: Topology, fromNode: string, target: string, nextHop: string): string[] {
  const from = nodeOf(t, fromNode);
  const ip = (from.addresses.corp ?? from.addresses.provider) as string;
  return ["-key", "target", target, "-i", ip, "-p", String(PROBE_SIP_PORT), nextHop];
}
