import { readWav, toneEnergy } from "../../constructs/render/audio.js";
import type { TopologyUser } from "../../constructs/topology.js";
import { TEST_TONE_HZ } from "../../nodes/calls/media.js";
import { CALLER_SIP_PORT, frontEndTarget } from "../../nodes/calls/plan.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import { Baresip, type MwiNotice, mwiNotices } from "./baresip.js";
import { type CheckOptions, type CheckResult, TONE_LEVEL_MIN_DBFS, TONE_RATIO_MIN, tenantOf } from "./checks.js";
import { sipp } from "./driver.js";
import { listMessages, readRecording, type VoiceMessage } from "./mailbox.js";

/**
 * Message waiting by subscription (RFC 3842), as real phones ask for it: a real SIP user agent
 * (baresip) subscribes through the front end (and the edge) to the UM that holds its mailbox, and
 * event packages the lab does not serve are refused at the front end.
 */

/** The event package the lab serves to SUBSCRIBE; any other gets 489. */
export const SERVED_EVENT = "message-summary";

function result(check: string, target: string, started: number, ok: boolean, diagnosis: string): CheckResult {
  return { check, target, result: ok ? "Success" : "Failure", latencyMs: Date.now() - started, diagnosis };
}

function mailboxOf(u: TopologyUser): string {
  return `${u.mailboxNode} ${tenantOf(u)}/${u.extension}`;
}

function inMailbox(m: VoiceMessage, u: TopologyUser): boolean {
  return m.node === u.mailboxNode && m.tenant === tenantOf(u) && m.mailbox === u.extension;
}

function counts(messages: readonly VoiceMessage[], u: TopologyUser): { new: number; old: number } {
  const mine = messages.filter((m) => inMailbox(m, u));
  return { new: mine.filter((m) => m.folder === "INBOX").length, old: mine.filter((m) => m.folder === "Old").length };
}

function said(n: MwiNotice): string {
  return `Messages-Waiting: ${n.messagesWaiting ? "yes" : "no"}, Voice-Message: ${n.newMessages}/${n.oldMessages}`;
}

function saysCounts(n: MwiNotice, held: { new: number; old: number }): boolean {
  return n.messagesWaiting === held.new > 0 && n.newMessages === held.new && n.oldMessages === held.old;
}

/** The UM's inbound subscriptions for `resource` (`pjsip show subscriptions inbound`): "endpoint/caller resource/event". */
async function umSubscriptions(lab: StartedLocalLab, u: TopologyUser): Promise<string[]> {
  const r = await lab.exec(u.mailboxNode, ["asterisk", "-rx", "pjsip show subscriptions inbound"]);
  const out: string[] = [];
  const lines = r.output.split("\n").map((l) => l.trim());
  lines.forEach((l, i) => {
    const endpoint = /^Endpoint:\s*(\S+)/.exec(l)?.[1];
    const resource = /^Resource:\s*(\S+)/.exec(lines[i + 1] ?? "")?.[1];
    if (endpoint && !endpoint.startsWith("<") && resource === `${u.sipUser}/${SERVED_EVENT}`) out.push(`${endpoint} ${resource}`);
  });
  return out;
}

async function waitForSubscription(lab: StartedLocalLab, u: TopologyUser, present: boolean, timeoutMs: number): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const subs = await umSubscriptions(lab, u);
    if (subs.length > 0 === present || Date.now() > until) return subs;
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** The deposit the phone just made: exactly one new message, in its mailbox only, carrying the tone. */
async function verifyOwnDeposit(lab: StartedLocalLab, u: TopologyUser, before: readonly VoiceMessage[]): Promise<string | VoiceMessage> {
  const added = (await listMessages(lab)).filter((m) => !before.some((b) => b.recording === m.recording && b.node === m.node));
  const stray = added.filter((m) => !inMailbox(m, u));
  if (stray.length > 0) return `message(s) landed elsewhere: ${stray.map((m) => `${m.node} ${m.tenant}/${m.mailbox}`).join(", ")}`;
  if (added.length !== 1) return `expected 1 new message in ${mailboxOf(u)}, found ${added.length}`;
  const message = added[0] as VoiceMessage;
  const tone = toneEnergy(readWav(await readRecording(lab, message)).samples, TEST_TONE_HZ);
  if (tone.ratio < TONE_RATIO_MIN || tone.rmsDbfs < TONE_LEVEL_MIN_DBFS)
    return `recording ${message.recording} does not carry the ${TEST_TONE_HZ} Hz tone (share ${tone.ratio.toFixed(2)}, level ${tone.rmsDbfs.toFixed(1)} dBFS)`;
  return message;
}

/** The last lines of baresip's log that say what happened (status lines, MWI, call progress). */
function logTail(log: string): string {
  const wanted = /^(SIP\/2\.0 \d+|SUBSCRIBE |NOTIFY |INVITE |mwi:|call:|.*Call |.*terminated|.*MWI for)/;
  return log
    .split(/\r?\n/)
    .filter((l) => wanted.test(l))
    .slice(-8)
    .join(" | ")
    .slice(0, 600);
}

/**
 * A real phone and message waiting, end to end: baresip registers as `user` and subscribes to
 * message-summary; the UM that holds the mailbox shows the subscription and sends the initial
 * NOTIFY with the mailbox's counts; baresip calls the user's voice mail directly with the tone as
 * its microphone; the message lands in that mailbox only, with the tone; the next NOTIFY of the
 * subscription says Messages-Waiting: yes with the new counts; quitting ends the subscription.
 */
