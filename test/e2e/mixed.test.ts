import { describe, expect, it } from "vitest";
import { listMessages } from "../../lab/calls/mailbox.js";
import { modeCallTests } from "./calls.js";
import { useLab } from "./fixture.js";

describe("mixed lab: real calls", () => {
  const lab = useLab("mixed");
  modeCallTests("mixed", lab);

  it("each UM holds only its own users' messages (two per user, none on the other UM)", async () => {
    const t = lab().topology;
    const all = await listMessages(lab());
    expect(all.length).toBe(t.users.length * 2);
    for (const m of all) {
      const owner = t.users.find((u) => u.extension === m.mailbox);
      expect(owner?.mailboxNode, `message ${m.recording} on ${m.node}`).toBe(m.node);
    }
    expect(new Set(all.map((m) => m.node))).toEqual(new Set(["onprem-um", "hosted-um"]));
  });
});
