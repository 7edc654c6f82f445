import { KamailioEdge } from "../../constructs/edge.js";
import { FrontEnd } from "../../constructs/front-end.js";
import { OnPremUm } from "../../constructs/onprem-um.js";
import { HostedUm } from "../../constructs/provider.js";
import { readWav, toneEnergy } from "../../constructs/render/audio.js";
import { addressOf, OUTSIDE_PHONE, type TopologyUser } from "../../constructs/topology.js";
import { keyPresses, TEST_TONE_HZ } from "../../nodes/calls/media.js";
import { FROM_OUTSIDE } from "../../nodes/calls/plan.js";
import { umNodes } from "../../nodes/kinds.js";
import {
  type Diagnosis,
  diagnoseCallFailure,
  diagnoseConnectivity,
  diagnoseMissingAudio,
  diagnoseRefusedRequest,
  diagnosisText,
} from "../faults/diagnosis.js";
import { describeFinal, sippTrouble, type TracedRun, tracedCall, tracedOptions } from "../faults/evidence.js";
import { activeFaults } from "../faults/faults.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import { answer, type MessageSummary, phoneListening, placedCalls, register, ringWithoutAnswer, waitForNotify } from "./driver.js";
import { listMessages, readRecording, umLogLines, type VoiceMessage } from "./mailbox.js";

/**
 * One check's outcome, reported like Test-CsExUMConnectivity: target, result, latency, diagnosis.
 * A failure on the way to a UM also says, as data, the hop that failed and the cause
 * (lab/faults/diagnosis.ts), and which fault scenarios were active in the lab (umlab fault).
 */
export interface CheckResult {
  readonly check: string;
  readonly target: string;
  readonly result: "Success" | "Failure";
  readonly latencyMs: number;
  readonly diagnosis: string;
  /** The SIPp Call-IDs of the calls the check placed (on the wire `<id>@<address>`): `umlab trace --check` draws them. */
  readonly callIds?: string[];
  /** The hop that failed, e.g. "edge -> exap.um.provider.test:5061". */
  readonly hop?: string;
  /** Why, from the lab's evidence, e.g. "TLS handshake refused: certificate has expired (...)". */
  readonly cause?: string;
  /** The fault scenarios active when the checks ran, joined by ", " (on failures; absent when none). */
  readonly scenario?: string;
}

export interface CheckOptions {
  /** Seconds the caller's tone plays into voice mail. @default 3 */
  readonly toneSeconds?: number;
  /** The no-answer time of the running lab's front end, to bound the wait. @default 8 */
  readonly noAnswerSeconds?: number;
  /** Only these users (names). @default all */
  readonly users?: readonly string[];
  /** Called after each check, for progress. */
  readonly onResult?: (r: CheckResult) => void;
}

/** Minimum share of a recording's energy at the test tone, and minimum level, for "the tone is there". */
export const TONE_RATIO_MIN = 0.5;
export const TONE_LEVEL_MIN_DBFS = -40;

/** The voice-mail context of a user's mailbox: the hosted tenant, or the on-premises UM's context. */
export function tenantOf(u: TopologyUser): string {
  return u.mailbox === "hosted" ? (u.tenant as string) : OnPremUm.CONTEXT;
}

function isMailboxOf(m: VoiceMessage, u: TopologyUser): boolean {
  return m.node === u.mailboxNode && m.tenant === tenantOf(u) && m.mailbox === u.extension;
}

function mailboxName(u: TopologyUser): string {
  return `${u.mailboxNode} ${tenantOf(u)}/${u.extension}`;
}

/** The calls placed since the last result (within `withCallIds`), taken for this result. */
function placedSinceLastResult(): { callIds?: string[] } {
  const ids = placedCalls.getStore();
  return ids && ids.length > 0 ? { callIds: ids.splice(0) } : {};
}

function success(check: string, target: string, latencyMs: number, diagnosis: string): CheckResult {
  return { check, target, result: "Success", latencyMs, diagnosis, ...placedSinceLastResult() };
}
/** A failed check; with a diagnosis, the text says what was seen, then the hop and the cause. */
function failure(check: string, target: string, latencyMs: number, diagnosis: string, found?: Diagnosis): CheckResult {
  const text = found ? `${diagnosis}; ${diagnosisText(found)}` : diagnosis;
  return { check, target, result: "Failure", latencyMs, diagnosis: text, ...found, ...placedSinceLastResult() };
}

