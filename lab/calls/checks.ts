import { readWav, toneEnergy } from "../../constructs/render/audio.js";
import { addressOf, type TopologyUser } from "../../constructs/topology.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import { leaveMessage, options, register, ringWithoutAnswer, sipUser } from "./driver.js";
import { depositLogLine, listMessages, readRecording, type VoiceMessage } from "./mailbox.js";
import { TEST_TONE_HZ } from "./media.js";

/** One check's outcome, reported like Test-CsExUMConnectivity: target, result, latency, diagnosis. */
export interface CheckResult {
  readonly check: string;
  readonly target: string;
  readonly result: "Success" | "Failure";
  readonly latencyMs: number;
  readonly diagnosis: string;
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

const UM_CONTEXT_ONPREM = "onprem";

function tenantOf(u: TopologyUser): string {
  return u.mailbox === "hosted" ? (u.tenant as string) : UM_CONTEXT_ONPREM;
}

function messagesOf(all: readonly VoiceMessage[], u: TopologyUser, node = u.mailboxNode): VoiceMessage[] {
  return all.filter((m) => m.node === node && m.mailbox === u.extension && (node !== u.mailboxNode || m.tenant === tenantOf(u)));
}

/** Connectivity from the front end to each UM in play, through the edge where hosted. */
export async function checkConnectivity(lab: StartedLocalLab): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const t = lab.topology;
  for (const um of t.nodes.filter((n) => n.role === "onprem-um" || n.role === "hosted-um")) {
    const viaEdge = um.role === "hosted-um";
    const nextHop = viaEdge ? `${addressOf(t, "edge", "corp")}:5060` : `${um.addresses.corp}:5060`;
    const r = await options(lab, "frontend", `sip:voicemail@${um.fqdn}`, nextHop);
    out.push({
      check: "connectivity",
      target: `${um.fqdn} (${um.name}${viaEdge ? ", through the edge over mutual TLS" : ""})`,
      result: r.ok ? "Success" : "Failure",
      latencyMs: r.ms,
      diagnosis: r.ok ? "OPTIONS answered 200 by the UM's voice-mail pilot" : `no 200 to OPTIONS: ${lastLines(r.output)}`,
    });
  }
  return out;
}

/**
 * Corporate hosts cannot reach the provider's hosts except through the edge. The same probe from
 * the same phone must first reach the front end, so a broken probe cannot pass as isolation.
 */
export async function checkIsolation(lab: StartedLocalLab): Promise<CheckResult[]> {
  const t = lab.topology;
  const hosted = t.nodes.find((n) => n.role === "hosted-um");
  const phone = t.nodes.find((n) => n.role === "phone");
  if (!hosted || !phone) return [];
  const ip = hosted.addresses.provider as string;
  const target = `${hosted.name} ${ip} from ${phone.name}`;
  const fe = addressOf(t, "frontend", "corp");
  const control = await options(lab, phone.name, `sip:${fe}`, `${fe}:5060`, 2);
  if (!control.ok) {
    return [
      {
        check: "isolation",
        target,
        result: "Failure",
        latencyMs: control.ms,
        diagnosis: `the probe could not even reach the front end: ${lastLines(control.output)}`,
      },
    ];
  }
  const r = await options(lab, phone.name, `sip:voicemail@${ip}`, `${ip}:5061`, 2);
  return [
    {
      check: "isolation",
      target,
      result: r.ok ? "Failure" : "Success",
      latencyMs: r.ms,
      diagnosis: r.ok
        ? "a corporate phone reached the provider network directly: the networks are not isolated"
        : "no answer directly (the front end answered the same probe); only the edge joins both networks",
    },
  ];
}

