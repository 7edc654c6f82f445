import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TopologyUser } from "../../constructs/index.js";
import { type CheckResult, checkConnectivity, checkDeposit, checkDirectDepositAndMwi } from "../../lab/calls/checks.js";
import { listMessages, type VoiceMessage } from "../../lab/calls/mailbox.js";
import { type Diagnosis, diagnoseCallFailure, diagnoseRefusedRequest } from "../../lab/faults/diagnosis.js";
import { tracedCall } from "../../lab/faults/evidence.js";
import { clearFault, injectFault } from "../../lab/faults/faults.js";
import type { NodeControl } from "../../lab/faults/lab-control.js";
import type { FinalResponse } from "../../lab/faults/sip-log.js";
import { NO_ANSWER_SECONDS, useLab } from "./fixture.js";

/** A caller whose voice mail cannot be reached gets a final response within this. */
const FINAL_WITHIN_MS = 5000;
const OPTIONS = { noAnswerSeconds: NO_ANSWER_SECONDS, toneSeconds: 3 };

function expectSuccess(r: CheckResult): void {
  expect(r.result, `${r.check} ${r.target}: ${r.diagnosis}`).toBe("Success");
}

/** One row of the README's time-to-final-response table. */
interface Row {
  readonly scenario: string;
  readonly got: string;
  readonly ms?: number;
  readonly diagnosis: string;
}

