import { type PolicyRule, resources } from "./types.js";

/** Public IPs are Standard and static (Basic SKU is retired; a lab's peers must not move). */
export const standardStaticPublicIps: PolicyRule = (synth) =>
  resources(synth, "azurerm_public_ip")
    .filter(([, ip]) => ip.sku !== "Standard" || ip.allocation_method !== "Static")
    .map(([resource, ip]) => ({
      rule: "standard-static-public-ips",
      resource,
      message: `public IP is sku ${ip.sku ?? "Basic"} / ${ip.allocation_method}; allowed: sku Standard, allocation Static`,
    }));
