import { describe, expect, it } from "vitest";
import { defaultLab, topologyOf } from "../../constructs/index.js";

describe("topology (the up/status JSON contract)", () => {
  it("on-premises mode has no edge, no provider network and no hosted UM", () => {
    const t = topologyOf(defaultLab({ mode: "on-premises" }), { instance: "x" });
    expect(t.networks.map((n) => n.role)).toEqual(["corp"]);
    expect(t.nodes.map((n) => n.role).filter((r) => r !== "phone")).toEqual(["frontend", "onprem-um"]);
    expect(t.users.every((u) => u.mailboxNode === "onprem-um")).toBe(true);
  });

  it("cross-premises mode puts every mailbox on the hosted UM, behind the edge", () => {
    const t = topologyOf(defaultLab({ mode: "cross-premises" }), { instance: "x" });
    expect(t.nodes.map((n) => n.role).filter((r) => r !== "phone")).toEqual(["frontend", "edge", "hosted-um", "dns", "dns"]);
    expect(t.users.map((u) => [u.name, u.mailboxNode, u.tenant])).toEqual([
      ["alice", "hosted-um", "contoso.test"],
      ["bob", "hosted-um", "contoso.test"],
      ["carol", "hosted-um", "contoso.test"],
      ["dave", "hosted-um", "contoso.test"],
      ["erin", "hosted-um", "fabrikam.test"],
    ]);
    expect(t.contacts.map((c) => [c.displayNumber, c.kind, c.umNode])).toEqual([
      ["1800", "subscriber-access", "hosted-um"],
      ["1801", "auto-attendant", "hosted-um"],
    ]);
  });

  it("mixed mode has both UMs and routes per user; only the edge sits on both networks", () => {
    const t = topologyOf(defaultLab({ mode: "mixed" }), { instance: "x" });
    expect(t.users.map((u) => [u.name, u.mailboxNode])).toEqual([
      ["alice", "onprem-um"],
      ["bob", "onprem-um"],
      ["carol", "hosted-um"],
      ["dave", "hosted-um"],
      ["erin", "hosted-um"],
    ]);
    const dual = t.nodes.filter((n) => n.addresses.corp && n.addresses.provider).map((n) => n.name);
    expect(dual).toEqual(["edge"]);
    expect(t.nodes.find((n) => n.name === "hosted-um")?.addresses).toEqual({ provider: "10.62.0.40" });
  });

  it("names networks and containers per instance, so two labs can coexist", () => {
    const a = topologyOf(defaultLab({ mode: "mixed" }), { instance: "a" });
    const b = topologyOf(defaultLab({ mode: "mixed" }), { instance: "b" });
    const names = (t: typeof a) => [...t.networks.map((n) => n.name), ...t.nodes.map((n) => n.container)];
    expect(names(a).filter((n) => names(b).includes(n))).toEqual([]);
    expect(a.networks[0]?.name).toBe("umlab-a-corp");
  });

  it("keeps the documented keys", () => {
    const t = topologyOf(defaultLab({ mode: "mixed" }), { instance: "x" });
    expect(Object.keys(t.networks[0] ?? {})).toEqual(["name", "role", "subnet"]);
    expect(Object.keys(t.nodes[0] ?? {})).toEqual(["name", "role", "container", "fqdn", "addresses"]);
    expect(Object.keys(t.users[0] ?? {})).toEqual(
      expect.arrayContaining(["name", "extension", "sipUri", "password", "mailbox", "mailboxNode"]),
    );
  });

  it("moves the whole address plan when shifted, keeping host numbers", () => {
    const lab = defaultLab({ mode: "mixed" });
    const t = topologyOf(lab, { instance: "x", plan: lab.addressPlan.shifted(3) });
    expect(t.networks.map((n) => n.subnet)).toEqual(["10.61.3.0/24", "10.62.3.0/24"]);
    expect(t.nodes.find((n) => n.name === "edge")?.addresses).toEqual({ corp: "10.61.3.30", provider: "10.62.3.30" });
  });
});