// One mixed lab for every scenario, one after the other: inject, what a user sees, clear, recovery.
// Erin places the refused calls, alice the deposit checks; calls never overlap (see cert-untrusted).
describe("fault scenarios on one mixed lab", () => {
  const lab = useLab("mixed", { tag: "faults" });
  const control = (): NodeControl => ({ lab: lab(), log: (l) => process.stderr.write(`[faults] ${l}\n`), healthTimeoutMs: 60_000 });
  const user = (name: string): TopologyUser => lab().topology.users.find((u) => u.name === name) as TopologyUser;
  const rows: Row[] = [];

  beforeAll(async () => {
    // Messages deposited before any fault, on both UMs: each must still be there after every clear.
    expectSuccess(await checkDeposit(lab(), user("carol"), false, OPTIONS));
    expectSuccess(await checkDeposit(lab(), user("bob"), false, OPTIONS));
  });

  afterAll(() => {
    const table = rows.map((r) => `| ${r.scenario} | ${r.got} | ${r.ms === undefined ? "-" : (r.ms / 1000).toFixed(1)} | ${r.diagnosis} |`);
    process.stderr.write(`\n| scenario | what the caller got | s | diagnosis |\n|---|---|---|---|\n${table.join("\n")}\n`);
    mkdirSync(".umlab", { recursive: true });
    writeFileSync(".umlab/fault-timings.json", JSON.stringify(rows, null, 2));
  });

  const key = (m: VoiceMessage) => `${m.node} ${m.recording}`;

  /**
   * Injects `name`, runs `during`, clears it, then checks that no message was lost (every message
   * from before is still in its mailbox) and that `untouched` users' mailboxes got nothing while
   * their deposits were refused (no half-stored message).
   */
  async function withFault(name: string, during: () => Promise<void>, untouched: string[] = []): Promise<void> {
    const before = await listMessages(lab());
    const count = (all: VoiceMessage[], u: TopologyUser) => all.filter((m) => m.node === u.mailboxNode && m.mailbox === u.extension).length;
    expect((await injectFault(control(), name)).active).toBe(true);
    try {
      await during();
    } finally {
      expect((await clearFault(control(), name)).active).toBe(false);
    }
    const after = await listMessages(lab());
    const kept = new Set(after.map(key));
    expect(before.filter((m) => !kept.has(key(m))).map(key), "messages lost").toEqual([]);
    for (const n of untouched) expect(count(after, user(n)), `${n}'s mailbox`).toBe(count(before, user(n)));
  }

  /** A direct-to-voice-mail call from erin that must be refused, quickly, with a reason; and its diagnosis. */
  async function refused(scenario: string, calleeName: string): Promise<{ final: FinalResponse; diagnosis: Diagnosis }> {
    const callee = user(calleeName);
    const run = await tracedCall(lab(), {
      from: "erin",
      to: callee.sipUser,
      params: ";opaque=app:voicemail",
      holdSeconds: 3,
      timeoutSeconds: 15,
    });
    expect(run.ok, "voice mail answered the call").toBe(false);
    const final = run.final as FinalResponse;
    expect(final, "no final response reached the caller").toBeDefined();
    expect([403, 480, 503, 504], `${final.status} ${final.reason} ${JSON.stringify(final.headers)}`).toContain(final.status);
    expect(final.afterMs).toBeLessThan(FINAL_WITHIN_MS);
    const diagnosis = await diagnoseCallFailure(lab(), callee, run);
    rows.push({ scenario, got: `${final.status} ${final.reason}`, ms: final.afterMs, diagnosis: `${diagnosis.hop}: ${diagnosis.cause}` });
    return { final, diagnosis };
  }

  /** Waits (bounded) until a node logs why the provider's NOTIFY to `calleeName` was refused. */
  async function mwiRefusal(scenario: string, calleeName: string, since: number, hop: RegExp): Promise<Diagnosis> {
    let d: Diagnosis | undefined;
    for (let i = 0; i < 20 && !hop.test(d?.hop ?? ""); i++) {
      await new Promise((r) => setTimeout(r, 500));
      d = await diagnoseRefusedRequest(lab(), user(calleeName), since, "NOTIFY");
    }
    const found = d as Diagnosis;
    rows.push({ scenario, got: "deposit 200 OK, stored; MWI NOTIFY refused", diagnosis: `${found.hop}: ${found.cause}` });
    return found;
  }

  it("hosted-um-down: a hosted deposit gets 504 naming the edge -> provider hop within 5 s; on-premises deposits work; nothing is lost", async () => {
    await withFault("hosted-um-down", async () => {
      const r = await refused("hosted-um-down", "carol");
      const onPrem = await checkDeposit(lab(), user("bob"), false, OPTIONS);
      expect(r.final).toMatchObject({
        status: 504,
        reason: expect.stringMatching(/^Hosted UM unreachable via edge: no answer from exap\.um\.provider\.test:5061$/),
      });
      expect(r.diagnosis.hop).toBe("edge -> exap.um.provider.test:5061");
      expect(r.diagnosis.cause).toMatch(/^no TCP connection: .*hosted-um is not running \(container exited\)$/);
      expectSuccess(onPrem);
    }, ["carol"]);
    expectSuccess(await checkDeposit(lab(), user("carol"), false, OPTIONS));
  });

  it("onprem-um-down: an on-premises deposit gets 504 naming the on-premises UM within 5 s; hosted deposits work", async () => {
    await withFault("onprem-um-down", async () => {
      const r = await refused("onprem-um-down", "bob");
      const hosted = await checkDeposit(lab(), user("carol"), false, OPTIONS);
      expect(r.final).toMatchObject({
        status: 504,
        reason: expect.stringMatching(/^Voice mail unreachable: no answer from on-premises UM /),
      });
      expect(r.diagnosis.hop).toMatch(/^frontend -> onprem-um um\.contoso\.test /);
      expect(r.diagnosis.cause).toMatch(/onprem-um is not running \(container exited\)/);
      expectSuccess(hosted);
    }, ["bob"]);
    expectSuccess(await checkDeposit(lab(), user("bob"), false, OPTIONS));
  });

  it("edge-down: a hosted deposit gets 504 naming the edge within 5 s; on-premises deposits work", async () => {
    await withFault("edge-down", async () => {
      const r = await refused("edge-down", "carol");
      const onPrem = await checkDeposit(lab(), user("bob"), false, OPTIONS);
      expect(r.final).toMatchObject({ status: 504, reason: expect.stringMatching(/^Hosted voice mail unreachable: no answer from edge /) });
      expect(r.diagnosis.hop).toMatch(/^frontend -> edge /);
      expect(r.diagnosis.cause).toMatch(/edge is not running \(container exited\)/);
      expectSuccess(onPrem);
    }, ["carol"]);
    expectSuccess(await checkDeposit(lab(), user("carol"), false, OPTIONS));
  });

  it("cert-untrusted: the edge refuses the handshake, the check names the hop and 'not issued by the lab CA'; on-premises deposits work", async () => {
    await withFault("cert-untrusted", async () => {
      const r = await refused("cert-untrusted", "carol");
      // Calls one after the other: SIPp's Via branch is z9hG4bK-<pid>-..., and two phones' SIPp may
      // share a PID; the front end would take the second INVITE for a retransmission of the first.
      const [onPrem, connectivity] = [await checkDeposit(lab(), user("bob"), false, OPTIONS), await checkConnectivity(lab())];
      expect(r.final.status).toBe(504);
      expect(r.diagnosis.hop).toBe("edge -> exap.um.provider.test:5061");
      expect(r.diagnosis.cause).toMatch(
        /^TLS handshake refused: certificate not issued by the lab CA \(issuer CN ?= ?Other Provider Root CA/,
      );
      expectSuccess(onPrem);
      // umlab test's connectivity check says the same, as data.
      const hosted = connectivity.find((c) => c.target.includes("hosted-um"));
      expect(hosted).toMatchObject({
        result: "Failure",
        hop: "edge -> exap.um.provider.test:5061",
        cause: expect.stringMatching(/not issued by the lab CA/),
      });
      expect(connectivity.find((c) => c.target.includes("onprem-um"))?.result).toBe("Success");
    }, ["carol"]);
    expectSuccess(await checkDeposit(lab(), user("carol"), false, OPTIONS));
  });

  it("cert-expired: a hosted deposit gets 504 within 5 s, diagnosed 'certificate has expired' at the edge -> provider hop", async () => {
    await withFault("cert-expired", async () => {
      const r = await refused("cert-expired", "carol");
      expect(r.final.status).toBe(504);
      expect(r.diagnosis.hop).toBe("edge -> exap.um.provider.test:5061");
      expect(r.diagnosis.cause).toMatch(/^TLS handshake refused: certificate has expired \(notAfter /);
    }, ["carol"]);
    // Recovery: the edge's TLS session to the provider comes up again (cert-untrusted recovers with a deposit).
    for (const c of await checkConnectivity(lab())) expectSuccess(c);
  });

  it("cert-wrong-name: deposits still reach the hosted UM; the edge refuses the provider's MWI NOTIFY for the certificate's name", async () => {
    await withFault("cert-wrong-name", async () => {
      const since = Date.now();
      expectSuccess(await checkDeposit(lab(), user("carol"), false, OPTIONS));
      const d = await mwiRefusal("cert-wrong-name", "carol", since, /^provider -> edge /);
      expect(d.cause).toMatch(/certificate names um\.wrong-name\.test, not the hosting provider \(UseSourceVerification\)/);
    });
    expectSuccess(await checkDirectDepositAndMwi(lab(), user("dave"), OPTIONS));
  });

  it("provider-unverified: deposits work; the front end refuses the provider's MWI NOTIFY as unverified (AlwaysUnverifiable)", async () => {
    await withFault("provider-unverified", async () => {
      const since = Date.now();
      expectSuccess(await checkDeposit(lab(), user("carol"), false, OPTIONS));
      const d = await mwiRefusal("provider-unverified", "carol", since, /^edge -> frontend/);
      expect(d.cause).toMatch(/unverified \(AlwaysUnverifiable\)/);
    });
    expectSuccess(await checkDirectDepositAndMwi(lab(), user("dave"), OPTIONS));
  });

  it("media-blocked: the hosted deposit connects but stores no audio, diagnosed on the media path through the edge, not the signalling", async () => {
    await withFault("media-blocked", async () => {
      const r = await checkDeposit(lab(), user("carol"), false, OPTIONS);
      expect(r.result).toBe("Failure");
      expect(r.hop).toBe("phone -> edge A/V (rtpengine) -> hosted-um: media");
      expect(r.cause).toMatch(/^signalling completed \(INVITE answered 200, BYE 200\), but the A\/V edge dropped the call's RTP/);
      rows.push({ scenario: "media-blocked", got: "200 OK: connects, no audio", diagnosis: `${r.hop}: ${r.cause}` });
      expectSuccess(await checkDeposit(lab(), user("bob"), false, OPTIONS));
    }, ["carol"]);
    expectSuccess(await checkDeposit(lab(), user("carol"), false, OPTIONS));
  });

  it("srv-missing: deposits work; the provider's proxy finds no SRV record for the access edge and the MWI NOTIFY goes nowhere", async () => {
    await withFault("srv-missing", async () => {
      const since = Date.now();
      expectSuccess(await checkDeposit(lab(), user("carol"), false, OPTIONS));
      const d = await mwiRefusal("srv-missing", "carol", since, /^provider proxy -> provider DNS$/);
      expect(d.cause).toMatch(/^no DNS SRV record _sipfederationtls\._tcp\.contoso\.test/);
    });
    expectSuccess(await checkDirectDepositAndMwi(lab(), user("dave"), OPTIONS));
  });

  it("the command line: a fault injected by one umlab process is read as active by the next, and clear --all puts the lab back", () => {
    const umlab = (...args: string[]) => {
      const r = spawnSync(process.execPath, [resolve("bin/umlab.mjs"), ...args, "--instance", lab().instance, "--json"], {
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { faults: { name: string; active: boolean }[] };
    };
    expect(umlab("fault", "inject", "media-blocked").faults[0]).toMatchObject({ name: "media-blocked", active: true });
    const listed = umlab("fault", "list")
      .faults.filter((f) => f.active)
      .map((f) => f.name);
    expect(listed).toEqual(["media-blocked"]);
    expect(umlab("fault", "clear", "--all").faults.map((f) => f.name)).toEqual(["media-blocked"]);
    expect(umlab("fault", "list").faults.filter((f) => f.active)).toEqual([]);
  });
});
