import { describe, expect, it } from "vitest";
import { DEPLOYMENT_MODES, topologyOf } from "../../constructs/index.js";
import fabrikamLab from "../../examples/lab.config.mjs";

describe("the example lab file (README)", () => {
  it.each(DEPLOYMENT_MODES)("builds a valid %s lab", (mode) => {
    const t = topologyOf(fabrikamLab({ mode }));
    expect(t.sipDomain).toBe("fabrikam.test");
    expect(t.networks[0]?.subnet).toBe("10.71.0.0/24");
    if (mode === "mixed") expect(t.users.map((u) => u.mailboxNode)).toEqual(["onprem-um", "hosted-um"]);
  });
});