/** Runs checks so that each result carries the Call-IDs of the calls it placed (runChecks does this itself). */
export function withCallIds<T>(fn: () => Promise<T>): Promise<T> {
  return placedCalls.run([], fn);
}

function lastLines(output: string, n = 4): string {
  return output.trim().split("\n").filter(Boolean).slice(-n).join(" | ").slice(0, 400);
}

/** The contact number of a kind served by the UM that holds `u`'s mailbox, if the lab has one. */
function contactFor(lab: StartedLocalLab, u: TopologyUser, kind: "subscriber-access" | "auto-attendant"): string | undefined {
  return lab.topology.contacts.find((c) => c.kind === kind && c.umNode === u.mailboxNode && (c.tenant ?? OnPremUm.CONTEXT) === tenantOf(u))
    ?.displayNumber;
}

/** New (INBOX) and old messages among `messages`. */
function folderCounts(messages: readonly VoiceMessage[]): { new: number; old: number } {
  return { new: messages.filter((m) => m.folder === "INBOX").length, old: messages.filter((m) => m.folder === "Old").length };
}

/** Why a message-waiting NOTIFY does not tell what the mailbox holds; undefined when it does. */
function mwiMismatch(s: MessageSummary, waiting: boolean, held: { new: number; old: number }): string | undefined {
  if (s.messagesWaiting === waiting && s.newMessages === held.new && s.oldMessages === held.old) return undefined;
  return `NOTIFY said Messages-Waiting ${s.messagesWaiting ? "yes" : "no"} ${s.newMessages}/${s.oldMessages}; the mailbox holds ${held.new}/${held.old}`;
}

/** Registers the user's phone for the duration of `fn`, and always unregisters it afterwards. */
async function withRegisteredPhone(
  lab: StartedLocalLab,
  user: TopologyUser,
  check: string,
  target: string,
  fn: () => Promise<CheckResult>,
): Promise<CheckResult> {
  const reg = await register(lab, user.name);
  if (!reg.ok) return failure(check, target, reg.ms, `${user.name}'s phone could not register: ${lastLines(reg.output)}`);
  try {
    return await fn();
  } finally {
    await register(lab, user.name, 0);
  }
}

/** Connectivity from the front end to each UM in play, through the edge where hosted. */
export async function checkConnectivity(lab: StartedLocalLab): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const t = lab.topology;
  for (const um of umNodes(t.nodes)) {
    const viaEdge = um.role === "hosted-um";
    const nextHop = viaEdge
      ? `${addressOf(t, "edge", "corp")}:${KamailioEdge.INTERNAL_SIP.from}`
      : `${um.addresses.corp}:${OnPremUm.SIP.from}`;
    const pilot = viaEdge ? HostedUm.PILOT : OnPremUm.PILOT;
    // Long enough for the edge's own answer when the provider is silent (its timer is 3 s).
    const r = await tracedOptions(lab, "frontend", `sip:${pilot}@${um.fqdn}`, nextHop, 5);
    const target = `${um.fqdn} (${um.name}${viaEdge ? ", through the edge over mutual TLS" : ""})`;
    if (r.ok) {
      out.push(success("connectivity", target, r.ms, "OPTIONS answered 200 by the UM's voice-mail pilot"));
      continue;
    }
    const found = await diagnoseConnectivity(lab, um, r);
    out.push(failure("connectivity", target, r.ms, `no 200 to OPTIONS (${describeFinal(r.final)})`, found));
  }
  return out;
}

/** Whether a TCP connection from a node's container to ip:port opens within `seconds`. */
async function tcpOpens(lab: StartedLocalLab, node: string, ip: string, port: number, seconds = 2): Promise<{ ok: boolean; ms: number }> {
  const started = Date.now();
  const r = await lab.exec(node, ["timeout", String(seconds), "bash", "-c", `exec 3<>/dev/tcp/${ip}/${port}`]);
  return { ok: r.exitCode === 0, ms: Date.now() - started };
}

