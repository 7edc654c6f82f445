// Steps 2 and 3 of the load benchmark: concurrent direct-to-voice-mail deposits with the test tone
// through the front end, the edge (rtpengine) and the hosted UM; every recording tone-checked.
import { loadavg } from "node:os";
import { readWav, toneEnergy } from "../../constructs/render/audio.js";
import { nodeOf, type TopologyUser } from "../../constructs/topology.js";
import { TEST_TONE_HZ } from "../../nodes/calls/media.js";
import { CALLER_MEDIA_PORT, CALLER_SIP_PORT, credentialArgs, frontEndTarget, phoneDir } from "../../nodes/calls/plan.js";
import { TONE_LEVEL_MIN_DBFS, TONE_RATIO_MIN, tenantOf } from "../calls/checks.js";
import { preparePlay } from "../calls/driver.js";
import { listMessages, readRecording } from "../calls/mailbox.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import { type CapacityRow, countRefusals, type DepositRow, depositCallerArgs, parseSippStats, statsPath } from "./load-plan.js";

/** Seconds a deposit waits for each answer before SIPp counts it failed (the UM answers at once). */
const RECV_TIMEOUT_SECONDS = 20;
const SPOOL = "/var/spool/asterisk/voicemail";

/** The hosted users, in order: the deposit step fills the first, the bursts the next two. */
export function hostedUsers(lab: StartedLocalLab): TopologyUser[] {
  return lab.topology.users.filter((u) => u.mailbox === "hosted");
}

/** The callers of the deposits: users with an on-premises mailbox (any signed-in user would do), one SIPp each. */
function depositCallers(lab: StartedLocalLab): TopologyUser[] {
  const callers = lab.topology.users.filter((u) => u.mailbox === "on-premises");
  if (callers.length < 2) throw new Error("the lab needs two users with on-premises mailboxes to place deposits");
  return callers;
}

/** Empties the callee's inbox on its UM (the benchmark's own lab): what a burst stores is then all there is. */
async function emptyInbox(lab: StartedLocalLab, callee: TopologyUser): Promise<void> {
  await lab.exec(callee.mailboxNode, ["sh", "-c", `rm -f ${SPOOL}/${tenantOf(callee)}/${callee.extension}/INBOX/msg*`]);
}

/** The callee's inbox once the UM has written every recording (it saves each after its call ends). */
async function storedMessages(lab: StartedLocalLab, callee: TopologyUser, expected: number) {
  const mine = async () =>
    (await listMessages(lab, { node: callee.mailboxNode, mailbox: callee.extension })).filter(
      (m) => m.tenant === tenantOf(callee) && m.folder === "INBOX",
    );
  let found = await mine();
  for (let i = 0; i < 20 && found.length < expected; i++) {
    await new Promise((r) => setTimeout(r, 500));
    found = await mine();
  }
  return found;
}

/** How many of the messages carry the caller's test tone, by the same measure as the deposit checks. */
async function withTone(lab: StartedLocalLab, messages: Awaited<ReturnType<typeof storedMessages>>): Promise<number> {
  let n = 0;
  for (const m of messages) {
    const tone = toneEnergy(readWav(await readRecording(lab, m)).samples, TEST_TONE_HZ);
    if (tone.ratio >= TONE_RATIO_MIN && tone.rmsDbfs >= TONE_LEVEL_MIN_DBFS) n++;
  }
  return n;
}

/**
 * One burst: `calls` direct-to-voice-mail deposits to `callee`, all started within a second by one
 * SIPp (one caller, digest auth), each playing `toneSeconds` of tone; then the callee's inbox is
 * read and every recording tone-checked. Bounded: SIPp stops at its global timeout.
 */
