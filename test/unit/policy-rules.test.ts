import { describe, expect, it } from "vitest";
import { customDataFits } from "../../stacks/rules/custom-data-fits.js";
import { denyByDefault } from "../../stacks/rules/deny-by-default.js";
import { federationBetweenPublicAddresses } from "../../stacks/rules/federation-between-public-addresses.js";
import { noOpenVoicePorts } from "../../stacks/rules/no-open-voice-ports.js";
import { sshFromAdminRange } from "../../stacks/rules/ssh-from-admin-range.js";
import { standardStaticPublicIps } from "../../stacks/rules/standard-static-public-ips.js";
import { tagged } from "../../stacks/rules/tagged.js";
import { isOpenSource, type PolicyRule, type SynthJson } from "../../stacks/rules/types.js";
import { vmHygiene } from "../../stacks/rules/vm-hygiene.js";

const TAGS = { "umlab-lab": "lab" };
const rule = (o: Record<string, unknown>) => ({
  name: "r",
  access: "Allow",
  direction: "Inbound",
  protocol: "Udp",
  source_address_prefix: "10.61.0.0/24",
  destination_port_range: "5060",
  ...o,
});
const deny = { name: "deny", access: "Deny", direction: "Inbound", protocol: "*", source_address_prefix: "*", destination_port_range: "*" };
const nsg = (...rules: Record<string, unknown>[]): SynthJson => ({
  resource: { azurerm_network_security_group: { n: { security_rule: rules, tags: TAGS } } },
});

/**
 * Two federation parties as the stack builds them (edge 10.63.0.30, hosted UM 10.62.0.40, each NIC
 * carrying its public IP; the phones' NIC carries a third), each NSG opening 5061 from `sources`.
 */
const federation = (sources: { toEdge: string; toHosted: string }): SynthJson => {
  const ref = (ip: string) => `\${azurerm_public_ip.${ip}.ip_address}`;
  const allow5061 = (source: string, destination: string) =>
    rule({
      name: "federation",
      protocol: "Tcp",
      destination_port_range: "5061",
      source_address_prefix: source,
      destination_address_prefix: destination,
    });
  const nic = (ip: string, address: string) => ({
    ip_configuration: [{ private_ip_address: address, public_ip_address_id: `\${azurerm_public_ip.${ip}.id}` }],
  });
  return {
    resource: {
      azurerm_network_security_group: {
        dmz: { security_rule: [allow5061(ref(sources.toEdge), "10.63.0.30"), deny], tags: TAGS },
        provider: { security_rule: [allow5061(ref(sources.toHosted), "10.62.0.40"), deny], tags: TAGS },
      },
      azurerm_network_interface: {
        "edge-dmz-nic": nic("edge-public-ip", "10.63.0.30"),
        "hosted-um-nic": nic("hosted-um-public-ip", "10.62.0.40"),
        "phones-nic": nic("phones-public-ip", "10.61.0.100"),
      },
    },
  };
};

