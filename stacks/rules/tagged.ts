import { type PolicyRule, resources } from "./types.js";

/** Resource types that take tags in this stack; each must carry the lab's tags (cost tracking, cleanup). */
const TAGGABLE = [
  "azurerm_resource_group",
  "azurerm_virtual_network",
  "azurerm_network_security_group",
  "azurerm_public_ip",
  "azurerm_network_interface",
  "azurerm_linux_virtual_machine",
  "azurerm_private_dns_zone",
  "azurerm_private_dns_zone_virtual_network_link",
  "azurerm_private_dns_a_record",
  "azurerm_private_dns_srv_record",
  "azurerm_dev_test_global_vm_shutdown_schedule",
];

export const tagged: PolicyRule = (synth) =>
  TAGGABLE.flatMap((type) => resources(synth, type))
    .filter(([, body]) => !body.tags?.["umlab-lab"])
    .map(([resource]) => ({
      rule: "tagged",
      resource,
      message: 'the resource has no "umlab-lab" tag; allowed: the lab\'s tags on every resource',
    }));
