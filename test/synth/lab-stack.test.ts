import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { DEPLOYMENT_MODES, defaultLab, topologyOf } from "../../constructs/index.js";
import { nodeFiles } from "../../nodes/files.js";
import { PUBLIC_PLACEHOLDERS, parseCloudInit, runStartScript, VM_PATHS } from "../../stacks/cloud-init.js";
import { LabStack } from "../../stacks/lab-stack.js";
import { cachedLabPki } from "../../stacks/pki-cache.js";
import { cloudConfigOf } from "../../stacks/rules/custom-data-fits.js";
import { checkSynth } from "../../stacks/rules/index.js";
import { FAKE_PKI, res, synthMode, testApp } from "./helpers.js";

const names = (json: ReturnType<typeof synthMode>["json"], type: string) => Object.keys(res(json, type)).sort();

describe("Azure stack per mode", () => {
  it("on-premises: one resource group and VNet, no edge, no provider; only the test phone VM is reachable (SSH)", () => {
    const { json } = synthMode("on-premises");
    expect(names(json, "azurerm_resource_group")).toEqual(["enterprise"]);
    expect(names(json, "azurerm_virtual_network")).toEqual(["enterprise-vnet"]);
    expect(names(json, "azurerm_linux_virtual_machine")).toEqual(["frontend-vm", "onprem-um-vm", "phones-vm"]);
    expect(names(json, "azurerm_public_ip")).toEqual(["phones-public-ip"]);
    expect(res(json, "azurerm_network_interface")["phones-nic"].ip_configuration[0].public_ip_address_id).toBe(
      "${azurerm_public_ip.phones-public-ip.id}",
    );
    expect(res(json, "azurerm_network_interface")["phones-nic"].ip_configuration[1].public_ip_address_id).toBeUndefined();
    expect(names(json, "azurerm_subnet")).toEqual(["corp-subnet"]);
  });

  it("cross-premises: the provider's group, VNet and hosted UM; the edge with a DMZ NIC and a public IP; no on-prem UM", () => {
    const { json } = synthMode("cross-premises");
    expect(names(json, "azurerm_resource_group")).toEqual(["enterprise", "provider"]);
    expect(names(json, "azurerm_linux_virtual_machine")).toEqual(["edge-vm", "frontend-vm", "hosted-um-vm", "phones-vm"]);
    expect(names(json, "azurerm_public_ip")).toEqual(["edge-public-ip", "hosted-um-public-ip", "phones-public-ip"]);
    const edge = res(json, "azurerm_linux_virtual_machine")["edge-vm"];
    // The DMZ NIC comes first: only the first NIC of an Azure VM gets the default route.
    expect(edge.network_interface_ids).toEqual([
      "${azurerm_network_interface.edge-dmz-nic.id}",
      "${azurerm_network_interface.edge-corp-nic.id}",
    ]);
    const dmzNic = res(json, "azurerm_network_interface")["edge-dmz-nic"].ip_configuration[0];
    expect(dmzNic.private_ip_address).toBe("10.63.0.30");
    expect(dmzNic.public_ip_address_id).toBe("${azurerm_public_ip.edge-public-ip.id}");
  });

  it("mixed: every role, with the model's address plan", () => {
    const { json } = synthMode("mixed");
    expect(names(json, "azurerm_linux_virtual_machine")).toEqual(["edge-vm", "frontend-vm", "hosted-um-vm", "onprem-um-vm", "phones-vm"]);
    expect(res(json, "azurerm_virtual_network")["enterprise-vnet"].address_space).toEqual(["10.61.0.0/24", "10.63.0.0/24"]);
    expect(res(json, "azurerm_virtual_network")["provider-vnet"].address_space).toEqual(["10.62.0.0/24"]);
    const phones = res(json, "azurerm_network_interface")["phones-nic"].ip_configuration.map(
      (c: { private_ip_address: string }) => c.private_ip_address,
    );
    expect(phones).toEqual(["10.61.0.100", "10.61.0.101", "10.61.0.102", "10.61.0.103", "10.61.0.104", "10.61.0.99"]);
  });

  it.each(DEPLOYMENT_MODES)("%s: passes every policy rule", (mode) => {
    expect(checkSynth(synthMode(mode).json)).toEqual([]);
  });
});