/**
 * Corporate hosts cannot reach the provider's hosts except through the edge: a TCP connection
 * from a phone to the hosted UM's SIP-over-TLS port must not open, while the same probe to the
 * front end's SIP TCP port must (so a broken probe cannot pass as isolation).
 */
export async function checkIsolation(lab: StartedLocalLab): Promise<CheckResult[]> {
  const t = lab.topology;
  const hosted = t.nodes.find((n) => n.role === "hosted-um");
  const phone = t.nodes.find((n) => n.role === "phone");
  if (!hosted || !phone) return [];
  const ip = hosted.addresses.provider as string;
  const hostedPort = HostedUm.SIP_TLS.from;
  const target = `${hosted.name} ${ip}:${hostedPort} from ${phone.name}`;
  const fe = addressOf(t, "frontend", "corp");
  const fePort = FrontEnd.SIP_TCP.from;
  const control = await tcpOpens(lab, phone.name, fe, fePort);
  if (!control.ok) return [failure("isolation", target, control.ms, `the probe could not even open TCP to the front end ${fe}:${fePort}`)];
  const r = await tcpOpens(lab, phone.name, ip, hostedPort);
  return [
    r.ok
      ? failure("isolation", target, r.ms, "a corporate phone opened TCP to the provider network directly: the networks are not isolated")
      : success(
          "isolation",
          target,
          r.ms,
          "no TCP connection directly (the same probe reaches the front end); only the edge joins both networks",
        ),
  ];
}

/**
 * A deposit call that went wrong: not answered (then the diagnosis says which hop and why), or
 * answered and not ended cleanly (then what SIPp aborted on).
 */
async function callFailure(
  lab: StartedLocalLab,
  check: string,
  target: string,
  callee: TopologyUser,
  placed: TracedRun,
  what: string,
): Promise<CheckResult> {
  const status = placed.final?.status ?? 0;
  if (status >= 200 && status < 300) {
    return failure(
      check,
      target,
      placed.ms,
      `${what} was answered (${describeFinal(placed.final)}) but did not end cleanly: ${sippTrouble(placed.output)}`,
    );
  }
  const why = `${what} was not answered by the UM: ${describeFinal(placed.final)}`;
  return failure(check, target, placed.ms, why, await diagnoseCallFailure(lab, callee, placed));
}

/**
 * The messages once the UM has had time to write the callee's: it saves a recording after the call
 * ends, which on a loaded machine can come a moment after the caller's BYE was answered.
 */
async function messagesAfterHangup(lab: StartedLocalLab, callee: TopologyUser, before: readonly VoiceMessage[]): Promise<VoiceMessage[]> {
  const isNew = (m: VoiceMessage) => isMailboxOf(m, callee) && !before.some((b) => b.recording === m.recording && b.node === m.node);
  let after = await listMessages(lab);
  for (let i = 0; i < 8 && !after.some(isNew); i++) {
    await new Promise((r) => setTimeout(r, 250));
    after = await listMessages(lab);
  }
  return after;
}

/**
 * Verifies one deposit from `caller`: exactly one new message in the callee's mailbox, with the
 * tone, and none from that caller anywhere else. Deposits to other mailboxes from other callers
 * may land meanwhile (checks that run side by side, each from a caller of its own: callerFor).
 */
