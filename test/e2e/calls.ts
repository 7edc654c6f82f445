import { describe, expect, it } from "vitest";
import type { DeploymentMode } from "../../constructs/index.js";
import { defaultLab, type TopologyUser, topologyOf } from "../../constructs/index.js";
import {
  type CheckResult,
  checkAutoAttendant,
  checkConnectivity,
  checkDeposit,
  checkDirectDepositAndMwi,
  checkIsolation,
  checkSubscriberAccess,
  checkWrongPin,
  tenantOf,
} from "../../lab/calls/checks.js";
import { checkRealPhoneMessageWaiting, checkUnservedEventRefused } from "../../lab/calls/subscriptions.js";
import type { StartedLocalLab } from "../../lab/runtime/local-lab.js";
import { NO_ANSWER_SECONDS } from "./fixture.js";

function expectSuccess(results: readonly CheckResult[]): void {
  expect(results.length).toBeGreaterThan(0);
  for (const r of results) expect(r.result, `${r.check} ${r.target}: ${r.diagnosis}`).toBe("Success");
}

/**
 * The call checks every mode must pass, declared once and run per mode file. Order matters: the
 * UM features run first, on empty mailboxes, so that reading the one new message turns message
 * waiting off; the deposit checks that follow do not depend on what mailboxes already hold.
 */
export function modeCallTests(mode: DeploymentMode, lab: () => StartedLocalLab): void {
  const model = topologyOf(defaultLab({ mode }));
  const users = model.users;
  const ums = [...new Set(users.map((u) => u.mailboxNode))].sort();
  const live = (u: TopologyUser): TopologyUser => {
    const found = lab().topology.users.find((x) => x.name === u.name);
    if (!found) throw new Error(`no user ${u.name}`);
    return found;
  };
  const options = { noAnswerSeconds: NO_ANSWER_SECONDS };

  it(`front end reaches ${ums.join(" and ")}${mode === "on-premises" ? "" : " (hosted through the edge)"} with SIP OPTIONS`, async () => {
    const results = await checkConnectivity(lab());
    expect(results.map((r) => r.target.split(" ")[1]?.replace(/[(,)]/g, "")).sort()).toEqual(ums);
    expectSuccess(results);
  });

  if (mode !== "on-premises") {
    it("corporate hosts cannot reach the provider's hosts except through the edge", async () => {
      expectSuccess(await checkIsolation(lab()));
    });
  }

  // One user per UM and tenant: the first user whose mailbox is there.
  const seen = new Set<string>();
  const representatives = users.filter((u) => {
    const key = `${u.mailboxNode}/${tenantOf(u)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  for (const u of representatives) {
    const where = `${u.mailboxNode} ${tenantOf(u)}`;
    const contacts = model.contacts.filter((c) => c.umNode === u.mailboxNode && (c.tenant ?? "onprem") === tenantOf(u));
    it(`direct to voice mail (${where}): ${u.name}'s phone does not ring, the message lands, MWI says yes with the counts`, async () => {
      expectSuccess([await checkDirectDepositAndMwi(lab(), live(u), options)]);
    });
    if (contacts.some((c) => c.kind === "subscriber-access")) {
      it(`subscriber access (${where}): a wrong PIN is refused and nothing is read`, async () => {
        expectSuccess([await checkWrongPin(lab(), live(u))]);
      });
      it(`subscriber access (${where}): ${u.name} keys the PIN by DTMF, hears the message, it moves to Old and MWI says no`, async () => {
        expectSuccess([await checkSubscriberAccess(lab(), live(u))]);
      });
    }
    if (contacts.some((c) => c.kind === "auto-attendant")) {
      it(`auto attendant (${where}): an outside caller keys ${u.extension}# and reaches ${u.name}'s phone`, async () => {
        expectSuccess([await checkAutoAttendant(lab(), live(u))]);
      });
    }
  }

  // Deposits to different users run side by side, each from a caller of its own (callerFor): the
  // no-answer ones together, then the unregistered ones (a user's two deposits never overlap).
  describe("no-answer deposits, every user at once", () => {
    for (const u of users) {
      it.concurrent(`no-answer: ${u.name}'s phone rings ${NO_ANSWER_SECONDS} s, then the caller's tone lands in ${u.mailboxNode} ${tenantOf(u)}/${u.extension} only`, async () => {
        expectSuccess([await checkDeposit(lab(), live(u), true, options)]);
      });
    }
  });

  describe("unregistered deposits, every user at once", () => {
    for (const u of users) {
      it.concurrent(`unregistered: a call to ${u.name} lands in the same mailbox, and nowhere else`, async () => {
        expectSuccess([await checkDeposit(lab(), live(u), false, options)]);
      });
    }
  });

  const shared = users.filter((u) => users.some((o) => o !== u && o.extension === u.extension && tenantOf(o) !== tenantOf(u)));
  if (shared.length > 1) {
    it(`two tenants share extension ${shared[0]?.extension}: deposits to ${shared.map((u) => `${u.name} (${tenantOf(u)})`).join(" and ")} each stay in their own tenant`, async () => {
      for (const u of shared) expectSuccess([await checkDeposit(lab(), live(u), false, options)]);
    });
  }

  // Message waiting by subscription, last: a real phone's deposit adds a message, and its checks
  // assert counts relative to what the mailbox holds, whatever the checks above left there.
  it(`a SUBSCRIBE for an event package the lab does not serve (presence) gets 489 Bad Event at once`, async () => {
    expectSuccess([await checkUnservedEventRefused(lab(), live(users[0] as TopologyUser))]);
  });

  for (const u of representatives) {
    const where = `${u.mailboxNode} ${tenantOf(u)}`;
    it(`real phone (baresip, ${where}): ${u.name} subscribes to message-summary, deposits the tone by voice mail, and the subscription's NOTIFY says yes with the counts`, async () => {
      expectSuccess([await checkRealPhoneMessageWaiting(lab(), live(u), options)]);
    });
  }
}