describe("network security follows the model", () => {
  const { json } = synthMode("mixed");
  const rules = (nsg: string) => res(json, "azurerm_network_security_group")[nsg].security_rule as Record<string, string>[];
  const allowed = (nsg: string) =>
    rules(nsg)
      .filter((r) => r.access === "Allow")
      .map((r) => `${r.protocol} ${r.destination_port_range} from ${r.source_address_prefix} to ${r.destination_address_prefix}`);

  it("corp: SIP 5060 and RTP only from inside the enterprise, SSH only from the admin range", () => {
    expect(allowed("corp-nsg")).toEqual([
      "Udp 5060 from 10.61.0.0/24 to 10.61.0.0/24",
      "Tcp 5060 from 10.61.0.0/24 to 10.61.0.0/24",
      "Udp 5070 from 10.61.0.0/24 to 10.61.0.0/24",
      "Udp 6000-6101 from 10.61.0.0/24 to 10.61.0.0/24",
      "Udp 10000-10399 from 10.61.0.0/24 to 10.61.0.0/24",
      "Udp 50000-50199 from 10.61.0.0/24 to 10.61.0.0/24",
      "Tcp 22 from ${var.ssh_source_range} to 10.61.0.0/24",
    ]);
  });

  it("DMZ and provider: 5061 and the media ranges only between the two public addresses", () => {
    expect(allowed("dmz-nsg")).toEqual([
      "Tcp 5061 from ${azurerm_public_ip.hosted-um-public-ip.ip_address} to 10.63.0.30",
      "Udp 50000-50199 from ${azurerm_public_ip.hosted-um-public-ip.ip_address} to 10.63.0.30",
      "Tcp 22 from ${var.ssh_source_range} to 10.63.0.30",
    ]);
    expect(allowed("provider-nsg")).toEqual([
      "Tcp 5061 from ${azurerm_public_ip.edge-public-ip.ip_address} to 10.62.0.40",
      "Udp 20000-20399 from ${azurerm_public_ip.edge-public-ip.ip_address} to 10.62.0.40",
      "Tcp 22 from ${var.ssh_source_range} to 10.62.0.40",
    ]);
  });

  it("nothing is open to the internet, and each NSG ends denying everything else", () => {
    for (const nsg of ["corp-nsg", "dmz-nsg", "provider-nsg"]) {
      const all = rules(nsg);
      expect(all.filter((r) => r.access === "Allow" && ["*", "0.0.0.0/0", "Internet"].includes(r.source_address_prefix ?? ""))).toEqual([]);
      expect(all.at(-1)).toMatchObject({ access: "Deny", source_address_prefix: "*", destination_port_range: "*", protocol: "*" });
    }
  });
});

describe("DNS", () => {
  const { json } = synthMode("mixed");
  it("the enterprise resolves its servers and the provider's federation SRV; the provider resolves the access edge and its own proxy", () => {
    const zones = Object.values(res(json, "azurerm_private_dns_zone")).map(
      (z: { name: string; resource_group_name: string }) => `${z.name} in ${z.resource_group_name}`,
    );
    expect(zones.sort()).toEqual([
      "contoso.test in ${azurerm_resource_group.enterprise.name}",
      "contoso.test in ${azurerm_resource_group.provider.name}",
      "um.provider.test in ${azurerm_resource_group.enterprise.name}",
      "um.provider.test in ${azurerm_resource_group.provider.name}",
    ]);
    // The hosted UM reaches its federation proxy by the provider's name, at its own private address.
    expect(res(json, "azurerm_private_dns_a_record")["provider-hosted-um-a"]).toMatchObject({ name: "exap", records: ["10.62.0.40"] });
    const srv = res(json, "azurerm_private_dns_srv_record");
    expect(srv["enterprise-provider-federation-srv"]).toMatchObject({
      name: "_sipfederationtls._tcp",
      record: [{ port: 5061, target: "exap.um.provider.test" }],
    });
    expect(srv["provider-federation-srv"]).toMatchObject({
      name: "_sipfederationtls._tcp",
      record: [{ port: 5061, target: "sip.contoso.test" }],
    });
    expect(res(json, "azurerm_private_dns_a_record")["enterprise-hosted-um-a"]).toMatchObject({
      name: "exap",
      records: ["${azurerm_public_ip.hosted-um-public-ip.ip_address}"],
    });
    expect(res(json, "azurerm_private_dns_a_record")["enterprise-frontend-a"]).toMatchObject({ name: "pool", records: ["10.61.0.10"] });
  });
});