async function verifyDeposit(
  lab: StartedLocalLab,
  callee: TopologyUser,
  caller: TopologyUser,
  before: readonly VoiceMessage[],
  callId: string,
  expectedReason: "no-answer" | "unavailable" | "unconditional",
): Promise<{ ok: true; message: VoiceMessage; summary: string } | { ok: false; why: string; audio?: true }> {
  const after = await messagesAfterHangup(lab, callee, before);
  const added = after.filter((m) => !before.some((b) => b.recording === m.recording && b.node === m.node));
  const mine = added.filter((m) => isMailboxOf(m, callee));
  const stray = added.filter((m) => !isMailboxOf(m, callee) && m.caller === caller.sipUser);
  if (stray.length > 0)
    return { ok: false, why: `message(s) landed elsewhere: ${stray.map((m) => `${m.node} ${m.tenant}/${m.mailbox}`).join(", ")}` };
  if (mine.length === 0) return { ok: false, why: `no new message in ${mailboxName(callee)}`, audio: true };
  if (mine.length !== 1) return { ok: false, why: `expected 1 new message in ${mailboxName(callee)}, found ${mine.length}` };
  const line = (await umLogLines(lab, callee.mailboxNode, `umlab-deposit call-id=${callId}`))[0];
  const expected = `<${callee.sipUri}>`;
  if (!line?.includes(`diversion=${expected}`))
    return { ok: false, why: `the UM did not get a Diversion naming ${callee.sipUri}; it saw: ${line ?? "no deposit for this call"}` };
  if (!/diversion2= mailbox=/.test(line)) return { ok: false, why: `the caller's own Diversion header was not removed: ${line}` };
  const message = mine[0] as VoiceMessage;
  const { samples } = readWav(await readRecording(lab, message));
  const tone = toneEnergy(samples, TEST_TONE_HZ);
  if (tone.ratio < TONE_RATIO_MIN || tone.rmsDbfs < TONE_LEVEL_MIN_DBFS) {
    return {
      ok: false,
      why: `recording ${message.recording} does not carry the ${TEST_TONE_HZ} Hz tone (share ${tone.ratio.toFixed(2)}, level ${tone.rmsDbfs.toFixed(1)} dBFS)`,
      audio: true,
    };
  }
  const reason = /reason=([a-z-]+)/.exec(line)?.[1] ?? "?";
  if (reason !== expectedReason) return { ok: false, why: `Diversion reason is ${reason}; expected ${expectedReason} for this call` };
  return {
    ok: true,
    message,
    summary: `message ${message.id} in ${mailboxName(callee)} ${message.folder}, ${message.durationSeconds} s from ${message.caller}; Diversion ${expected} reason=${reason} (caller's own removed); tone share ${tone.ratio.toFixed(3)} at ${tone.rmsDbfs.toFixed(1)} dBFS`,
  };
}

/**
 * Who calls `callee` in a deposit check: the next user in the lab's order. So deposit checks to
 * different users can run side by side: no two place calls from the same phone (a phone has one
 * caller port) and each message's caller names the check it belongs to.
 */
export function callerFor(users: readonly TopologyUser[], callee: TopologyUser): TopologyUser {
  const i = users.findIndex((u) => u.name === callee.name);
  return users[(i + 1) % users.length] ?? callee;
}

/**
 * A voice-mail deposit for `callee`: with `ring` its phone is registered, rings and is not
 * answered; without, it is unregistered. Passes only if exactly one new message appears, in the
 * callee's mailbox on the right UM and tenant, the UM saw a Diversion naming the callee (and not
 * the caller's own), and the recording carries the caller's test tone.
 */
export async function checkDeposit(
  lab: StartedLocalLab,
  callee: TopologyUser,
  ring: boolean,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const t = lab.topology;
  const toneSeconds = options.toneSeconds ?? 3;
  const noAnswer = options.noAnswerSeconds ?? 8;
  const caller = callerFor(t.users, callee);
  const check = ring ? "no-answer deposit" : "unregistered deposit";
  const target = `${callee.name} -> ${mailboxName(callee)}`;

  const before = await listMessages(lab);
  let ringing: Promise<{ ok: boolean; output: string }> | undefined;
  if (ring) {
    const reg = await register(lab, callee.name);
    if (!reg.ok) return failure(check, target, reg.ms, `callee's phone could not register: ${lastLines(reg.output)}`);
    ringing = ringWithoutAnswer(lab, callee.name, noAnswer + 15);
    await phoneListening(lab, callee.name, ringing);
  } else {
    const unreg = await register(lab, callee.name, 0);
    if (!unreg.ok) return failure(check, target, unreg.ms, `callee's registration could not be removed: ${lastLines(unreg.output)}`);
  }
  const placed = await tracedCall(lab, {
    from: caller.name,
    to: callee.sipUser,
    holdSeconds: toneSeconds,
    timeoutSeconds: noAnswer + toneSeconds + 20,
  });
  const rang = ringing ? await ringing : undefined;
  if (ring) await register(lab, callee.name, 0);
  if (!placed.ok) return callFailure(lab, check, target, callee, placed, `the call from ${caller.name}`);
  if (rang && !rang.ok)
    return failure(check, target, placed.ms, `the callee's phone did not ring and get cancelled: ${lastLines(rang.output)}`);
  const v = await verifyDeposit(lab, callee, caller, before, placed.callId, ring ? "no-answer" : "unavailable");
  if (v.ok) return success(check, target, placed.ms, v.summary);
  return failure(check, target, placed.ms, v.why, v.audio ? await diagnoseMissingAudio(lab, callee, placed) : undefined);
}

