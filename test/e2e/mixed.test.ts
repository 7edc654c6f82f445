import { describe, expect, it } from "vitest";
import { listMessages } from "../../lab/calls/mailbox.js";
import { modeCallTests } from "./calls.js";
import { useLab } from "./fixture.js";

describe("mixed lab: real calls", () => {
  const lab = useLab("mixed");
  modeCallTests("mixed", lab);

  it("each UM holds only its own users' messages, each in its user's tenant", async () => {
    const t = lab().topology;
    const all = await listMessages(lab());
    expect(all.length).toBeGreaterThanOrEqual(t.users.length * 2);
    for (const m of all) {
      const owner = t.users.find((u) => u.extension === m.mailbox && u.mailboxNode === m.node && (u.tenant ?? "onprem") === m.tenant);
      expect(owner, `message ${m.recording} on ${m.node} belongs to nobody`).toBeDefined();
    }
    expect(new Set(all.map((m) => m.node))).toEqual(new Set(["onprem-um", "hosted-um"]));
  });
});
