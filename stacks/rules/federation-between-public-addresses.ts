import { nsgRules, type PolicyRule, portRange } from "./types.js";

/** SIP over TLS (5061) is allowed only from the other side's public address (a public IP resource). */
export const federationBetweenPublicAddresses: PolicyRule = (synth) =>
  nsgRules(synth)
    .filter(([, r]) => r.access === "Allow" && r.direction === "Inbound")
    .filter(([, r]) => {
      const range = portRange(r);
      return range !== undefined && range[0] <= 5061 && 5061 <= range[1];
    })
    .filter(([, r]) => !/^\$\{azurerm_public_ip\.[^.]+\.ip_address\}$/.test(r.source_address_prefix ?? ""))
    .map(([resource, r]) => ({
      rule: "federation-between-public-addresses",
      resource,
      message: `rule ${r.name} opens 5061 to ${r.source_address_prefix ?? "*"}; allowed: only the peer's public IP (azurerm_public_ip)`,
    }));