export async function depositBurst(
  lab: StartedLocalLab,
  callee: TopologyUser,
  calls: number,
  toneSeconds: number,
  label: string,
  options: { caller?: TopologyUser; errorFile?: string } = {},
): Promise<DepositRow> {
  const { errorFile } = options;
  const caller = options.caller ?? (depositCallers(lab)[0] as TopologyUser);
  const ip = nodeOf(lab.topology, caller.phone).addresses.corp as string;
  await emptyInbox(lab, callee);
  await preparePlay(lab, caller.phone, { tone: true });
  const tag = `deposit-${callee.name}-${Date.now()}`;
  const args = depositCallerArgs({
    from: { ip, port: CALLER_SIP_PORT, mediaPort: CALLER_MEDIA_PORT },
    target: frontEndTarget(lab.topology),
    keys: { caller: caller.sipUser, callee: callee.sipUser, params: ";opaque=app:voicemail", domain: lab.topology.sipDomain },
    credentials: credentialArgs(caller.phone),
    calls,
    toneSeconds,
    recvTimeoutSeconds: RECV_TIMEOUT_SECONDS,
    tag,
    ...(errorFile ? { errorFile } : {}),
  });
  const started = Date.now();
  await lab.exec(caller.phone, args, { workingDir: phoneDir(caller.phone) });
  const seconds = (Date.now() - started) / 1000;
  const csv = await lab.exec(caller.phone, ["sh", "-c", `cat ${statsPath(tag)}; rm -f ${statsPath(tag)}`]);
  const stats = parseSippStats(csv.output);
  const stored = await storedMessages(lab, callee, stats?.successful ?? calls);
  return {
    label,
    callee: `${callee.name} (${callee.mailboxNode} ${tenantOf(callee)}/${callee.extension})`,
    calls,
    completed: stats?.successful ?? 0,
    stored: stored.length,
    withTone: await withTone(lab, stored),
    seconds,
    load: loadavg()[0] ?? 0,
  };
}

/** Two bursts side by side, one row: their calls, completions, messages and tones added up. */
function summed(label: string, callee: string, rows: readonly DepositRow[]): DepositRow {
  const sum = (f: (r: DepositRow) => number) => rows.reduce((n, r) => n + f(r), 0);
  return {
    label,
    callee,
    calls: sum((r) => r.calls),
    completed: sum((r) => r.completed),
    stored: sum((r) => r.stored),
    withTone: sum((r) => r.withTone),
    seconds: Math.max(...rows.map((r) => r.seconds)),
    load: Math.max(...rows.map((r) => r.load)),
  };
}

/**
 * Capacity + 1 deposits at once on the hosted path (edge, hosted UM), which takes `capacity`: the
 * surplus must be refused at once with 503 and a Retry-After. The calls go to two hosted users
 * from two callers, so that no mailbox fills up (a UM's maxMessages) and hides the refusal.
 */
export async function capacityBurst(lab: StartedLocalLab, capacity: number, toneSeconds: number): Promise<CapacityRow> {
  const [first, second] = hostedUsers(lab);
  const [callerA, callerB] = depositCallers(lab);
  if (!first || !second || !callerA || !callerB) throw new Error("the lab needs two hosted users for the capacity step");
  const calls = capacity + 1;
  const halves = [
    { caller: callerA, callee: first, calls: Math.ceil(calls / 2) },
    { caller: callerB, callee: second, calls: Math.floor(calls / 2) },
  ];
  const runs = await Promise.all(
    halves.map(async (h, i) => {
      const errorFile = `/tmp/umlab-load-capacity-${i}-${Date.now()}.log`;
      const row = await depositBurst(lab, h.callee, h.calls, toneSeconds, "capacity + 1", { caller: h.caller, errorFile });
      const log = await lab.exec(h.caller.phone, ["sh", "-c", `cat ${errorFile} 2>/dev/null; rm -f ${errorFile}`]);
      return { row, refusals: countRefusals(log.output) };
    }),
  );
  return {
    capacity,
    deposits: summed(
      "capacity + 1",
      `${first.name} and ${second.name}`,
      runs.map((r) => r.row),
    ),
    refused: runs.reduce((n, r) => n + r.refusals.refused, 0),
    withRetryAfter: runs.reduce((n, r) => n + r.refusals.withRetryAfter, 0),
  };
}