/**
 * Direct to voice mail and message waiting: with the callee's phone registered, a call to
 * `sip:user@domain;opaque=app:voicemail` reaches the mailbox without ringing the phone (the phone
 * accepts only a NOTIFY), and the NOTIFY that follows says Messages-Waiting: yes with the counts
 * of the mailbox.
 */
export async function checkDirectDepositAndMwi(
  lab: StartedLocalLab,
  callee: TopologyUser,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const check = "direct deposit + MWI";
  const target = `${callee.name} -> ${mailboxName(callee)}`;
  const caller = lab.topology.users.find((u) => u.name !== callee.name) ?? callee;
  const toneSeconds = options.toneSeconds ?? 3;
  const before = await listMessages(lab);
  return withRegisteredPhone(lab, callee, check, target, async () => {
    // NOTIFYs of an older state (no messages: the one a fresh registration draws, or one still under
    // way) may come first: take the next, up to three in all, each within the same bound.
    const notified = (async () => {
      let r = await waitForNotify(lab, callee.name, toneSeconds + 25);
      for (let more = 0; more < 2 && r.summary && !r.summary.messagesWaiting; more++)
        r = await waitForNotify(lab, callee.name, toneSeconds + 25);
      return r;
    })();
    await phoneListening(lab, callee.name, notified);
    const placed = await tracedCall(lab, {
      from: caller.name,
      to: callee.sipUser,
      params: ";opaque=app:voicemail",
      holdSeconds: toneSeconds,
      timeoutSeconds: toneSeconds + 20,
    });
    const mwi = await notified;
    if (!placed.ok) return callFailure(lab, check, target, callee, placed, "the direct call");
    const v = await verifyDeposit(lab, callee, caller, before, placed.callId, "unconditional");
    if (!v.ok) return failure(check, target, placed.ms, v.why, v.audio ? await diagnoseMissingAudio(lab, callee, placed) : undefined);
    if (!mwi.ok || !mwi.summary) {
      const why = `the phone got no message-waiting NOTIFY, or was rung: ${lastLines(mwi.output)}`;
      return failure(check, target, placed.ms, why, await diagnoseRefusedRequest(lab, callee, placed.startedAt, "NOTIFY"));
    }
    const s = mwi.summary;
    const held = folderCounts((await listMessages(lab)).filter((m) => isMailboxOf(m, callee)));
    if (!/message-summary/.test(s.event) || !/application\/simple-message-summary/.test(s.contentType))
      return failure(check, target, placed.ms, `NOTIFY is not a message summary: Event ${s.event}, Content-Type ${s.contentType}`);
    const mismatch = mwiMismatch(s, true, held);
    if (mismatch) return failure(check, target, placed.ms, mismatch);
    return success(
      check,
      target,
      placed.ms,
      `${v.summary}; the phone did not ring; NOTIFY Messages-Waiting: yes, Voice-Message: ${s.newMessages}/${s.oldMessages}`,
    );
  });
}

/**
 * Subscriber access: the user dials the subscriber-access number of their UM, keys the PIN and '#'
 * by RFC 4733 DTMF, then 1 to hear the first new message; afterwards that message is in Old and
 * the phone gets a NOTIFY with the new counts (Messages-Waiting: no once nothing new is left).
 */
