import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CAPACITY_RETRY_AFTER_SECONDS, type DefaultLabOptions, defaultLab, type TopologyUser } from "../../constructs/index.js";
import { phoneListening, register, ringWithoutAnswer } from "../../lab/calls/driver.js";
import { listMessages } from "../../lab/calls/mailbox.js";
import { depositUntilUmHangsUp, type UmEndedDeposit } from "../../lab/calls/um-hangup.js";
import { type TracedRun, tracedCall } from "../../lab/faults/evidence.js";
import { LocalLab, type StartedLocalLab } from "../../lab/runtime/local-lab.js";
import { NO_ANSWER_SECONDS } from "./fixture.js";

/**
 * Capacity that is designed, not accidental (issue 10): each node that handles calls with media
 * refuses the call over its capacity at once, with 503, a reason that says who is full, and a
 * Retry-After; and a UM that ends a deposit itself (a full mailbox, the longest message) ends the
 * caller's call through the edge within a second. Two small labs, so the limits are reached with
 * three calls: a mixed one (on-premises UM 2, edge 2, hosted UM 3: the edge is reached first on
 * the hosted path) and a cross-premises one (hosted UM 2, one message per mailbox, 4 s at most).
 */

/** Starts a lab of `mode` with the model's `props` for this file, and removes it afterwards. */
function useSmallLab(tag: string, mode: DefaultLabOptions["mode"], props: Omit<DefaultLabOptions, "mode">): () => StartedLocalLab {
  let lab: StartedLocalLab | undefined;
  beforeAll(async () => {
    const instance = `e2e-${tag}-${process.pid}`;
    const model = defaultLab({ mode, noAnswerSeconds: NO_ANSWER_SECONDS, ...props });
    lab = await new LocalLab(model, { instance, log: (l) => process.stderr.write(`[${instance}] ${l}\n`) }).start();
  });
  afterAll(async () => {
    await lab?.stop();
  });
  return () => {
    if (!lab) throw new Error("the lab did not start (see the beforeAll error above)");
    return lab;
  };
}

const HOLD_SECONDS = 3;

/** Direct-to-voice-mail deposits placed at the same moment, `[caller, callee]` each from its own phone. */
async function depositsAtOnce(lab: StartedLocalLab, pairs: [string, string][]): Promise<TracedRun[]> {
  return Promise.all(
    pairs.map(([from, to]) =>
      tracedCall(lab, { from, to, params: ";opaque=app:voicemail", holdSeconds: HOLD_SECONDS, timeoutSeconds: HOLD_SECONDS + 20 }),
    ),
  );
}

/** Exactly `capacity` calls answered, the others refused at once with 503 `reason` and Retry-After. */
function expectSurplusRefused(runs: readonly TracedRun[], capacity: number, reason: RegExp): void {
  const answered = runs.filter((r) => r.final?.status === 200);
  const refused = runs.filter((r) => r.final?.status === 503);
  const seen = runs.map((r) => `${r.final?.status} ${r.final?.reason}`).join(" | ");
  expect(answered.length, seen).toBe(capacity);
  expect(refused.length, seen).toBe(runs.length - capacity);
  for (const r of answered) expect(r.ok, `an answered call did not end cleanly: ${r.output.slice(-300)}`).toBe(true);
  for (const r of refused) {
    expect(r.final?.reason).toMatch(reason);
    expect(r.final?.headers["retry-after"]).toBe(String(CAPACITY_RETRY_AFTER_SECONDS));
    // "At once": answered by the node that counts, not after a timer.
    expect(r.final?.afterMs).toBeLessThan(1000);
  }
}

/** The calls a node's dialog profile holds (kamcmd): 0 once the calls are over. */
async function callsHeld(lab: StartedLocalLab, node: string): Promise<number> {
  for (let i = 0; ; i++) {
    const r = await lab.exec(node, ["kamcmd", "dlg.profile_get_size", "capacity"]);
    const n = Number(r.output.trim());
    if (n === 0 || i >= 10) return n;
    await new Promise((res) => setTimeout(res, 200));
  }
}

