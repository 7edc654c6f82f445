import { expect, it } from "vitest";
import type { DeploymentMode } from "../../constructs/index.js";
import { defaultLab, topologyOf } from "../../constructs/index.js";
import { type CheckResult, checkConnectivity, checkDeposit, checkIsolation } from "../../lab/calls/checks.js";
import type { StartedLocalLab } from "../../lab/runtime/local-lab.js";
import { NO_ANSWER_SECONDS } from "./fixture.js";

function expectSuccess(results: readonly CheckResult[]): void {
  for (const r of results) expect(r.result, `${r.check} ${r.target}: ${r.diagnosis}`).toBe("Success");
}

/** The call checks every mode must pass, declared once and run per mode file. */
export function modeCallTests(mode: DeploymentMode, lab: () => StartedLocalLab): void {
  const users = topologyOf(defaultLab({ mode })).users;
  const ums = [...new Set(users.map((u) => u.mailboxNode))].sort();

  it(`front end reaches ${ums.join(" and ")}${mode === "on-premises" ? "" : " (hosted through the edge)"} with SIP OPTIONS`, async () => {
    const results = await checkConnectivity(lab());
    expect(results.map((r) => r.target.split(" ")[1]?.replace(/[(,)]/g, "")).sort()).toEqual(ums);
    expectSuccess(results);
  });

  if (mode !== "on-premises") {
    it("corporate hosts cannot reach the provider's hosts except through the edge", async () => {
      const results = await checkIsolation(lab());
      expect(results).toHaveLength(1);
      expectSuccess(results);
    });
  }

  for (const u of users) {
    it(`no-answer: ${u.name}'s phone rings ${NO_ANSWER_SECONDS} s, then the caller's tone lands in ${u.name}'s mailbox on ${u.mailboxNode}`, async () => {
      const u2 = lab().topology.users.find((x) => x.name === u.name);
      if (!u2) throw new Error(`no user ${u.name}`);
      expectSuccess([await checkDeposit(lab(), u2, true, { noAnswerSeconds: NO_ANSWER_SECONDS })]);
    });
  }

  for (const u of users) {
    it(`unregistered: a call to ${u.name} lands in the same mailbox on ${u.mailboxNode}`, async () => {
      const u2 = lab().topology.users.find((x) => x.name === u.name);
      if (!u2) throw new Error(`no user ${u.name}`);
      expectSuccess([await checkDeposit(lab(), u2, false, { noAnswerSeconds: NO_ANSWER_SECONDS })]);
    });
  }
}
