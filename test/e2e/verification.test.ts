import { beforeAll, describe, expect, it } from "vitest";
import type { TopologyUser } from "../../constructs/index.js";
import { checkDeposit } from "../../lab/calls/checks.js";
import { call } from "../../lab/calls/driver.js";
import {
  forgedTrustNotify,
  forgedTrustTowardsProvider,
  kamailioLogLines,
  notifyFromProvider,
  phoneReceivesNotify,
  providerIdentity,
  providerNotifiesSettled,
  setEdgeVerificationLevel,
  TRUST_HEADER,
  trustMarksOf,
} from "../../lab/calls/trust.js";
import type { StartedLocalLab } from "../../lab/runtime/local-lab.js";
import { LabCa } from "../../nodes/pki.js";
import { NO_ANSWER_SECONDS, useLab } from "./fixture.js";

/*
 * Source verification at the edge, one cross-premises lab per verification level: what the edge
 * marks (ms-edge-proxy-message-trust, seen at the phone), what it refuses, and what the front end
 * lets reach a user. The "other certificate" is issued by the lab's own CA for a name that is
 * neither the provider's proxy FQDN nor the hosted UM's.
 */
const OTHER_NAME = "intruder.provider.test";
const PROVIDER_FQDN = "exap.um.provider.test";

function userNamed(lab: StartedLocalLab, name: string): TopologyUser {
  const u = lab.topology.users.find((x) => x.name === name);
  if (!u) throw new Error(`no user ${name}`);
  return u;
}

const waitingYes = (notify: string) => /^Messages-Waiting:\s*yes/im.test(notify);
/** The probe's NOTIFY (sent as the provider's voice-mail pilot), not one of the hosted UM's own. */
const fromProbe = (notify: string) => /^From: <sip:voicemail@/im.test(notify);

describe("UseSourceVerification (the default): the provider's own certificate only", () => {
  const ca = LabCa.create(1);
  const lab = useLab("cross-premises", { ca, tag: "trust-source" });
  beforeAll(() => providerNotifiesSettled(lab()));

  it("the hosted UM's message-waiting NOTIFY after a deposit reaches the phone marked verified, naming the provider's certificate", async () => {
    const [alice, carol] = [userNamed(lab(), "alice"), userNamed(lab(), "carol")];
    const deposit = () =>
      call(lab(), {
        from: alice.name,
        to: carol.sipUser,
        params: ";opaque=app:voicemail",
        media: { tone: true },
        holdSeconds: 2,
        timeoutSeconds: 20,
      });
    const r = await phoneReceivesNotify(lab(), carol, deposit, { waitSeconds: 25, wanted: waitingYes });
    expect(r.sent.ok, r.sent.output.slice(-400)).toBe(true);
    expect(r.notify, r.phoneOutput.slice(-400)).toMatch(/^Messages-Waiting:\s*yes/im);
    const marks = trustMarksOf(r.notify ?? "");
    expect(marks).toHaveLength(1);
    expect(marks[0]).toMatchObject({
      verified: true,
      level: "UseSourceVerification",
      remoteFqdn: PROVIDER_FQDN,
      edgeFqdn: "sip.contoso.test",
    });
  });

  it(`a certificate from the lab CA for ${OTHER_NAME} gets 403 at the edge, which logs why; the provider's own passes the same way`, async () => {
    const carol = userNamed(lab(), "carol");
    const refused = await notifyFromProvider(lab(), ca.issue(OTHER_NAME), carol);
    expect(refused.status, refused.output).toBe(403);
    expect(refused.reason).toBe("Certificate does not name the hosting provider (UseSourceVerification)");
    const logged = await kamailioLogLines(lab(), "edge", `certificate names '${OTHER_NAME}'`);
    expect(logged.join("\n")).toMatch(/umlab edge trust: refused NOTIFY sip:carol@contoso\.test .*\(UseSourceVerification\)/);
    // The control: the same request with the provider's own certificate crosses the edge (carol is not registered: 480).
    const own = await notifyFromProvider(lab(), await providerIdentity(lab()), carol);
    expect(own.status, own.output).toBe(480);
  });

  it("a phone's forged trust mark is removed by the front end before the callee's phone sees the NOTIFY", async () => {
    const [alice, carol] = [userNamed(lab(), "alice"), userNamed(lab(), "carol")];
    const r = await phoneReceivesNotify(lab(), carol, () => forgedTrustNotify(lab(), alice, carol), { waitSeconds: 8 });
    expect(r.sent.ok, r.sent.output.slice(-400)).toBe(true);
    expect(r.notify, r.phoneOutput.slice(-400)).toContain("From: <sip:alice@contoso.test>");
    expect(r.notify).not.toMatch(new RegExp(`^${TRUST_HEADER}:`, "im"));
  });

  it("a trust mark in a request from the corporate side is removed by the edge before the provider gets it", async () => {
    const r = await forgedTrustTowardsProvider(lab());
    expect(r.sent.ok, r.sent.output.slice(-400)).toBe(true);
    expect(r.received, "the hosted UM logged no such OPTIONS").toMatch(/^OPTIONS sip:voicemail@/m);
    expect(r.received).not.toMatch(new RegExp(`^${TRUST_HEADER}:`, "im"));
  });

  it("the level changes at run time without a restart (the provider-unverified fault hook), and back", async () => {
    const carol = userNamed(lab(), "carol");
    const own = await providerIdentity(lab());
    await setEdgeVerificationLevel(lab(), "AlwaysUnverifiable");
    try {
      const refused = await notifyFromProvider(lab(), own, carol);
      expect(`${refused.status} ${refused.reason}`, refused.output).toBe("403 Unverified source (AlwaysUnverifiable)");
    } finally {
      await setEdgeVerificationLevel(lab(), undefined);
    }
    const back = await notifyFromProvider(lab(), own, carol);
    expect(back.status, back.output).toBe(480);
  });
});