/**
 * A voice-mail deposit for `callee`: with `ring` its phone is registered, rings and is not
 * answered; without, it is unregistered. Verifies the landing: a new message in the callee's
 * mailbox on the right UM and tenant, Diversion naming the callee, the test tone in the
 * recording, and (mixed mode) nothing for the callee on the other UM.
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
  const caller = t.users.find((u) => u.name !== callee.name) ?? callee;
  const check = ring ? "no-answer deposit" : "unregistered deposit";
  const target = `${callee.name} (${callee.extension}) -> ${callee.mailboxNode}${callee.mailbox === "hosted" ? ` tenant ${callee.tenant}` : ""}`;
  const fail = (ms: number, why: string): CheckResult => ({ check, target, result: "Failure", latencyMs: ms, diagnosis: why });

  const before = await listMessages(lab);
  let ringing: Promise<{ ok: boolean; output: string }> | undefined;
  if (ring) {
    const reg = await register(lab, callee.name);
    if (!reg.ok) return fail(reg.ms, `callee's phone could not register: ${lastLines(reg.output)}`);
    ringing = ringWithoutAnswer(lab, callee.name, noAnswer + 15);
    await new Promise((r) => setTimeout(r, 300)); // let the phone bind its port
  } else {
    const unreg = await register(lab, callee.name, 0);
    if (!unreg.ok) return fail(unreg.ms, `callee's registration could not be removed: ${lastLines(unreg.output)}`);
  }
  const call = await leaveMessage(lab, caller.name, callee.name, toneSeconds, noAnswer + toneSeconds + 20);
  const rang = ringing ? await ringing : undefined;
  if (ring) await register(lab, callee.name, 0);
  if (!call.ok) return fail(call.ms, `the call from ${caller.name} was not answered by voice mail: ${lastLines(call.output)}`);
  if (rang && !rang.ok) return fail(call.ms, `the callee's phone did not ring and get cancelled: ${lastLines(rang.output)}`);

  const after = await listMessages(lab);
  const mine = messagesOf(after, callee).filter((m) => !messagesOf(before, callee).some((b) => b.recording === m.recording));
  if (mine.length !== 1)
    return fail(
      call.ms,
      `expected 1 new message in ${callee.mailboxNode} mailbox ${tenantOf(callee)}/${callee.extension}, found ${mine.length}`,
    );
  const otherUm = t.nodes.find((n) => (n.role === "onprem-um" || n.role === "hosted-um") && n.name !== callee.mailboxNode);
  if (otherUm) {
    const stray = after.filter((m) => m.node === otherUm.name && m.mailbox === callee.extension);
    if (stray.length > 0)
      return fail(call.ms, `${otherUm.name} holds ${stray.length} message(s) for extension ${callee.extension}; it should hold none`);
  }
  const line = await depositLogLine(lab, callee.mailboxNode, call.callId);
  const expectedDiversion = `<${callee.sipUri}>`;
  if (!line?.includes(`diversion=${expectedDiversion}`))
    return fail(call.ms, `Diversion does not name ${callee.sipUri}; UM saw: ${line ?? "no deposit for this call"}`);
  const message = mine[0] as VoiceMessage;
  const { samples } = readWav(await readRecording(lab, message));
  const tone = toneEnergy(samples, TEST_TONE_HZ);
  if (tone.ratio < TONE_RATIO_MIN || tone.rmsDbfs < TONE_LEVEL_MIN_DBFS) {
    return fail(
      call.ms,
      `recording ${message.recording} does not carry the ${TEST_TONE_HZ} Hz tone (share ${tone.ratio.toFixed(2)}, level ${tone.rmsDbfs.toFixed(1)} dBFS)`,
    );
  }
  const reason = /reason=([a-z-]+)/.exec(line)?.[1] ?? "?";
  return {
    check,
    target,
    result: "Success",
    latencyMs: call.ms,
    diagnosis: `message ${message.id} in ${message.folder}, ${message.durationSeconds} s from ${message.caller}; Diversion ${expectedDiversion} reason=${reason}; tone share ${tone.ratio.toFixed(3)} at ${tone.rmsDbfs.toFixed(1)} dBFS`,
  };
}

/** The mode's call checks, in order: connectivity, isolation, then deposits for every user. */
export async function runChecks(lab: StartedLocalLab, options: CheckOptions = {}): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const report = (rs: CheckResult[]) => {
    for (const r of rs) {
      results.push(r);
      options.onResult?.(r);
    }
  };
  report(await checkConnectivity(lab));
  report(await checkIsolation(lab));
  const users = lab.topology.users.filter((u) => !options.users || options.users.includes(u.name));
  for (const u of users) report([await checkDeposit(lab, u, true, options)]);
  for (const u of users) report([await checkDeposit(lab, u, false, options)]);
  return results;
}

function lastLines(output: string, n = 4): string {
  return output.trim().split("\n").filter(Boolean).slice(-n).join(" | ").slice(0, 400);
}

export { sipUser };
