import { inboundAllowsTo, type PolicyRule } from "./types.js";

/** SIP over TLS (5061) is allowed only from the other side's public address (a public IP resource). */
export const federationBetweenPublicAddresses: PolicyRule = (synth) =>
  inboundAllowsTo(synth, 5061)
    .filter(([, r]) => !/^\$\{azurerm_public_ip\.[^.]+\.ip_address\}$/.test(r.source_address_prefix ?? ""))
    .map(([resource, r]) => ({
      rule: "federation-between-public-addresses",
      resource,
      message: `rule ${r.name} opens 5061 to ${r.source_address_prefix ?? "*"}; allowed: only the peer's public IP (azurerm_public_ip)`,
    }));