export async function checkSubscriberAccess(lab: StartedLocalLab, user: TopologyUser): Promise<CheckResult> {
  const pin = user.pin;
  const check = "subscriber access";
  const number = contactFor(lab, user, "subscriber-access");
  const target = `${user.name} dials ${number ?? "?"} -> ${mailboxName(user)}`;
  if (!number) return failure(check, target, 0, `no subscriber-access contact serves ${mailboxName(user)}`);
  const before = (await listMessages(lab)).filter((m) => isMailboxOf(m, user));
  const unread = before.filter((m) => m.folder === "INBOX");
  if (unread.length === 0) return failure(check, target, 0, `${mailboxName(user)} has no new message to listen to; deposit one first`);
  return withRegisteredPhone(lab, user, check, target, async () => {
    const notified = waitForNotify(lab, user.name, 40);
    await phoneListening(lab, user.name, notified);
    const keys = [...keyPresses(`${pin}#`, 1500), ...keyPresses("1", 1500 + (pin.length + 1) * 250 + 3500)];
    const placed = await tracedCall(lab, { from: user.name, to: number, media: { keys }, holdSeconds: 14, timeoutSeconds: 35 });
    if (!placed.ok) return callFailure(lab, check, target, user, placed, "the call to subscriber access");
    const signedIn = await umLogLines(lab, user.mailboxNode, `umlab-subscriber-access call-id=${placed.callId}`);
    if (!signedIn.some((l) => l.includes("state=signed-in")))
      return failure(
        check,
        target,
        placed.ms,
        `the PIN was not accepted: ${signedIn.join(" | ") || "no subscriber-access log for this call"}`,
      );
    const oldest = unread[0] as VoiceMessage;
    const now = folderCounts((await listMessages(lab)).filter((m) => isMailboxOf(m, user)));
    if (now.new !== unread.length - 1 || now.old !== before.length - unread.length + 1) {
      return failure(
        check,
        target,
        placed.ms,
        `the message was not marked read: before ${unread.length} new/${before.length - unread.length} old, after ${now.new}/${now.old}`,
      );
    }
    const mwi = await notified;
    if (!mwi.ok || !mwi.summary)
      return failure(check, target, placed.ms, `no message-waiting NOTIFY after reading: ${lastLines(mwi.output)}`);
    const s = mwi.summary;
    const mismatch = mwiMismatch(s, now.new > 0, now);
    if (mismatch) return failure(check, target, placed.ms, mismatch);
    return success(
      check,
      target,
      placed.ms,
      `PIN accepted by DTMF; message from ${oldest.caller} played and moved to Old; NOTIFY Messages-Waiting: ${s.messagesWaiting ? "yes" : "no"}, Voice-Message: ${s.newMessages}/${s.oldMessages}`,
    );
  });
}

/** Subscriber access refuses a wrong PIN: no sign-in, and the new messages stay new. */
export async function checkWrongPin(lab: StartedLocalLab, user: TopologyUser): Promise<CheckResult> {
  const pin = user.pin;
  const check = "subscriber access, wrong PIN";
  const number = contactFor(lab, user, "subscriber-access");
  const target = `${user.name} dials ${number ?? "?"} -> ${mailboxName(user)}`;
  if (!number) return failure(check, target, 0, `no subscriber-access contact serves ${mailboxName(user)}`);
  const wrong = [...pin].map((d) => String((Number(d) + 1) % 10)).join("");
  const before = (await listMessages(lab)).filter((m) => isMailboxOf(m, user) && m.folder === "INBOX").length;
  const placed = await tracedCall(lab, {
    from: user.name,
    to: number,
    media: { keys: keyPresses(`${wrong}#`, 1500) },
    holdSeconds: 6,
    timeoutSeconds: 25,
  });
  const lines = await umLogLines(lab, user.mailboxNode, `umlab-subscriber-access call-id=${placed.callId}`);
  const after = (await listMessages(lab)).filter((m) => isMailboxOf(m, user) && m.folder === "INBOX").length;
  if (!lines.some((l) => l.includes("state=pin"))) {
    if (!placed.ok) return callFailure(lab, check, target, user, placed, "the call to subscriber access");
    return failure(check, target, placed.ms, `the call did not reach the PIN prompt: ${lastLines(placed.output)}`);
  }
  if (lines.some((l) => l.includes("state=signed-in"))) return failure(check, target, placed.ms, `PIN ${wrong} was accepted`);
  if (after !== before) return failure(check, target, placed.ms, `new messages changed from ${before} to ${after}`);
  return success(check, target, placed.ms, `PIN ${wrong} refused; ${after} new message(s) untouched`);
}

