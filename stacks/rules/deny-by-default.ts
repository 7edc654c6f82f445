import { type NsgRule, type PolicyRule, resources } from "./types.js";

/** Every NSG ends with an explicit inbound deny of everything (Azure's defaults allow the whole VNet). */
export const denyByDefault: PolicyRule = (synth) =>
  resources(synth, "azurerm_network_security_group")
    .filter(([, nsg]) => {
      const rules = (nsg.security_rule ?? []) as NsgRule[];
      return !rules.some(
        (r) =>
          r.access === "Deny" &&
          r.direction === "Inbound" &&
          r.source_address_prefix === "*" &&
          r.destination_port_range === "*" &&
          r.protocol === "*",
      );
    })
    .map(([resource]) => ({
      rule: "deny-by-default",
      resource,
      message: "the NSG has no final inbound deny-all rule; allowed: end with Deny * from * to *",
    }));