describe("AlwaysVerifiable: any certificate from the lab CA", () => {
  const ca = LabCa.create(1);
  const lab = useLab("cross-premises", { ca, tag: "trust-always", verificationLevel: "AlwaysVerifiable" });
  beforeAll(() => providerNotifiesSettled(lab()));

  it(`a certificate for ${OTHER_NAME} is accepted: its NOTIFY reaches the phone marked verified, naming that certificate`, async () => {
    const carol = userNamed(lab(), "carol");
    const r = await phoneReceivesNotify(lab(), carol, () => notifyFromProvider(lab(), ca.issue(OTHER_NAME), carol), {
      waitSeconds: 8,
      wanted: fromProbe,
    });
    expect(r.sent.status, r.sent.output).toBe(200);
    const marks = trustMarksOf(r.notify ?? "");
    expect(marks, r.phoneOutput.slice(-400)).toHaveLength(1);
    expect(marks[0]).toMatchObject({ verified: true, level: "AlwaysVerifiable", remoteFqdn: OTHER_NAME });
  });
});

describe("AlwaysUnverifiable: passed on, marked unverified, kept away from users", () => {
  const lab = useLab("cross-premises", { tag: "trust-never", verificationLevel: "AlwaysUnverifiable" });
  beforeAll(() => providerNotifiesSettled(lab()));

  it("a hosted deposit still lands with its audio; the UM's NOTIFY that follows is refused at the front end, naming the level", async () => {
    const carol = userNamed(lab(), "carol");
    const deposit = await checkDeposit(lab(), carol, false, { noAnswerSeconds: NO_ANSWER_SECONDS, toneSeconds: 2 });
    expect(deposit.result, deposit.diagnosis).toBe("Success");
    let refused: string[] = [];
    for (let i = 0; i < 30 && refused.length === 0; i++) {
      refused = await kamailioLogLines(lab(), "frontend", `refused NOTIFY ${carol.sipUri} from the edge`);
      if (refused.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(refused.join("\n")).toContain("unverified source (AlwaysUnverifiable)");
  });

  it("a NOTIFY with the provider's own certificate gets 403 Unverified source (AlwaysUnverifiable), and the phone gets nothing", async () => {
    const carol = userNamed(lab(), "carol");
    const own = await providerIdentity(lab());
    const r = await phoneReceivesNotify(lab(), carol, () => notifyFromProvider(lab(), own, carol), { waitSeconds: 4 });
    expect(`${r.sent.status} ${r.sent.reason}`, r.sent.output).toBe("403 Unverified source (AlwaysUnverifiable)");
    expect(r.notify).toBeUndefined();
  });
});