const cases: [string, PolicyRule, SynthJson, SynthJson][] = [
  [
    "no-open-voice-ports",
    noOpenVoicePorts,
    nsg(rule({}), deny),
    nsg(rule({ source_address_prefix: "*", destination_port_range: "10000-10099" })),
  ],
  [
    "federation-between-public-addresses",
    federationBetweenPublicAddresses,
    federation({ toEdge: "hosted-um-public-ip", toHosted: "edge-public-ip" }),
    nsg(rule({ protocol: "Tcp", destination_port_range: "5061", source_address_prefix: "10.61.0.0/24" })),
  ],
  [
    "ssh-from-admin-range",
    sshFromAdminRange,
    nsg(rule({ protocol: "Tcp", destination_port_range: "22", source_address_prefix: "${var.ssh_source_range}" })),
    nsg(rule({ protocol: "Tcp", destination_port_range: "22", source_address_prefix: "Internet" })),
  ],
  ["deny-by-default", denyByDefault, nsg(rule({}), deny), nsg(rule({}))],
  [
    "vm-hygiene",
    vmHygiene,
    {
      resource: {
        azurerm_linux_virtual_machine: { v: { disable_password_authentication: true, tags: TAGS } },
        azurerm_dev_test_global_vm_shutdown_schedule: { s: { virtual_machine_id: "${azurerm_linux_virtual_machine.v.id}" } },
      },
    },
    { resource: { azurerm_linux_virtual_machine: { v: { disable_password_authentication: false, admin_password: "x" } } } },
  ],
  [
    "standard-static-public-ips",
    standardStaticPublicIps,
    { resource: { azurerm_public_ip: { p: { sku: "Standard", allocation_method: "Static" } } } },
    { resource: { azurerm_public_ip: { p: { sku: "Basic", allocation_method: "Dynamic" } } } },
  ],
  ["tagged", tagged, { resource: { azurerm_resource_group: { g: { tags: TAGS } } } }, { resource: { azurerm_resource_group: { g: {} } } }],
  [
    "custom-data-fits",
    customDataFits,
    { resource: { azurerm_linux_virtual_machine: { v: { custom_data: `\${base64encode(${JSON.stringify("#cloud-config\n")})}` } } } },
    { resource: { azurerm_linux_virtual_machine: { v: { custom_data: `\${base64encode(${JSON.stringify("x".repeat(70_000))})}` } } } },
  ],
];

describe("policy rules (run on every synth)", () => {
  it.each(cases)("%s: accepts the compliant case", (_name, check, compliant) => {
    expect(check(compliant)).toEqual([]);
  });
  it.each(cases)("%s: reports the non-compliant case, naming rule and resource", (name, check, _ok, broken) => {
    const violations = check(broken);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations[0]?.rule).toBe(name);
    expect(violations[0]?.resource).toMatch(/^azurerm_/);
  });
});

describe("policy rules compare address ranges and resources, not strings (issue 8)", () => {
  it.each(["*", "Internet", "any", "0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1", "0.0.0.0/7", "10.0.0.0/7", "::/0", "2000::/3"])(
    "%s is anyone",
    (source) => {
      expect(isOpenSource(source)).toBe(true);
      expect(noOpenVoicePorts(nsg(rule({ source_address_prefix: source }), deny))).toHaveLength(1);
    },
  );
  it.each([
    "10.0.0.0/8",
    "10.61.0.0/24",
    "198.51.100.7/32",
    "198.51.100.7",
    "2001:db8::/48",
    "${azurerm_public_ip.edge-public-ip.ip_address}",
  ])("%s is not anyone", (source) => {
    expect(isOpenSource(source)).toBe(false);
    expect(noOpenVoicePorts(nsg(rule({ source_address_prefix: source }), deny))).toEqual([]);
  });
  it("reads a list of sources too: one open range in it is enough", () => {
    const r = rule({ source_address_prefix: undefined, source_address_prefixes: ["10.61.0.0/24", "0.0.0.0/1"] });
    expect(noOpenVoicePorts(nsg(r, deny))).toHaveLength(1);
  });

  it("opens 5061 only to the peer's own public IP, not the test phones' (another public IP of the stack)", () => {
    const [v] = federationBetweenPublicAddresses(federation({ toEdge: "phones-public-ip", toHosted: "edge-public-ip" }));
    expect(v?.resource).toBe("azurerm_network_security_group.dmz");
    expect(v?.message).toMatch(/public IP phones-public-ip, whose host \(10\.61\.0\.100\) is no federation peer/);
  });
  it("refuses the destination's own public IP as the source of 5061", () => {
    const violations = federationBetweenPublicAddresses(federation({ toEdge: "edge-public-ip", toHosted: "edge-public-ip" }));
    expect(violations.map((v) => v.message)).toEqual([expect.stringMatching(/public IP edge-public-ip, the destination's own/)]);
  });
  it("refuses a public IP that no network interface carries", () => {
    const violations = federationBetweenPublicAddresses(federation({ toEdge: "spare-public-ip", toHosted: "edge-public-ip" }));
    expect(violations.map((v) => v.message)).toEqual([
      expect.stringMatching(/public IP spare-public-ip, which no network interface carries/),
    ]);
  });
});
