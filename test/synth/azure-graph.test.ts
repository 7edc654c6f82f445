import { describe, expect, it } from "vitest";
import { renderMermaid } from "../../nodes/graph/mermaid.js";
import { azureDiagram } from "../../stacks/graph.js";
import { synthMode } from "./helpers.js";

describe("the Azure picture, read from the synthesized stack (npm run graph:azure)", () => {
  it("mixed: resource groups hold VNets, VNets hold subnets, each VM sits in the subnet of its first NIC", () => {
    const d = azureDiagram(synthMode("mixed").json);
    const parentOf = (id: string) => [...d.groups, ...d.nodes].find((x) => x.id === id)?.parent;
    expect(d.groups.filter((g) => g.tone === "resource-group").map((g) => g.title)).toEqual([
      "resource group umlab-lab-enterprise",
      "resource group umlab-lab-provider",
    ]);
    expect(parentOf("vnet-provider-vnet")).toBe("rg-provider");
    expect(parentOf("subnet-dmz-subnet")).toBe("vnet-enterprise-vnet");
    expect(parentOf("vm-edge-vm")).toBe("subnet-dmz-subnet");
    expect(parentOf("vm-hosted-um-vm")).toBe("subnet-provider-subnet");
    expect(d.nodes.find((n) => n.id === "vm-edge-vm")?.lines).toEqual([
      "umlab-lab-edge, var.vm_size",
      "dmz NIC: 10.63.0.30 + public IP",
      "corp NIC: 10.61.0.30",
    ]);
  });

  it("mixed: NSG openings join exactly the public addresses of edge and hosted UM, SSH comes from the admin range only", () => {
    const d = azureDiagram(synthMode("mixed").json);
    const openings = d.edges.map((e) => [e.from, e.to, e.label.join(", ")]);
    expect(openings).toEqual([
      ["admin-range", "subnet-corp-subnet", "TCP 22"],
      ["vm-hosted-um-vm", "vm-edge-vm", "TCP 5061, UDP 50000-50199"],
      ["admin-range", "vm-edge-vm", "TCP 22"],
      ["vm-edge-vm", "vm-hosted-um-vm", "TCP 5061, UDP 20000-20399"],
      ["admin-range", "vm-hosted-um-vm", "TCP 22"],
    ]);
    expect(d.nodes.some((n) => n.id === "internet")).toBe(false);
    expect(d.groups.find((g) => g.id === "subnet-corp-subnet")?.lines).toContain(
      "open inside: UDP 5060, TCP 5060, UDP 5070, UDP 6000-6101, UDP 10000-10399, UDP 50000-50199",
    );
  });

  it("on premises: one resource group, no DMZ, no provider, and Mermaid nests the frames", () => {
    const d = azureDiagram(synthMode("on-premises").json);
    expect(d.groups.map((g) => g.id)).toEqual(["rg-enterprise", "vnet-enterprise-vnet", "subnet-corp-subnet"]);
    const m = renderMermaid(d);
    expect(m.indexOf("subgraph rg_enterprise")).toBeLessThan(m.indexOf("subgraph vnet_enterprise_vnet"));
    expect(m).toContain('admin_range -.->|"TCP 22"| subnet_corp_subnet');
  });
});
