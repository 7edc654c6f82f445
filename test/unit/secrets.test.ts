import { describe, expect, it } from "vitest";
import { defaultLab } from "../../constructs/index.js";
import { topologyOf } from "../../constructs/topology.js";
import { withoutSecrets } from "../../lab/runtime/secrets.js";
import { accountFile, accountFileOf, accountPath, callPlan, parseAccountFile } from "../../nodes/calls/plan.js";
import { isSecretFile, nodeFiles } from "../../nodes/files.js";
import { renderCallChecks } from "../../stacks/call-checks.js";

const lab = defaultLab({ mode: "on-premises" });
const t = topologyOf(lab);
/** What no command line or script may hold: a password, or SIPp's password option. */
const forbidden = [...t.users.map((u) => u.password), "-ap"];

describe("secrets stay out of labels, command lines and scripts (issue 8)", () => {
  it("the topology a Docker label holds has no password and no PIN", () => {
    const label = JSON.stringify(withoutSecrets(t));
    for (const u of t.users) {
      expect(label).not.toContain(u.password);
      expect(label).not.toMatch(/"(password|pin)"/);
    }
    expect(withoutSecrets(t).users.map((u) => u.name)).toEqual(t.users.map((u) => u.name));
  });

  it("SIPp reads a phone's credentials from its account file, not from its command line", () => {
    const plan = callPlan(t, { from: "alice", to: "bob", holdSeconds: 1 });
    expect(plan.args).toEqual(expect.arrayContaining(["-inf", accountFileOf("phone-alice")]));
    expect(plan.args).not.toContain("-au");
    for (const s of forbidden) expect(plan.args).not.toContain(s);
  });

  it("Azure's call-check script (rendered from the same plans) holds no password either", () => {
    const script = renderCallChecks(t);
    expect(script).toContain(`-inf'\\'' '\\''${accountFileOf("phone-alice")}`);
    for (const s of forbidden) expect(script).not.toContain(s);
  });

  it("each user's phone carries the user's account, owner-only, as a SIPp injection file", () => {
    const files = nodeFiles(lab, t, {});
    for (const u of t.users) {
      const account = files.get(u.phone)?.find((f) => f.path === accountPath(u.phone));
      expect(account).toBeDefined();
      expect(parseAccountFile(String(account?.content))).toEqual({ sipUser: u.sipUser, password: u.password, pin: u.pin });
      expect(String(account?.content)).toMatch(/^SEQUENTIAL\n[^;\n]+;[^;\n]+;[0-9]+\n$/);
    }
    expect(isSecretFile(accountPath("phone-alice"))).toBe(true);
    expect(isSecretFile("tls/node.key")).toBe(true);
    expect(isSecretFile("kamailio.cfg")).toBe(false);
    expect(() => accountFile({ sipUser: "alice", password: "a;b", pin: "1111" }, "phone-alice")).toThrow(/';'/);
  });
});