describe("mixed lab: on-premises UM capacity 2, edge capacity 2", () => {
  const lab = useSmallLab("capacity-mixed", "mixed", { onPremUm: { capacity: 2 }, edge: { capacity: 2 }, hostedUm: { capacity: 3 } });

  it("on-premises UM: of 3 deposits at once, exactly 1 is refused by the front end with 503 'Voice mail at capacity' and Retry-After; the places come back after", async () => {
    const runs = await depositsAtOnce(lab(), [
      ["carol", "alice"],
      ["dave", "bob"],
      ["erin", "alice"],
    ]);
    expectSurplusRefused(runs, 2, /^Voice mail at capacity: um\.contoso\.test takes 2 calls$/);
    expect(await callsHeld(lab(), "frontend")).toBe(0);
    const again = await depositsAtOnce(lab(), [
      ["carol", "alice"],
      ["dave", "bob"],
    ]);
    expect(again.map((r) => r.final?.status)).toEqual([200, 200]);
  });

  it("on-premises UM: a call that rang unanswered and is then diverted to the full UM is refused with 503 when it is diverted", async () => {
    const reg = await register(lab(), "alice");
    expect(reg.ok, reg.output.slice(-300)).toBe(true);
    try {
      const ringing = ringWithoutAnswer(lab(), "alice", NO_ANSWER_SECONDS + 15);
      await phoneListening(lab(), "alice", ringing);
      const long = { params: ";opaque=app:voicemail", holdSeconds: NO_ANSWER_SECONDS + 4, timeoutSeconds: NO_ANSWER_SECONDS + 25 };
      const holding = [tracedCall(lab(), { from: "carol", to: "bob", ...long }), tracedCall(lab(), { from: "dave", to: "bob", ...long })];
      await new Promise((res) => setTimeout(res, 500));
      const diverted = await tracedCall(lab(), { from: "erin", to: "alice", holdSeconds: 1, timeoutSeconds: NO_ANSWER_SECONDS + 20 });
      expect((await Promise.all(holding)).map((r) => r.final?.status)).toEqual([200, 200]);
      expect(`${diverted.final?.status} ${diverted.final?.reason}`).toBe("503 Voice mail at capacity: um.contoso.test takes 2 calls");
      expect(diverted.final?.headers["retry-after"]).toBe(String(CAPACITY_RETRY_AFTER_SECONDS));
      // The phone rang for the no-answer time (Kamailio's timer may strike a few ms early), then the refusal came at once.
      expect(diverted.final?.afterMs).toBeGreaterThanOrEqual(NO_ANSWER_SECONDS * 1000 - 200);
      expect(diverted.final?.afterMs).toBeLessThan(NO_ANSWER_SECONDS * 1000 + 1000);
      expect((await ringing).ok).toBe(true);
    } finally {
      await register(lab(), "alice", 0);
    }
    expect(await callsHeld(lab(), "frontend")).toBe(0);
  });

  it("edge: of 3 hosted deposits at once, exactly 1 is refused by the edge with 503 'Media relay at capacity' (not its relay running out of ports)", async () => {
    const runs = await depositsAtOnce(lab(), [
      ["alice", "carol"],
      ["bob", "dave"],
      ["carol", "erin"],
    ]);
    expectSurplusRefused(runs, 2, /^Media relay at capacity: edge sip\.contoso\.test relays 2 calls$/);
    expect(await callsHeld(lab(), "edge")).toBe(0);
  });
});

describe("cross-premises lab: hosted UM capacity 2, one message per mailbox, 4 s at most", () => {
  const lab = useSmallLab("capacity-hosted", "cross-premises", {
    hostedUm: { capacity: 2, maxMessages: 1, maxMessageSeconds: 4 },
  });
  const user = (name: string): TopologyUser => {
    const u = lab().topology.users.find((x) => x.name === name);
    if (!u) throw new Error(`no user ${name}`);
    return u;
  };
  /** The UM's hangup reached the caller's phone, through the provider's proxy, the edge and the front end, within a second. */
  const expectByeWithinASecond = (r: UmEndedDeposit, status: string) => {
    expect(r.final?.status, r.output.slice(-300)).toBe(200);
    expect(r.umStatus, "the UM's umlab-deposit-end line").toBe(status);
    expect(r.byeReceived, `the caller got no BYE: ${r.output.slice(-300)}`).toBe(true);
    const latency = (r.byeAt as number) - (r.umHangupAt as number);
    expect(latency).toBeGreaterThanOrEqual(0);
    expect(latency).toBeLessThan(1000);
  };

  it("hosted UM: of 3 deposits at once, exactly 1 is refused by the provider's proxy with 503 'Hosted voice mail at capacity', passed back through the edge and the front end (not a bare 500)", async () => {
    const runs = await depositsAtOnce(lab(), [
      ["alice", "carol"],
      ["bob", "erin"],
      ["dave", "carol"],
    ]);
    expectSurplusRefused(runs, 2, /^Hosted voice mail at capacity: exap\.um\.provider\.test takes 2 calls$/);
  });

  it("longest message: the hosted UM ends a deposit at 4 s and the caller gets its BYE through the edge within 1 s", async () => {
    const dave = user("dave");
    const r = await depositUntilUmHangsUp(lab(), "alice", dave, 30);
    expectByeWithinASecond(r, "SUCCESS");
    const kept = (await listMessages(lab(), { node: dave.mailboxNode, mailbox: dave.extension })).filter((m) => m.tenant === dave.tenant);
    expect(kept.length).toBe(1);
    expect(kept[0]?.durationSeconds).toBeGreaterThanOrEqual(3);
    expect(kept[0]?.durationSeconds).toBeLessThanOrEqual(4);
  });

  it("mailbox full: the hosted UM answers, says so, hangs up, and the caller gets its BYE through the edge within 1 s; nothing is added", async () => {
    const dave = user("dave");
    const held = async () =>
      (await listMessages(lab(), { node: dave.mailboxNode, mailbox: dave.extension })).filter((m) => m.tenant === dave.tenant).length;
    expect(await held(), "dave's mailbox holds its one message (the test before)").toBe(1);
    const r = await depositUntilUmHangsUp(lab(), "bob", dave, 30);
    expectByeWithinASecond(r, "FAILED");
    expect(await held()).toBe(1);
  });
});
