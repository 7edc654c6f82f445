import { describe, expect, it } from "vitest";
import { customDataFits } from "../../stacks/rules/custom-data-fits.js";
import { denyByDefault } from "../../stacks/rules/deny-by-default.js";
import { federationBetweenPublicAddresses } from "../../stacks/rules/federation-between-public-addresses.js";
import { noOpenVoicePorts } from "../../stacks/rules/no-open-voice-ports.js";
import { sshFromAdminRange } from "../../stacks/rules/ssh-from-admin-range.js";
import { standardStaticPublicIps } from "../../stacks/rules/standard-static-public-ips.js";
import { tagged } from "../../stacks/rules/tagged.js";
import type { PolicyRule, SynthJson } from "../../stacks/rules/types.js";
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
    nsg(rule({ protocol: "Tcp", destination_port_range: "5061", source_address_prefix: "${azurerm_public_ip.edge-public-ip.ip_address}" })),
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