/** Auto attendant: a caller from outside keys the user's extension and '#' and is put through to the user's phone. */
export async function checkAutoAttendant(lab: StartedLocalLab, user: TopologyUser): Promise<CheckResult> {
  const check = "auto attendant";
  const number = contactFor(lab, user, "auto-attendant");
  const target = `outside dials ${number ?? "?"}, keys ${user.extension} -> ${user.name}'s phone`;
  if (!number) return failure(check, target, 0, `no auto-attendant contact serves ${mailboxName(user)}`);
  if (!lab.topology.nodes.some((n) => n.name === OUTSIDE_PHONE)) return failure(check, target, 0, "the lab has no outside phone");
  return withRegisteredPhone(lab, user, check, target, async () => {
    const answered = answer(lab, user.name, 30);
    await phoneListening(lab, user.name, answered);
    const placed = await tracedCall(lab, {
      from: FROM_OUTSIDE,
      to: number,
      media: { keys: keyPresses(`${user.extension}#`, 1500) },
      holdSeconds: 8,
      timeoutSeconds: 30,
    });
    const rang = await answered;
    const lines = await umLogLines(lab, user.mailboxNode, `umlab-auto-attendant call-id=${placed.callId}`);
    if (!placed.ok && !lines.some((l) => l.includes(`target=${user.sipUser}`))) {
      return callFailure(lab, check, target, user, placed, "the outside call");
    }
    if (!lines.some((l) => l.includes(`target=${user.sipUser}`)))
      return failure(
        check,
        target,
        placed.ms,
        `the auto attendant did not pick ${user.name}: ${lines.join(" | ") || "no auto-attendant log for this call"}`,
      );
    if (!rang.ok || !placed.ok) {
      const why = `${user.name}'s phone was not put through and answered: ${lastLines(rang.output)}`;
      return failure(check, target, placed.ms, why, await diagnoseRefusedRequest(lab, user, placed.startedAt, "the auto attendant's call"));
    }
    return success(
      check,
      target,
      placed.ms,
      `DTMF ${user.extension}# understood; ${user.name}'s phone rang, answered and was hung up by the attendant's bridge`,
    );
  });
}

/** The mode's call checks: connectivity, isolation, UM features per UM in play, then deposits for every user. */
export async function runChecks(lab: StartedLocalLab, options: CheckOptions = {}): Promise<CheckResult[]> {
  return withCallIds(() => runEveryCheck(lab, options));
}

async function runEveryCheck(lab: StartedLocalLab, options: CheckOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  // Failures name the fault scenarios in place (read from the lab), for reports; the diagnosis does not use them.
  const faults = (await activeFaults(lab)).join(", ");
  const report = (rs: CheckResult[]) => {
    for (const found of rs) {
      const r = faults && found.result === "Failure" ? { ...found, scenario: faults } : found;
      results.push(r);
      options.onResult?.(r);
    }
  };
  report(await checkConnectivity(lab));
  report(await checkIsolation(lab));
  const users = lab.topology.users.filter((u) => !options.users || options.users.includes(u.name));
  // One user per (UM, tenant) that has contacts exercises message waiting, subscriber access and the auto attendant.
  const seen = new Set<string>();
  for (const u of users) {
    const key = `${u.mailboxNode}/${tenantOf(u)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    report([await checkDirectDepositAndMwi(lab, u, options)]);
    if (contactFor(lab, u, "subscriber-access")) {
      report([await checkWrongPin(lab, u)]);
      report([await checkSubscriberAccess(lab, u)]);
    }
    if (contactFor(lab, u, "auto-attendant")) report([await checkAutoAttendant(lab, u)]);
  }
  for (const u of users) report([await checkDeposit(lab, u, true, options)]);
  for (const u of users) report([await checkDeposit(lab, u, false, options)]);
  return results;
}