export async function checkRealPhoneMessageWaiting(
  lab: StartedLocalLab,
  user: TopologyUser,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const check = "real phone: subscribed message waiting";
  const target = `${user.name} (baresip) -> ${mailboxOf(user)}`;
  const started = Date.now();
  const before = await listMessages(lab);
  const held = counts(before, user);
  const phone = await Baresip.start(lab, user.name, { toneSeconds: options.toneSeconds ?? 3, lifetimeSeconds: 60 });
  let outcome: { ok: boolean; why: string };
  let log = "";
  try {
    outcome = await subscribeDepositAndNotify(lab, phone, user, before, held);
  } finally {
    log = await phone.quit();
  }
  if (!outcome.ok) return result(check, target, started, false, outcome.why);
  const left = await waitForSubscription(lab, user, false, 5000);
  if (left.length > 0) {
    // What baresip said about its subscription and its quitting: the evidence of where the un-SUBSCRIBE went.
    const said = log
      .split("\n")
      .filter((l) => /subscri|mwi|notify|unregister|quit|timeout|error/i.test(l))
      .slice(-8)
      .join(" | ");
    const why = `${outcome.why}; but the UM still holds ${left.join(", ")} after baresip unsubscribed (baresip: ${said || "said nothing about it"})`;
    return result(check, target, started, false, why);
  }
  return result(check, target, started, true, `${outcome.why}; the unsubscription reached the UM`);
}

async function subscribeDepositAndNotify(
  lab: StartedLocalLab,
  phone: Baresip,
  user: TopologyUser,
  before: readonly VoiceMessage[],
  held: { new: number; old: number },
): Promise<{ ok: boolean; why: string }> {
  const reg = await phone.register();
  if (!reg.ok) return { ok: false, why: `baresip did not take the account: ${reg.data}` };
  const subs = await waitForSubscription(lab, user, true, 8000);
  if (subs.length === 0)
    return { ok: false, why: `${user.mailboxNode} shows no subscription for ${user.sipUser}: ${logTail(await phone.log())}` };
  const first = (await phone.waitForLog((l) => mwiNotices(l).length > 0, 5000)) ?? "";
  const initial = mwiNotices(first)[0];
  if (!initial) return { ok: false, why: `subscribed (${subs.join(", ")}) but no initial NOTIFY reached baresip: ${logTail(first)}` };
  if (!saysCounts(initial, held))
    return { ok: false, why: `the initial NOTIFY said ${said(initial)}; the mailbox holds ${held.new}/${held.old}` };
  const dialled = await phone.dial(`sip:${user.sipUser}@${lab.topology.sipDomain};opaque=app:voicemail`);
  if (!dialled.ok) return { ok: false, why: `baresip could not dial voice mail: ${dialled.data}` };
  const ended = await phone.waitForLog((l) => /Call with .* terminated/.test(l), 30000);
  if (!ended) return { ok: false, why: `the call to voice mail did not end: ${logTail(await phone.log())}` };
  const deposit = await verifyOwnDeposit(lab, user, before);
  if (typeof deposit === "string") return { ok: false, why: deposit };
  const now = counts(await listMessages(lab), user);
  const log = await phone.waitForLog((l) => mwiNotices(l).some((n) => saysCounts(n, now) && n.messagesWaiting), 10000);
  const notices = mwiNotices(log ?? (await phone.log()));
  if (!log)
    return {
      ok: false,
      why: `no NOTIFY after the deposit said ${now.new}/${now.old}; baresip got: ${notices.map(said).join("; ") || "none"}`,
    };
  return {
    ok: true,
    why: `registered and subscribed (${subs.join(", ")}); initial NOTIFY ${said(initial)}; deposit ${deposit.id} in ${mailboxOf(user)}, ${deposit.durationSeconds} s with the tone; then NOTIFY ${said(notices[notices.length - 1] as MwiNotice)}`,
  };
}

/**
 * A SUBSCRIBE for an event package the lab does not serve (e.g. presence) is refused at once by the
 * front end with 489 Bad Event and Allow-Events: message-summary, before any digest challenge.
 */
export async function checkUnservedEventRefused(lab: StartedLocalLab, user: TopologyUser, event = "presence"): Promise<CheckResult> {
  const check = "unserved event package";
  const target = `${user.name} SUBSCRIBE Event: ${event} -> front end`;
  const started = Date.now();
  const ip = lab.topology.nodes.find((n) => n.name === user.phone)?.addresses.corp as string;
  const keys = { user: user.sipUser, domain: lab.topology.sipDomain, event };
  const args = [
    ...Object.entries(keys).flatMap(([k, v]) => ["-key", k, v]),
    "-i",
    ip,
    "-p",
    String(CALLER_SIP_PORT),
    frontEndTarget(lab.topology),
  ];
  const r = await sipp(lab, user.phone, "subscribe-unserved-event", args, 5);
  const lines = r.output.trim().split("\n").slice(-3).join(" | ");
  return r.ok
    ? result(check, target, started, true, `489 Bad Event in ${r.ms} ms, no challenge first; Allow-Events names ${SERVED_EVENT}`)
    : result(check, target, started, false, `no 489 with Allow-Events: ${SERVED_EVENT} (SIPp exit ${r.exitCode}): ${lines}`);
}