describe("cloud-init carries the same configuration as the local lab", () => {
  it("each VM writes exactly the files the renderers make for its nodes, and the public addresses", () => {
    const { json } = synthMode("mixed");
    const lab = defaultLab({ mode: "mixed" });
    const t = topologyOf(lab, { realization: "azure", publicAddresses: PUBLIC_PLACEHOLDERS });
    const expected = nodeFiles(lab, t, FAKE_PKI);
    const edgeVm = res(json, "azurerm_linux_virtual_machine")["edge-vm"];
    const text = cloudConfigOf(edgeVm.custom_data) as string;
    const { files, env } = parseCloudInit(text);
    for (const f of expected.get("edge") ?? []) {
      expect(files.get(`${VM_PATHS.nodes}/edge/${f.path}`)?.equals(Buffer.from(f.content)), f.path).toBe(true);
    }
    expect(files.has(`${VM_PATHS.images}/kamailio/Dockerfile`)).toBe(true);
    expect(env).toEqual({
      EDGE_PUBLIC_IP: "${azurerm_public_ip.edge-public-ip.ip_address}",
      HOSTED_UM_PUBLIC_IP: "${azurerm_public_ip.hosted-um-public-ip.ip_address}",
    });
    const kamailio = files.get(`${VM_PATHS.nodes}/edge/kamailio.cfg`)?.toString() ?? "";
    // The provider side names the edge by its certificate's FQDN, which the provider's DNS resolves to the public address.
    expect(kamailio).toContain("listen=tls:10.63.0.30:5061 advertise sip.contoso.test:5061");
    expect(files.get(`${VM_PATHS.start}`)?.toString()).toContain("docker run -d --restart unless-stopped --name umlab-edge --network host");
  });

  it("custom data is a cloud-config in YAML that cloud-init reads: permissions stay strings, start.sh runs last", () => {
    const { json } = synthMode("mixed");
    for (const [vm, body] of Object.entries(res(json, "azurerm_linux_virtual_machine"))) {
      const text = cloudConfigOf(body.custom_data) as string;
      expect(text.startsWith("#cloud-config\n"), vm).toBe(true);
      const config = parseYaml(text) as { packages: string[]; write_files: Record<string, unknown>[]; runcmd: string[][] };
      expect(config.packages, vm).toEqual(["docker.io"]);
      // cloud-init's YAML 1.1 would read an unquoted 0755 as the number 493.
      expect(
        config.write_files.filter((f) => f.permissions !== undefined && typeof f.permissions !== "string"),
        vm,
      ).toEqual([]);
      expect(config.write_files.find((f) => f.path === VM_PATHS.start)?.permissions, vm).toBe("0755");
      expect(config.runcmd, vm).toEqual([["bash", VM_PATHS.start]]);
    }
  });

  it("keeps the hosted UM behind NAT: its proxy advertises the public address, SDP carries it", () => {
    const { json } = synthMode("cross-premises");
    const text = cloudConfigOf(res(json, "azurerm_linux_virtual_machine")["hosted-um-vm"].custom_data) as string;
    // The PJSIP configuration, whichever of the UM's Asterisk files carries it.
    const asterisk = [...parseCloudInit(text).files]
      .filter(([path]) => path.startsWith(`${VM_PATHS.nodes}/hosted-um/asterisk/`) && path.includes("pjsip"))
      .map(([, content]) => content.toString())
      .join("\n");
    expect(asterisk).toContain("external_media_address=@@HOSTED_UM_PUBLIC_IP@@");
    const proxy = parseCloudInit(text).files.get(`${VM_PATHS.nodes}/hosted-um/kamailio.cfg`)?.toString() ?? "";
    expect(proxy).toContain("listen=tls:0.0.0.0:5061 advertise @@HOSTED_UM_PUBLIC_IP@@:5061");
  });
});

describe("each VM's start.sh, run as cloud-init would (docker stubbed)", () => {
  it.each(DEPLOYMENT_MODES)("%s: installs the files, fills the public addresses, builds the images and starts every node", (mode) => {
    const { json } = synthMode(mode);
    const started: string[] = [];
    for (const [vm, body] of Object.entries(res(json, "azurerm_linux_virtual_machine"))) {
      const { written } = parseCloudInit(cloudConfigOf(body.custom_data) as string);
      const ran = runStartScript(written, { EDGE_PUBLIC_IP: "192.0.2.30", HOSTED_UM_PUBLIC_IP: "192.0.2.40" });
      const runs = ran.docker.filter((c) => c[0] === "run");
      expect(runs.length, vm).toBeGreaterThan(0);
      expect(
        ran.docker.some((c) => c[0] === "build"),
        vm,
      ).toBe(true);
      for (const r of runs) started.push(r[r.indexOf("--name") + 1] as string);
      for (const [path, content] of ran.files) {
        expect(content.includes("@@EDGE_PUBLIC_IP@@") || content.includes("@@HOSTED_UM_PUBLIC_IP@@"), `${vm} ${path}`).toBe(false);
      }
    }
    const model = topologyOf(defaultLab({ mode }), { realization: "azure" });
    expect(started.sort()).toEqual(model.nodes.map((n) => `umlab-${n.name}`).sort());
  });
});

describe("snapshots", () => {
  it.each(DEPLOYMENT_MODES)("%s", (mode) => {
    const { json } = synthMode(mode);
    // Cloud-init changes with every image or renderer edit; it is tested above, not snapshotted.
    for (const vm of Object.values(res(json, "azurerm_linux_virtual_machine"))) vm.custom_data = "<cloud-init>";
    expect(json).toMatchSnapshot();
  });
});

describe("TLS material comes in as a prop", () => {
  it("a stack whose pki lacks a TLS party is refused before anything is created", () => {
    expect(() => new LabStack(testApp(), "lab", { lab: defaultLab({ mode: "mixed" }), pki: {} })).toThrow(
      "pki has no TLS material for edge, hosted-um",
    );
  });

  it("the app's cache keeps one CA per lab, and a mode without TLS parties leaves it alone", () => {
    const root = mkdtempSync(join(tmpdir(), "umlab-pki-cache-"));
    try {
      const parties = LabStack.tlsParties(defaultLab({ mode: "mixed" }));
      const first = cachedLabPki("lab", parties, root);
      expect(cachedLabPki("lab", {}, root)).toEqual({});
      expect(cachedLabPki("lab", LabStack.tlsParties(defaultLab({ mode: "cross-premises" })), root)).toEqual(first);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
