import type { TopologyUser } from "../../constructs/topology.js";
import { callPlan, phoneDir } from "../../nodes/calls/plan.js";
import { type FinalResponse, finalResponse, parseSippLog } from "../faults/sip-log.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import { placedCalls, preparePlay, sipp } from "./driver.js";
import { umLogLines } from "./mailbox.js";

/** A deposit the UM ended itself, as the caller and the UM saw it. */
export interface UmEndedDeposit {
  /** SIPp's Call-ID (on the wire `<id>@<address>`) */
  readonly callId: string;
  /** the final response the caller's INVITE got */
  readonly final?: FinalResponse;
  /** the caller's phone received the UM's BYE (and answered it) */
  readonly byeReceived: boolean;
  /** when the caller's phone received the BYE, ms since the epoch (SIPp's stamp) */
  readonly byeAt?: number;
  /** when the UM hung up, ms since the epoch (its umlab-deposit-end log line) */
  readonly umHangupAt?: number;
  /** VoiceMail()'s VMSTATUS: SUCCESS (the longest message reached), FAILED (the mailbox is full) */
  readonly umStatus?: string;
  /** the caller's call, answered to BYE, in ms */
  readonly ms: number;
  readonly output: string;
}

/**
 * A direct-to-voice-mail call from `from` to `callee` that plays the test tone and stays until the
 * UM hangs up (a full mailbox, the longest message reached): when the UM hung up, by its own log,
 * and when the caller's phone got the BYE, by SIPp's, on the one clock the lab's containers share.
 */
export async function depositUntilUmHangsUp(
  lab: StartedLocalLab,
  from: string,
  callee: TopologyUser,
  timeoutSeconds: number,
): Promise<UmEndedDeposit> {
  const plan = callPlan(lab.topology, { from, to: callee.sipUser, params: ";opaque=app:voicemail", holdSeconds: 0 });
  await preparePlay(lab, plan.node, { tone: true });
  const run = await sipp(lab, plan.node, "call-until-hangup", plan.args, timeoutSeconds, true, phoneDir(plan.node));
  placedCalls.getStore()?.push(run.callId);
  const messages = parseSippLog(run.messages ?? "");
  const final = finalResponse(messages, "INVITE");
  const bye = messages.find((m) => m.direction === "received" && m.firstLine.startsWith("BYE "));
  const line = (await umLogLines(lab, callee.mailboxNode, `umlab-deposit-end call-id=${run.callId}`))[0];
  const hangupAt = line ? Number(/hangup-at=(\d+(?:\.\d+)?)/.exec(line)?.[1]) * 1000 : Number.NaN;
  return {
    callId: run.callId,
    ...(final ? { final } : {}),
    byeReceived: run.ok && bye !== undefined,
    ...(bye ? { byeAt: bye.at } : {}),
    ...(Number.isFinite(hangupAt) ? { umHangupAt: Math.round(hangupAt) } : {}),
    ...(line ? { umStatus: /status=(\w*)/.exec(line)?.[1] ?? "" } : {}),
    ms: run.ms,
    output: run.output,
  };
}
